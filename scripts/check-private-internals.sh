#!/usr/bin/env bash
# Fails when application code reaches into a library's private internals: a private module or name imported
# from Django, DRF, psycopg, redis-py, Celery or kombu, or a private attribute of a client, cursor, connection or
# cache backend. Django's documented `_meta` API is public. Tests are exempt: a test may pin a library behaviour.
set -euo pipefail
cd "$(dirname "$0")/.."
libs='(django|rest_framework|psycopg|psycopg_pool|redis|celery|kombu|django_redis)'
found=$(git ls-files '*.py' | grep -v '^tests/' | xargs grep -nE \
    -e "^\s*from ${libs}(\.[a-z_]+)*\._[a-z]" \
    -e "^\s*from ${libs}(\.[a-z_]+)* import .*\b_[a-z][a-z_]*" \
    -e "^\s*import ${libs}(\.[a-z_]+)*\._[a-z]" \
    -e "\b(client|cursor|connection|conn|cache|backend|pool|server|redis)\._[a-z][a-z_]*\b" \
    -e "\bcursor\.cursor\s*=" \
    || true)
found=$(printf '%s\n' "$found" | grep -vE '\._meta\b|gettext_lazy as _|import gettext as _|^$' || true)
if [ -n "$found" ]; then
    echo "Private internals of a library used outside tests:" >&2
    printf '%s\n' "$found" >&2
    exit 1
fi
