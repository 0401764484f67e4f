"""A database connection ended by the server, as a restart or a failover ends it (PostgreSQL)."""

import psycopg
from django.db import connection


def backend_pid() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def drop_connection() -> int:
    """Have the server end this process's connection, as a restart would; return the ended backend's id."""
    pid = backend_pid()
    params = connection.get_connection_params()
    with psycopg.connect(
        dbname=params["dbname"],
        user=params.get("user"),
        host=params.get("host"),
        port=params.get("port"),
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])
    return pid
