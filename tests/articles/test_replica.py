"""The read replica's router: which requests read it, and the watermark that keeps it from serving anything stale.

The "replica" here is a second connection to the test database (a mirror), so these tests check where each read
goes and what the watermark holds; tests/cluster/ checks the same rule against a real streaming replica that lags.
"""

import contextlib
import logging
from copy import deepcopy

import pytest
from django.conf import settings as django_settings
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test.utils import CaptureQueriesContext

from articles import replica
from reviewboard import events, services
from tests import factories

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, replica.REPLICA]),
]


@pytest.fixture(scope="module", autouse=True)
def replica_alias(django_db_setup, django_db_blocker):
    """Configure the "replica" alias as a second connection to the test database, for this module only."""
    if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
        yield
        return
    settings_dict = deepcopy(connections[DEFAULT_DB_ALIAS].settings_dict)
    settings_dict["TEST"] = {**settings_dict["TEST"], "MIRROR": DEFAULT_DB_ALIAS}
    django_settings.DATABASES[replica.REPLICA] = settings_dict  # the dict Django's connection handler reads
    yield
    with django_db_blocker.unblock():
        connections[replica.REPLICA].close()
    del connections[replica.REPLICA]
    del django_settings.DATABASES[replica.REPLICA]


@pytest.fixture(autouse=True)
def _router(settings, monkeypatch):
    settings.DATABASE_ROUTERS = ["articles.replica.ReaderReplicaRouter"]
    settings.REPLICA_WATERMARK_URL = settings.CACHES["default"]["LOCATION"]
    monkeypatch.setattr(events, "nudge_relay", lambda: None)  # no worker here
    monkeypatch.setattr(replica._state, "unreachable_until", 0.0)


@pytest.fixture
def published(article):
    with transaction.atomic():
        return factories.publish(article)


def _reads(client, path, *, aliases=(DEFAULT_DB_ALIAS, replica.REPLICA), **extra):
    """Return the response and the SQL each database ran for it, as {alias: [sql]}."""
    with contextlib.ExitStack() as stack:
        captured = {alias: stack.enter_context(CaptureQueriesContext(connections[alias])) for alias in aliases}
        response = client.get(path, **extra)
    return response, {alias: [query["sql"] for query in queries] for alias, queries in captured.items()}


def _read_articles(sql: list[str]) -> bool:
    return any('FROM "articles_article"' in statement for statement in sql)


def _watermark() -> int:
    value = replica._redis().get(replica.WATERMARK_KEY)
    return int(value, 16) if value is not None else -1


def test_an_anonymous_reader_reads_the_article_page_from_a_replica_that_is_current(client, published):
    response, sql = _reads(client, published.get_absolute_url())

    assert response.status_code == 200
    assert published.approved_revision.title in response.content.decode()
    assert _read_articles(sql[replica.REPLICA])
    assert not _read_articles(sql[DEFAULT_DB_ALIAS])


@pytest.mark.parametrize(
    "path",
    ["/articles/", "/articles/?q=myoclonus", "/articles/feed/", "/sitemap.xml", "/api/v1/articles/", "ARTICLE_API"],
)
def test_the_other_reader_views_read_the_replica_too(client, published, path):
    path = f"/api/v1/articles/{published.slug}/" if path == "ARTICLE_API" else path

    response, sql = _reads(client, path)

    assert response.status_code == 200
    assert _read_articles(sql[replica.REPLICA])
    assert not _read_articles(sql[DEFAULT_DB_ALIAS])


def test_a_replica_behind_the_watermark_is_not_read(client, published):
    # As right after an approval the replica has not replayed yet: the mark is past the replica's position.
    position = replica.primary_position()
    replica._raise_script()(keys=[replica.WATERMARK_KEY], args=[replica._encoded(position + 10**9)])

    response, sql = _reads(client, published.get_absolute_url())

    assert response.status_code == 200
    assert published.approved_revision.title in response.content.decode()
    assert _read_articles(sql[DEFAULT_DB_ALIAS])
    assert not _read_articles(sql[replica.REPLICA])
    assert sql[replica.REPLICA] == [replica._REPLAYED_POSITION]  # it was asked how far it is, and nothing else


