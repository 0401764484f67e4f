"""The web process's own copies of cached reader pages (articles.local_pages): served without Redis, retired with it."""

import time

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_redis import get_redis_connection

from articles import local_pages
from articles.local_pages import LISTENER_SILENCE_SECONDS, LocalPages
from tests import factories
from tests.articles.test_cache import (  # noqa: F401  (the cache tests' autouse fixtures apply here too)
    Desk,
    _no_outbox_nudges,
    _reader_urls,
    url,
)

# The copies themselves


def test_a_copy_is_served_only_while_the_listener_has_heard_redis_lately(monkeypatch):
    pages = LocalPages()
    pages.put("k", "page", epoch=pages.epoch)
    assert pages.get("k") is None  # never subscribed: nothing is kept or served

    pages.heard()
    pages.put("k", "page", epoch=pages.epoch)
    assert pages.get("k") == "page"

    later = time.monotonic() + LISTENER_SILENCE_SECONDS + 1
    monkeypatch.setattr(local_pages.time, "monotonic", lambda: later)
    assert pages.get("k") is None  # silent too long: it may have missed a retirement


def test_a_copy_read_before_a_retirement_is_never_kept():
    pages = LocalPages()
    pages.heard()
    epoch = pages.epoch  # read before the page was read from Redis
    pages.forget_all()  # a retirement heard meanwhile

    pages.put("k", "old page", epoch=epoch)

    assert pages.get("k") is None


def test_a_lost_listener_drops_every_copy():
    pages = LocalPages()
    pages.heard()
    pages.put("k", "page", epoch=pages.epoch)

    pages.lost()
    pages.heard()  # subscribed again

    assert pages.get("k") is None


def test_the_copies_are_bounded_least_recently_used_first(settings):
    settings.READER_LOCAL_PAGES = 2
    pages = LocalPages()
    pages.heard()
    for key in ("a", "b"):
        pages.put(key, key, epoch=pages.epoch)
    pages.get("a")  # used: "b" is now the oldest
    pages.put("c", "c", epoch=pages.epoch)

    assert [pages.get(key) for key in ("a", "b", "c")] == ["a", None, "c"]


def test_zero_turns_the_copies_off(settings):
    settings.READER_LOCAL_PAGES = 0
    pages = LocalPages()
    pages.heard()
    pages.put("k", "page", epoch=pages.epoch)

    assert pages.get("k") is None


def test_without_redis_there_is_no_listener_and_no_copy(settings):
    if settings.REDIS_URL:
        pytest.skip("the embedded default's cache (local memory) only")
    assert not local_pages.available()
    assert local_pages.get("anything") is None
    assert not local_pages.listening()


# With Redis: the reader pages


def wait_until(condition, *, seconds=5.0):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.01)


@pytest.fixture
def listening():
    local_pages.get("start")  # the first use starts this process's listener
    wait_until(local_pages.listening)


def get_counting(client, path):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return response, len(queries.captured_queries)


def served_from_the_copy(client, article) -> bool:
    """Return whether the page is answered with Redis emptied behind the process's back, without a query."""
    get_redis_connection("default").flushdb()
    response, queries = get_counting(client, url(article))
    return response.status_code == 200 and queries == 0


@pytest.mark.redis
@pytest.mark.django_db
def test_a_page_read_from_redis_is_then_served_from_the_process_copy(client, article, listening):
    published = factories.publish(article)
    first = client.get(url(published))  # rendered, cached in Redis
    client.get(url(published))  # read from Redis: copied

    get_redis_connection("default").flushdb()
    again, queries = get_counting(client, url(published))

    assert queries == 0
    assert again.content == first.content


@pytest.mark.redis
@pytest.mark.django_db
def test_a_retirement_sent_by_another_process_drops_the_copies(client, article, listening):
    published = factories.publish(article)
    client.get(url(published))
    client.get(url(published))
    epoch = local_pages.epoch()

    # Another web process (another node) retired pages: its message, on a connection of its own.
    redis.Redis.from_url(settings.CACHES["default"]["LOCATION"]).publish(local_pages.CHANNEL, b"retired")
    wait_until(lambda: local_pages.epoch() != epoch)

    assert not served_from_the_copy(client, published)


@pytest.mark.redis
@pytest.mark.django_db
def test_an_approval_in_this_process_retires_its_copy_at_once(
    client, article, author, editor, board, django_capture_on_commit_callbacks, listening
):
    desk = Desk(author, editor, board)
    with django_capture_on_commit_callbacks(execute=True):
        desk.approve(article)
    client.get(url(article))
    client.get(url(article))
    with django_capture_on_commit_callbacks(execute=True):
        desk.new_draft(article, title="The second approved title")
        desk.approve(article)

    page = client.get(url(article)).content.decode()  # no wait for any message: this process retired it itself

    assert "The second approved title" in page


@pytest.mark.redis
@pytest.mark.django_db
def test_a_signed_in_reader_is_served_the_copy_with_their_own_links(client, article, listening, settings):
    settings.ROOT_URLCONF = "config.urls"
    published = factories.publish(article)
    client.get(url(published))
    client.get(url(published))
    member = type(client)()
    member.force_login(factories.AuthorFactory())
    get_redis_connection("default").flushdb()  # only the copy holds the page now; the session is in the database

    with CaptureQueriesContext(connection) as queries:
        page = member.get(url(published)).content.decode()

    assert len(queries.captured_queries) == 1  # the session
    assert "Your workspace" in page
    assert published.approved_revision.title in page
