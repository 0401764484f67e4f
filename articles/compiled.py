"""A reader query compiled to SQL once, then run with new values: the ORM's work done once, not on every request.

Building and compiling a queryset took the stored article page four times as long as the database took to answer
it. A CompiledRead keeps the SQL the ORM made for a ``values_list()`` queryset, with the caller's values as
parameters, and runs it through the connection's ordinary cursor. It uses public APIs only (``QuerySet.query``'s
``sql_with_params()``, ``router.db_for_read``, ``connection.cursor()``); what it leans on, that the SQL takes the
values as parameters in a stable order, is pinned by tests/articles/test_compiled.py. Only columns that need no
conversion (text, integers) may be selected: rows come back as the driver returns them.
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
        with connections[alias].cursor() as cursor:
            cursor.execute(compiled.sql, params)
            return cursor.fetchall()

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
