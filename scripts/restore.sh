#!/usr/bin/env bash
# Restore a dump made by backup.sh into the database at TARGET_URL, replacing what it holds:
# every table in the dump is dropped (if it exists) and re-created with the dump's rows.
#
#   scripts/restore.sh FILE TARGET_URL
#
# TARGET_URL is required (never taken from DATABASE_URL), so a restore is never aimed at the live
# database by accident. The target database must exist: createdb it first for a fresh one. The
# restore runs in one transaction: it either completes or leaves the target as it was.
# Afterwards run `manage.py migrate` with the new code if the dump came from an older release.
set -euo pipefail

if [ "$#" -ne 2 ]; then
    echo "usage: scripts/restore.sh FILE TARGET_URL   (TARGET_URL: postgres://user:password@host:port/name)" >&2
    exit 2
fi
dump="$1"
target="$2"
if [ ! -f "$dump" ]; then
    echo "restore.sh: no such dump file: $dump" >&2
    exit 2
fi
case "$target" in
    postgres://* | postgresql://* | pgsql://* | psql://*) ;;
    *)
        echo "restore.sh: TARGET_URL is not a PostgreSQL URL" >&2
        exit 2
        ;;
esac
target_url="postgresql://${target#*://}"

pg_restore --clean --if-exists --no-owner --no-privileges --single-transaction --exit-on-error \
    --dbname="$target_url" "$dump"
echo "restored $dump"
