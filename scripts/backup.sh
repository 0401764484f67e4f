#!/usr/bin/env bash
# Back up the database named by DATABASE_URL with pg_dump's custom format (compressed, restorable
# table by table with pg_restore). The dump is one consistent snapshot; the site keeps serving.
#
#   DATABASE_URL=postgres://user:pw@host:5432/editorial scripts/backup.sh [FILE]
#
# FILE defaults to backups/editorial-<UTC timestamp>.dump. The dump is written beside FILE first
# and renamed when complete, so FILE never holds half a backup. Prints FILE's path when done.
set -euo pipefail

if [ -z "${DATABASE_URL:-}" ]; then
    echo "backup.sh: DATABASE_URL is not set (postgres://user:password@host:port/name)" >&2
    exit 2
fi
case "$DATABASE_URL" in
    postgres://* | postgresql://* | pgsql://* | psql://*) ;;
    *)
        echo "backup.sh: DATABASE_URL is not a PostgreSQL URL; pg_dump backs up PostgreSQL only" >&2
        exit 2
        ;;
esac
# libpq reads postgresql:// URLs; django-environ also accepts the pgsql:// and psql:// spellings.
source_url="postgresql://${DATABASE_URL#*://}"

out="${1:-backups/editorial-$(date -u +%Y%m%dT%H%M%SZ).dump}"
mkdir -p "$(dirname "$out")"
partial="${out}.partial"
trap 'rm -f "$partial"' EXIT

pg_dump --format=custom --no-owner --no-privileges --file="$partial" --dbname="$source_url"
mv "$partial" "$out"
trap - EXIT
echo "$out"
