#!/usr/bin/env bash
# Backs up all the state of the VAMOs portal: the PostgreSQL database (pg_dump, custom format) and the
# media files (uploads, certificates; a tar). Redis holds only queues and caches and is not backed up.
#
#   scripts/backup.sh [--compose] [--no-media] [DESTINATION]        DESTINATION defaults to ./backups
#
# Each run writes a new folder DESTINATION/vamos-<UTC date and time>/ with
#   database.dump    pg_dump --format=custom (restores selectively and in parallel: scripts/restore.sh)
#   media.tar.gz     the contents of the media folder
#   SHA256SUMS       checksums, checked by restore.sh
# The folder is written as <name>.partial and renamed only when everything succeeded, so a folder without
# that suffix is a complete backup. Nothing older is deleted: rotate the copies with your backup tool.
#
# Directly on a machine with the PostgreSQL client tools (pg_dump at least as new as the server):
#   DATABASE_URL=postgres://vamos:…@db.internal:5432/vamos MEDIA_ROOT=/srv/vamos/media scripts/backup.sh /srv/backups
# The docker-compose deployment (run beside docker-compose.yml while the stack runs):
#   scripts/backup.sh --compose /srv/backups
#   The dump is made by `docker compose exec db pg_dump` (the server's own pg_dump, so versions always match),
#   the media folder is read with `docker compose exec web tar`. Override with COMPOSE ("docker compose"),
#   DB_SERVICE (db), WEB_SERVICE (web), POSTGRES_USER (vamos), POSTGRES_DB (vamos), MEDIA_PATH (/app/media).
# --no-media: only the database (e.g. with media in S3, which has its own versioning).
# See docs/operations.md, "Backups".
set -euo pipefail
script=backup.sh
# shellcheck source=scripts/_backup_common.sh
source "$(dirname "$0")/_backup_common.sh"

compose_mode=false
with_media=true
destination=""
while [ $# -gt 0 ]; do
    case "$1" in
        --compose) compose_mode=true ;;
        --no-media) with_media=false ;;
        -h | --help) usage ;;
        -*) echo "$script: unknown option $1" >&2; usage ;;
        *) [ -z "$destination" ] || usage; destination="$1" ;;
    esac
    shift
done
destination="${destination:-backups}"

major_of() { sed -E 's/[^0-9]*([0-9]+).*/\1/'; }

if ! $compose_mode; then
    [ -n "${DATABASE_URL:-}" ] || fail "set DATABASE_URL (or use --compose)"
    database=$(libpq_url "$DATABASE_URL")
    command -v pg_dump >/dev/null || fail "pg_dump is not installed (Debian: apt-get install postgresql-client)"
    # pg_dump refuses a newer server itself; saying so first is clearer.
    if command -v psql >/dev/null; then
        server=$(psql "$database" --no-psqlrc --tuples-only --no-align --command "SHOW server_version" | major_of)
        client=$(pg_dump --version | major_of)
        [ "$client" -ge "$server" ] ||
            fail "pg_dump $client is older than the PostgreSQL $server server: install the client tools of version $server"
    fi
fi

mkdir -p "$destination"
name="vamos-$(date -u +%Y-%m-%dT%H%M%SZ)"
target="$destination/$name"
partial="$target.partial"
[ ! -e "$target" ] && [ ! -e "$partial" ] || fail "$target exists already"
mkdir "$partial"
trap 'rm -rf "$partial"' EXIT

if $compose_mode; then
    compose_defaults
    echo "Database $pg_db in the $db_service container → $partial/database.dump"
    $compose exec -T "$db_service" pg_dump --username="$pg_user" --format=custom --compress=6 "$pg_db" \
        >"$partial/database.dump"
    if $with_media; then
        echo "Media $media_path in the $web_service container → $partial/media.tar.gz"
        $compose exec -T "$web_service" tar -C "$media_path" -czf - . >"$partial/media.tar.gz"
    fi
else
    echo "Database → $partial/database.dump"
    pg_dump --format=custom --compress=6 --file="$partial/database.dump" "$database"
    if $with_media; then
        media_root=${MEDIA_ROOT:-var/media}
        echo "Media $media_root → $partial/media.tar.gz"
        if [ -d "$media_root" ]; then
            tar -C "$media_root" -czf "$partial/media.tar.gz" .
        else
            echo "backup.sh: $media_root does not exist; the media archive is empty" >&2
            tar -czf "$partial/media.tar.gz" --files-from=/dev/null
        fi
    fi
fi

[ -s "$partial/database.dump" ] || fail "the database dump is empty"
(cd "$partial" && sha256sum -- * >SHA256SUMS)
mv "$partial" "$target"
trap - EXIT
echo "Backup complete: $target"
