#!/usr/bin/env bash
# Restores a backup made by scripts/backup.sh: the database into an EMPTY PostgreSQL database, the media
# files into the media folder.
#
#   scripts/restore.sh [--compose] [--force] [--no-media] BACKUP_FOLDER
#
# Stop web, worker and beat first (docker compose stop web worker beat), so nothing writes meanwhile.
# The database must be empty (freshly created): restore.sh refuses one that holds tables, and a media folder
# that holds files, unless --force is given, which drops the objects the dump contains before recreating
# them (pg_restore --clean) and writes the files over the existing ones.
# The restore runs in one transaction: it succeeds whole or changes nothing.
#
# Directly (PostgreSQL client tools at least as new as the server that made the dump):
#   createdb --owner=vamos vamos_restored
#   DATABASE_URL=postgres://vamos:…@db.internal:5432/vamos_restored MEDIA_ROOT=/srv/vamos/media \
#       scripts/restore.sh /srv/backups/vamos-2026-11-30T020000Z
# The docker-compose deployment (beside docker-compose.yml; the db service running):
#   scripts/restore.sh --compose /srv/backups/vamos-2026-11-30T020000Z
#   Runs pg_restore in the db container (`docker compose exec`) and unpacks the media with a one-off web
#   container (`docker compose run`), so web may be stopped. Same overrides as backup.sh: COMPOSE, DB_SERVICE,
#   WEB_SERVICE, POSTGRES_USER, POSTGRES_DB, MEDIA_PATH.
# See docs/operations.md, "Backups".
set -euo pipefail
script=restore.sh
# shellcheck source=scripts/_backup_common.sh
source "$(dirname "$0")/_backup_common.sh"

compose_mode=false
force=false
with_media=true
backup=""
while [ $# -gt 0 ]; do
    case "$1" in
        --compose) compose_mode=true ;;
        --force) force=true ;;
        --no-media) with_media=false ;;
        -h | --help) usage ;;
        -*) echo "$script: unknown option $1" >&2; usage ;;
        *) [ -z "$backup" ] || usage; backup="$1" ;;
    esac
    shift
done
[ -n "$backup" ] || usage

[ -f "$backup/database.dump" ] || fail "$backup has no database.dump (is it a folder made by backup.sh?)"
if $with_media && [ ! -f "$backup/media.tar.gz" ]; then
    fail "$backup has no media.tar.gz (made with --no-media? then restore with --no-media too)"
fi
if [ -f "$backup/SHA256SUMS" ]; then
    (cd "$backup" && sha256sum --check --quiet SHA256SUMS) || fail "$backup is damaged: its checksums do not match"
fi

# Tables, views and sequences outside PostgreSQL's own schemas: none in a freshly created database.
COUNT_OBJECTS="SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_%'"
restore_options=(--no-owner --no-privileges --exit-on-error --single-transaction)

if $compose_mode; then
    compose_defaults
    objects=$($compose exec -T "$db_service" psql --username="$pg_user" --dbname="$pg_db" --no-psqlrc \
        --tuples-only --no-align --command "$COUNT_OBJECTS")
    media_files=0
    if $with_media; then
        media_files=$($compose run --rm --no-deps -T "$web_service" \
            sh -c "find '$media_path' -mindepth 1 -maxdepth 1 | wc -l")
    fi
else
    [ -n "${DATABASE_URL:-}" ] || fail "set DATABASE_URL (or use --compose)"
    database=$(libpq_url "$DATABASE_URL")
    command -v pg_restore >/dev/null || fail "pg_restore is not installed (Debian: apt-get install postgresql-client)"
    objects=$(psql "$database" --no-psqlrc --tuples-only --no-align --command "$COUNT_OBJECTS")
    media_root=${MEDIA_ROOT:-var/media}
    media_files=0
    if $with_media && [ -d "$media_root" ]; then
        media_files=$(find "$media_root" -mindepth 1 -maxdepth 1 | wc -l)
    fi
fi

objects=$(echo "$objects" | tr -d '[:space:]')
media_files=$(echo "$media_files" | tr -d '[:space:]')
if ! $force; then
    [ "$objects" = "0" ] || fail "the database is not empty ($objects tables, views or sequences). Restore into a
new, empty database, or pass --force to replace what the dump contains."
    [ "$media_files" = "0" ] || fail "the media folder is not empty ($media_files entries). Restore into an empty
folder, or pass --force to write over it."
else
    restore_options+=(--clean --if-exists)
fi

if $compose_mode; then
    echo "Database → $pg_db in the $db_service container"
    $compose exec -T "$db_service" pg_restore --username="$pg_user" --dbname="$pg_db" "${restore_options[@]}" \
        <"$backup/database.dump"
    if $with_media; then
        echo "Media → $media_path (one-off $web_service container)"
        $compose run --rm --no-deps -T "$web_service" tar -C "$media_path" -xzf - <"$backup/media.tar.gz"
    fi
else
    echo "Database → $(printf '%s' "$database" | sed -E 's#//([^:@/]*):[^@]*@#//\1:***@#')"
    pg_restore --dbname="$database" "${restore_options[@]}" "$backup/database.dump"
    if $with_media; then
        echo "Media → $media_root"
        mkdir -p "$media_root"
        tar -C "$media_root" -xzf "$backup/media.tar.gz"
    fi
fi
echo "Restore complete from $backup"