def test_signed_in_people_read_the_primary_even_on_reader_pages(client, published, author):
    client.force_login(author)

    response, sql = _reads(client, published.get_absolute_url())

    assert response.status_code == 200
    assert sql[replica.REPLICA] == []
    assert _read_articles(sql[DEFAULT_DB_ALIAS])


def test_api_clients_with_credentials_read_the_primary(client, published):
    response, sql = _reads(client, f"/api/v1/articles/{published.slug}/", HTTP_AUTHORIZATION="Token not-a-real-one")

    assert response.status_code == 401
    assert sql[replica.REPLICA] == []
    assert sql[DEFAULT_DB_ALIAS]  # the credentials were looked up on the primary


def test_views_not_marked_for_readers_read_the_primary(client, published):
    # The follow-up form is a reader's page, but the reader is about to write: it is not marked.
    response, sql = _reads(client, f"/articles/{published.slug}/follow-up/")

    assert response.status_code == 200
    assert sql[replica.REPLICA] == []


def test_reads_inside_a_transaction_on_the_primary_stay_there(client, published):
    with transaction.atomic():
        response, sql = _reads(client, published.get_absolute_url())

    assert response.status_code == 200
    assert sql[replica.REPLICA] == []


def test_an_approval_raises_the_watermark_past_its_commit(author, editor, board, article):
    services.article_submit(article=article, actor=author)
    assignments = [
        services.assignment_accept(
            assignment=services.assignment_create(article=article, board_member=member, actor=editor),
            actor=member.user,
        )
        for member in board[:2]
    ]
    services.review_submit(assignment=assignments[0], actor=board[0].user, decision="approve")
    after_commit = []
    with transaction.atomic():
        # Registered before the services' callbacks, so it runs first once the approval has committed.
        transaction.on_commit(lambda: after_commit.append(replica.primary_position()))
        services.review_submit(assignment=assignments[1], actor=board[1].user, decision="approve")
    article.refresh_from_db()

    assert article.state == "approved"
    # A mark read inside the transaction would lie before the commit's WAL record, and so before after_commit.
    assert _watermark() >= after_commit[0]


def test_the_watermark_is_never_lowered(published):
    high = replica.primary_position() + 10**9
    replica._raise_script()(keys=[replica.WATERMARK_KEY], args=[replica._encoded(high)])

    replica.advance_watermark()

    assert _watermark() == high


def test_a_lost_watermark_starts_again_at_the_primary_position(published):
    replica._redis().delete(replica.WATERMARK_KEY)
    before = replica.primary_position()

    assert replica.replica_is_current()
    assert _watermark() >= before


def test_an_unreachable_replica_sends_readers_to_the_primary_for_a_while(client, published, caplog, settings):
    settings.REPLICA_RETRY_SECONDS = 60
    replica_settings = connections[replica.REPLICA].settings_dict
    connections[replica.REPLICA].close()
    port = replica_settings.get("PORT")
    replica_settings["PORT"] = "1"  # nothing listens there
    try:
        with caplog.at_level(logging.WARNING, logger="articles.replica"):
            # Only the primary is watched: watching the replica would connect to it.
            first, sql = _reads(client, published.get_absolute_url(), aliases=[DEFAULT_DB_ALIAS])
            second, _ = _reads(client, "/articles/", aliases=[DEFAULT_DB_ALIAS])
    finally:
        replica_settings["PORT"] = port
        connections[replica.REPLICA].close()

    assert first.status_code == 200 and second.status_code == 200
    assert _read_articles(sql[DEFAULT_DB_ALIAS])
    # Asked once, then left alone for REPLICA_RETRY_SECONDS rather than a connection attempt per request.
    assert [r.getMessage() for r in caplog.records].count("replica unreachable; reading the primary") == 1
