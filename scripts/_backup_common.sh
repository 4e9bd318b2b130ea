# Shared by scripts/backup.sh and scripts/restore.sh (sourced, not run): messages, the database URL for libpq
# and the docker-compose defaults. The calling script sets `script` to its name first.

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
    exit 2
}

fail() {
    echo "$script: $*" >&2
    exit 1
}

# libpq understands postgres:// and postgresql://; the settings (django-environ) also accept other spellings.
libpq_url() {
    local url="$1"
    case "$url" in
        postgres://* | postgresql://*) printf '%s' "$url" ;;
        pgsql://* | psql://*) printf 'postgresql://%s' "${url#*://}" ;;
        *) fail "DATABASE_URL must be a PostgreSQL URL (postgres://user:password@host:port/name)" ;;
    esac
}

# The services and paths of the compose deployment (docker-compose.yml), each overridable from the environment.
compose_defaults() {
    compose=${COMPOSE:-docker compose}
    db_service=${DB_SERVICE:-db}
    web_service=${WEB_SERVICE:-web}
    pg_user=${POSTGRES_USER:-vamos}
    pg_db=${POSTGRES_DB:-vamos}
    media_path=${MEDIA_PATH:-/app/media}
}
