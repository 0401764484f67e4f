"""Contract tests: what articles.compiled leans on in Django's ORM, on SQLite and PostgreSQL alike."""

import pytest

from articles.compiled import CompiledRead
from articles.fingerprint import fingerprint
from articles.models import StoredPage
from articles.selectors import _STORED_PAGE, _current_stored_pages, stored_page
from tests import factories

pytestmark = pytest.mark.django_db


def orm_rows(**values):
    return list(_STORED_PAGE.build(**values))


def test_the_compiled_query_answers_as_the_orm_for_every_value(client, settings, article):
    settings.READER_CACHE_SECONDS = 0
    published = factories.publish(article)
    client.get(f"/articles/{published.slug}/")
    client.get(f"/articles/{published.slug}/", {"audience": "professional"})
    cases = [
        {"slug": published.slug, "kind": kind, "origin": origin, "fingerprint": print_}
        for kind in ("patient", "professional", "card")
        for origin in ("http://testserver", "http://elsewhere")
        for print_ in (fingerprint(), "other")
    ]

    answers = [(_STORED_PAGE.rows(**case), orm_rows(**case)) for case in cases]

    assert all(compiled == orm for compiled, orm in answers)
    assert sum(1 for compiled, _ in answers if compiled) == 2  # each audience's page, at its origin and fingerprint
    assert stored_page(**cases[0]) == tuple(StoredPage.objects.values_list("html", "etag", "last_modified")[:1][0])


def test_the_sql_takes_each_value_once_as_a_parameter():
    query = CompiledRead(
        lambda slug, kind: (
            _current_stored_pages(fingerprint="f").filter(article__slug=slug, kind=kind).values_list("html")
        ),
        slug="\x00slug",
        kind="\x00kind",
    )

    compiled = query.compile("default")

    assert "\x00" not in compiled.sql
    assert {compiled.params[position] for position in compiled.positions.values()} == {"\x00slug", "\x00kind"}


def test_a_placeholder_the_query_does_not_take_once_is_refused():
    query = CompiledRead(
        lambda slug: StoredPage.objects.filter(article__slug=slug, origin=slug).values_list("html"), slug="\x00s"
    )

    with pytest.raises(ValueError, match="exactly one"):
        query.compile("default")
