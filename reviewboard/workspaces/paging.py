"""Pages of a long list without OFFSET: each page starts after the last row of the one before (keyset paging).

An OFFSET page reads and throws away every row before it, so page 1,000 of a 100,000-article queue
cost a second; a keyset page reads its own rows from the index, however deep it is.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet


@dataclass(frozen=True)
class KeysetPage:
    rows: list[Any]
    next_after: str | None  # the token of the next page, or None on the last one
    is_first: bool


def _token(row: Any) -> str:
    return f"{row.updated_at.isoformat()}~{row.pk}"


def _parse(token: str) -> tuple[datetime, int] | None:
    moment, _, pk = token.partition("~")
    try:
        return datetime.fromisoformat(moment), int(pk)
    except ValueError:
        return None


def keyset_page(queryset: QuerySet[Any], *, oldest_first: bool, after: str | None, size: int) -> KeysetPage:
    """Return the page of ``queryset`` (ordered by ``updated_at`` then ``pk``) that follows the row ``after`` names.

    A token that does not parse starts from the first page.
    """
    order = ("updated_at", "pk") if oldest_first else ("-updated_at", "-pk")
    rows = queryset.order_by(*order)
    position = _parse(after) if after else None
    if position is not None:
        moment, pk = position
        if oldest_first:
            rows = rows.filter(Q(updated_at__gt=moment) | Q(updated_at=moment, pk__gt=pk))
        else:
            rows = rows.filter(Q(updated_at__lt=moment) | Q(updated_at=moment, pk__lt=pk))
    found = list(rows[: size + 1])
    more = len(found) > size
    return KeysetPage(
        rows=found[:size], next_after=_token(found[size - 1]) if more else None, is_first=position is None
    )
