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


# On PostgreSQL: prepared on the connection, and a dropped connection replaced


@pytest.mark.postgres
def test_on_postgresql_the_compiled_query_is_prepared_on_its_connection(client, settings, article):
    from django.db import connection

    settings.READER_CACHE_SECONDS = 0
    published = factories.publish(article)
    for _ in range(3):
        assert client.get(f"/articles/{published.slug}/").status_code == 200

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = [statement for (statement,) in cursor.fetchall()]

    assert [statement for statement in prepared if "articles_storedpage" in statement]
    # Django's own queries bind on the client: none of them is prepared.
    assert not [statement for statement in prepared if "articles_storedpage" not in statement]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_dropped_connection_fails_with_djangos_error_and_the_query_answers_on_a_new_one(client, settings, article):
    from django.db import OperationalError

    from articles.reader_http import close_broken_connections
    from tests.faults.dropping import backend_pid, drop_connection

    settings.READER_CACHE_SECONDS = 0
    published = factories.publish(article)
    client.get(f"/articles/{published.slug}/")  # the page is stored
    case = {"slug": published.slug, "kind": "patient", "origin": "http://testserver", "fingerprint": fingerprint()}
    assert _STORED_PAGE.rows(**case)
    dropped = drop_connection()

    # Django's error, as from its own cursors: what config.errors answers, and a GET is then answered again.
    with pytest.raises(OperationalError):
        _STORED_PAGE.rows(**case)
    close_broken_connections()  # what the request that met it does (config.errors.database_unavailable)
    rows = _STORED_PAGE.rows(**case)

    assert rows and rows[0][0].startswith("<!doctype html>")
    assert backend_pid() != dropped
