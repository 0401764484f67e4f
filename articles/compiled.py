"""A reader query compiled to SQL once, then run with new values: the ORM's work done once, not on every request.

Building and compiling a queryset took the stored article page four times as long as the database took to answer
it. A CompiledRead keeps the SQL the ORM made for a ``values_list()`` queryset, with the caller's values as
parameters, and runs it with new values. Only columns that need no conversion (text, integers) may be selected: rows
come back as the driver returns them.

On PostgreSQL the database's own share is done once too: the query runs on a cursor that binds its values on the
server (psycopg's ``Cursor``, on the connection Django opened), so psycopg prepares it on the connection after
``prepare_threshold`` runs (config.settings) and PostgreSQL stops parsing and planning it on each request (the stored
page's query: 258 -> 114 us). Django's own cursors bind on the client and are never prepared, so nothing else
changes. The cursor is wrapped by Django as its own are (execute wrappers, error translation), so a connection the
database dropped fails the query with Django's OperationalError, which the request's error handling answers
(config.errors, config.middleware: a GET is answered again on a new connection). While Django logs
queries (DEBUG, a test counting them) the ordinary cursor runs it, as psycopg keeps no SQL of a prepared statement
for Django to show. Public APIs only (``QuerySet.query``'s ``sql_with_params()``, ``router.db_for_read``,
``connection.connection``, ``make_cursor``, psycopg's ``Cursor``); what they lean on (the values as parameters in a
stable order, the statement prepared, a dropped connection's error translated) is pinned by
tests/articles/test_compiled.py.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import connections, router
from django.db.models import Model, QuerySet


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    positions: dict[str, int]


class CompiledRead:
    """A ``values_list()`` queryset compiled once per database alias; ``rows()`` runs it with new values.

    ``build`` returns the queryset for the keyword values given to it; each of ``placeholders`` is a value no real
    call uses, so where it lands among the compiled parameters shows where the real value goes.
    """

    def __init__(self, build: Callable[..., QuerySet], **placeholders: object):
        self.build = build
        self.placeholders = placeholders
        self._model: type[Model] | None = None  # built on first use: the apps may not be ready at import
        self._compiled: dict[str, _Compiled] = {}

    def rows(self, **values) -> list[tuple]:
        """Run the query with ``values`` on the database the routers choose for reading its model."""
        if self._model is None:
            self._model = self.build(**self.placeholders).model
        alias = router.db_for_read(self._model)
        compiled = self._compiled.get(alias)
        if compiled is None:
            compiled = self._compiled[alias] = self.compile(alias)
        params = list(compiled.params)
        for name, position in compiled.positions.items():
            params[position] = values[name]
        connection = connections[alias]
        # While Django logs queries (DEBUG, a test counting them), the ordinary cursor: a prepared statement's SQL
        # is not kept by psycopg, so Django could not show it.
        if connection.vendor != "postgresql" or connection.queries_logged:
            with connection.cursor() as cursor:
                cursor.execute(compiled.sql, params)
                return cursor.fetchall()
        return _run_prepared(connection, compiled.sql, params)

    def compile(self, alias: str) -> _Compiled:
        """Return the SQL of the queryset built with the placeholders, for ``alias``, and where each value goes."""
        queryset = self.build(**self.placeholders).using(alias)
        sql, params = queryset.query.sql_with_params()
        params = tuple(params)
        positions = {}
        for name, placeholder in self.placeholders.items():
            if params.count(placeholder) != 1:
                raise ValueError(f"placeholder {name}={placeholder!r} is not exactly one of the query's parameters")
            positions[name] = params.index(placeholder)
        return _Compiled(sql=sql, params=params, positions=positions)


def _run_prepared(connection, sql: str, params: list) -> list[tuple]:
    """Run ``sql`` on a cursor of ``connection`` (PostgreSQL) that binds on the server, wrapped as Django wraps its
    own, and return its rows."""
    import psycopg

    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor = psycopg.Cursor(connection.connection)
    with connection.make_cursor(cursor) as wrapped:
        wrapped.execute(sql, params)
        return wrapped.fetchall()
