"""Queries that every uncached reader page runs: built and compiled by the ORM once, run as SQL on every call.

Django builds and compiles a queryset to SQL each time it is evaluated; for the article page's two queries that
took about 1.5 ms of Python per request, more than the database took to answer them. A PreparedQuery keeps what
the ORM compiled, with the caller's values left as parameters, and sends it with new values on every call: the
database answers every call, only the compiling is done once. On PostgreSQL the statement is also prepared,
parsed and planned once per connection: planning the approvers' six-table join cost the database 0.5 ms a request,
ten times what running it costs.

Only a ``values_list()`` of fields (no annotations) is supported: rows come back as the ORM would return them,
with the fields' converters applied (JSON decoded, datetimes made aware on SQLite).
"""

import weakref
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet


@dataclass(frozen=True)
class CompiledQuery:
    sql: str
    params: tuple
    positions: dict[str, int]  # where each of the caller's values goes in ``params``
    column_count: int
    converters: dict  # column index -> (converter functions, expression), as SQLCompiler.get_converters


class PreparedQuery:
    """A ``values_list()`` queryset compiled once per database connection; ``rows()`` runs it with new values.

    ``build`` returns the queryset for the keyword values given to it; ``placeholders`` give, for each keyword, a
    value no real call uses, so that where it lands among the compiled query's parameters shows where the real
    value goes.
    """

    def __init__(self, build: Callable[..., QuerySet], *, using: str = DEFAULT_DB_ALIAS, **placeholders):
        self.build = build
        self.using = using
        self.placeholders = placeholders
        # Per connection object (one per thread), as converters are bound to a connection's operations.
        self._compiled: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()

    def rows(self, **values) -> list[tuple]:
        """Run the query with ``values`` in place of the placeholders and return its rows, converted."""
        connection = connections[self.using]
        compiled = self._compiled.get(connection)
        if compiled is None:
            compiled = self._compiled[connection] = self.compile(connection)
        params = list(compiled.params)
        for name, position in compiled.positions.items():
            params[position] = values[name]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.cursor.close()
                cursor.cursor = _server_binding_cursor(connection)
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        return [_converted(row[: compiled.column_count], compiled.converters, connection) for row in rows]

    def compile(self, connection) -> CompiledQuery:
        """Return the SQL and parameters of the queryset built with the placeholders, and where each value goes."""
        queryset = self.build(**self.placeholders)
        query = queryset.query
        if query.annotation_select or query.extra_select or not query.values_select:
            raise ValueError("a PreparedQuery runs a values_list() of fields, without annotations")
        compiler = query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        positions = {}
        for name, placeholder in self.placeholders.items():
            if list(params).count(placeholder) != 1:
                raise ValueError(f"placeholder {name}={placeholder!r} is not exactly one of the query's parameters")
            positions[name] = list(params).index(placeholder)
        columns = [column for column, _, _ in compiler.select[: compiler.col_count]]
        return CompiledQuery(
            sql=sql,
            params=tuple(params),
            positions=positions,
            column_count=compiler.col_count,
            converters=compiler.get_converters(columns),
        )


def _converted(row: tuple, converters: dict, connection) -> tuple:
    if not converters:
        return row
    values = list(row)
    for index, (functions, expression) in converters.items():
        for function in functions:
            values[index] = function(values[index], expression, connection)
    return tuple(values)


def _server_binding_cursor(connection):
    """Return a cursor that binds parameters on the server, so that psycopg prepares what it runs repeatedly.

    Django's PostgreSQL cursors bind parameters in the client, which psycopg never prepares; the connection's
    ``prepare_threshold`` (config.settings) decides when a server-binding cursor's statement is prepared. The
    cursor still goes inside Django's cursor wrapper: health check, error translation and query logging as ever.
    """
    from django.db.backends.postgresql.base import ServerBindingCursor  # needs psycopg: PostgreSQL only

    return ServerBindingCursor(connection.connection)
