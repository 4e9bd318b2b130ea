#!/usr/bin/env bash
# Serves the portal with a real Celery worker and beat beside it. Ctrl-C stops all of it.
set -euo pipefail
BIN=${BIN:-.venv/bin}
HOST=${HOST:-127.0.0.1}
PORT=${PORT:-8000}

cleanup() {
    trap - INT TERM EXIT
    kill -TERM $(jobs -p) 2>/dev/null || true
    wait 2>/dev/null || true
}
trap cleanup INT TERM EXIT

echo "The portal: http://$HOST:$PORT/  ·  admin: http://$HOST:$PORT/admin/  ·  mails: var/mail/  ·  Ctrl-C stops all"
"$BIN/celery" -A vamos worker --beat --loglevel=INFO --concurrency=2 \
    --schedule=var/celery/beat-schedule &
"$BIN/python" manage.py runserver "$HOST:$PORT" &
wait -n
