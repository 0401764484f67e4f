"""The reader pages' cache: hits without SQL, invalidation after commit, conditional GET, and an outage."""

import contextlib
import datetime
import re
import socket
import threading
import time

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.db import OperationalError, connection
from django.test.utils import CaptureQueriesContext
from django.utils.http import http_date

from articles import cache as reader_cache
from articles.services import RevisionContent, revision_create
from reviewboard import events, services
from tests import factories

APPROVED_AT = datetime.datetime(2025, 6, 18, 9, 30, tzinfo=datetime.UTC)
DRAFT_TITLE = "Unapproved draft: what causes tremor?"


@pytest.fixture(autouse=True)
def _reader_urls(settings):
    settings.ROOT_URLCONF = "articles.urls"


@pytest.fixture(autouse=True)
def _no_outbox_nudges(monkeypatch):
    # The services' outbox nudges a Celery worker after commit; these tests run the commits, not a worker.
    monkeypatch.setattr(events, "nudge_relay", lambda: None)


def publish(article, *, when=APPROVED_AT):
    return factories.publish(article, when=when)


@pytest.fixture
def published(article):
    return publish(article)


class Desk:
    """Drives an article through the real services, as editors and the board would."""

    def __init__(self, author, editor, board):
        self.author, self.editor, self.board = author, editor, board

    def approve(self, article):
        services.article_submit(article=article, actor=self.author)
        for member in self.board[:2]:
            assignment = services.assignment_create(article=article, board_member=member, actor=self.editor)
            services.assignment_accept(assignment=assignment, actor=member.user)
            services.review_submit(assignment=assignment, actor=member.user, decision="approve")
        article.refresh_from_db()
        return article

    def new_draft(self, article, *, title=DRAFT_TITLE):
        services.article_revise(article=article, actor=self.author)
        revision_create(
            article=article,
            actor=self.author,
            content=RevisionContent(
                title=title,
                summary_patient="Draft words.",
                summary_professional="Draft clinical words.",
                sections=[{"heading": "From the Research", "body": "Draft evidence [1]."}],
                references=[{"kind": "research", "title": "A draft study", "source": "The Journal", "year": 2025}],
            ),
        )
        article.refresh_from_db()
        return article

    def under_review(self, article):
        services.article_submit(article=article, actor=self.author)
        for member in self.board[:2]:
            assignment = services.assignment_create(article=article, board_member=member, actor=self.editor)
            services.assignment_accept(assignment=assignment, actor=member.user)
        article.refresh_from_db()
        return article


@pytest.fixture
def desk(author, editor, board):
    return Desk(author, editor, board)


@pytest.fixture
def approved(article, desk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return desk.approve(article)


def url(article):
    return f"/articles/{article.slug}/"


def get_counting(client, path, **extra):
    """Return the response and the number of SQL queries it ran."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, **extra)
    return response, len(queries.captured_queries)


def shown_summary(response):
    """Return the summary in the wording the page shows (the page holds both; site.css shows its data-audience's)."""
    html = response.content.decode()
    audience = re.search(r'<article [^>]*data-audience="(\w+)"', html).group(1)
    summary = re.search(r'<section class="summary".*?</section>', html, re.S).group(0)
    return re.search(rf'<div class="for-audience" data-for="{audience}">(.*?)</div>', summary, re.S).group(1)


# Hits and misses


@pytest.mark.django_db
def test_second_read_is_served_from_the_cache_with_identical_html_and_no_queries(
    client, published, django_assert_num_queries
):
    first, first_queries = get_counting(client, url(published))
    with django_assert_num_queries(0):
        second = client.get(url(published))

    assert first_queries > 0
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.content == first.content
    assert published.approved_revision.title in second.content.decode()
    assert second["ETag"] == first["ETag"]


@pytest.mark.django_db
def test_anonymous_page_is_public_varies_on_cookie_and_carries_validators(client, published):
    for response in (client.get(url(published)), client.get(url(published))):
        assert response["Cache-Control"] == (
            "public, max-age=60, s-maxage=300, stale-while-revalidate=60, stale-if-error=86400"
        )
        assert response["Surrogate-Key"] == f"article-{published.slug}"
        assert "Cookie" in response["Vary"]
        assert response["ETag"].startswith('"')
        assert response["Last-Modified"] == http_date(APPROVED_AT.timestamp())


@pytest.mark.django_db
def test_cached_article_page_holds_nothing_of_one_reader(client, published):
    for response in (client.get(url(published)), client.get(url(published))):
        html = response.content.decode()
        assert "csrfmiddlewaretoken" not in html
        assert django_settings.CSRF_COOKIE_NAME not in response.cookies
        assert django_settings.SESSION_COOKIE_NAME not in response.cookies
        assert 'class="messages"' not in html


@pytest.mark.django_db
def test_each_audience_has_its_own_cached_page(client, published, django_assert_num_queries):
    revision = published.approved_revision
    client.get(url(published), {"audience": "professional"})
    client.get(url(published), {"audience": "patient"})

    with django_assert_num_queries(0):
        professional = shown_summary(client.get(url(published), HTTP_COOKIE="audience=professional"))
        patient = shown_summary(client.get(url(published), HTTP_COOKIE="audience=patient"))

    assert revision.summary_professional in professional
    assert revision.summary_patient not in professional
    assert revision.summary_patient in patient
    assert revision.summary_professional not in patient


@pytest.mark.django_db
def test_audience_chosen_from_a_cached_page_still_sets_the_cookie_and_is_private(client, published):
    client.get(url(published), {"audience": "professional"})

    response, queries = get_counting(client, url(published), data={"audience": "professional"})

    assert queries == 0
    assert response.cookies["audience"].value == "professional"
    assert "private" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


@pytest.mark.django_db
def test_signed_in_reader_gets_the_cached_page_with_their_own_account_links(client, published, author, settings):
    settings.ROOT_URLCONF = "config.urls"  # the sign-in and the workspaces
    client.get(url(published))  # an anonymous reader fills the cache

    signed_in = factories.AuthorFactory()
    member = type(client)()
    member.force_login(signed_in)
    with CaptureQueriesContext(connection) as queries:
        own = member.get(url(published))
    anonymous, anonymous_queries = get_counting(client, url(published))

    # The session, for the account links (the person it names is not loaded); the page comes from the cache.
    assert len(queries.captured_queries) == 1
    assert not [query for query in queries.captured_queries if "articles_" in query["sql"]]
    assert "Your workspace" in own.content.decode()
    assert "Sign in" not in own.content.decode()
    assert published.approved_revision.title in own.content.decode()
    assert own["Cache-Control"] == "private, no-cache"
    assert not own.has_header("ETag")
    # The signed-in answer did not change the cached page.
    assert anonymous_queries == 0
    assert "Your workspace" not in anonymous.content.decode()
    assert "Sign in" in anonymous.content.decode()


@pytest.mark.django_db
def test_a_signed_in_reader_fills_the_cache_with_the_anonymous_page(client, published, settings):
    settings.ROOT_URLCONF = "config.urls"
    member = type(client)()
    member.force_login(factories.AuthorFactory())
    member.get(url(published))  # first: rendered for an anonymous reader, cached, then given the account links

    anonymous, queries = get_counting(client, url(published))

    assert queries == 0
    assert "Your workspace" not in anonymous.content.decode()
    assert "Sign in" in anonymous.content.decode()


@pytest.mark.django_db
def test_a_page_cached_for_one_host_is_not_served_to_another(client, published):
    client.get(url(published))

    response, queries = get_counting(client, url(published), HTTP_HOST="localhost")

    assert queries > 0
    assert f'<link rel="canonical" href="http://localhost/articles/{published.slug}/">' in response.content.decode()


@pytest.mark.django_db
def test_zero_cache_seconds_turns_the_cache_off(client, published, settings):
    settings.READER_CACHE_SECONDS = 0
    client.get(url(published))

    response, queries = get_counting(client, url(published))

    assert queries > 0
    assert response["Cache-Control"] == (
        "public, max-age=60, s-maxage=60, stale-while-revalidate=60, stale-if-error=86400"
    )


@pytest.mark.django_db
def test_unreachable_cache_falls_back_to_the_database(client, published, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "get_many", down)
    monkeypatch.setattr(reader_cache, "_get_many", down)  # the lookups' own read on Redis
    monkeypatch.setattr(cache, "set", down)

    response = client.get(url(published))

    assert response.status_code == 200
    assert published.approved_revision.title in response.content.decode()


@pytest.mark.redis
def test_lookups_on_redis_read_what_the_cache_holds():
    cache.set("reader:test:a", {"html": "<p>a</p>"}, timeout=60)
    cache.set("reader:test:b", 7, timeout=60)

    found = reader_cache._get_many(["reader:test:a", "reader:test:b", "reader:test:missing"])

    assert found == {"reader:test:a": {"html": "<p>a</p>"}, "reader:test:b": 7}


# Conditional GET


@pytest.mark.django_db
def test_matching_etag_answers_304_without_queries(client, published, django_assert_num_queries):
    etag = client.get(url(published))["ETag"]

    with django_assert_num_queries(0):
        response = client.get(url(published), HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag


@pytest.mark.django_db
def test_if_modified_since_answers_304_until_a_newer_approval(client, published):
    last_modified = client.get(url(published))["Last-Modified"]
    earlier = http_date((APPROVED_AT - datetime.timedelta(days=1)).timestamp())

    assert client.get(url(published), HTTP_IF_MODIFIED_SINCE=last_modified).status_code == 304
    assert client.get(url(published), HTTP_IF_MODIFIED_SINCE=earlier).status_code == 200


@pytest.mark.django_db
def test_other_audience_does_not_match_the_etag(client, published):
    etag = client.get(url(published))["ETag"]

    response = client.get(url(published), {"audience": "professional"}, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 200
    assert response["ETag"] != etag


@pytest.mark.django_db
def test_list_answers_304_to_its_etag_from_the_cache(client, published, django_assert_num_queries):
    etag = client.get("/articles/")["ETag"]

    with django_assert_num_queries(0):
        response = client.get("/articles/", HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304


# The list


@pytest.mark.django_db
def test_list_and_search_pages_are_cached_with_the_query_normalised(client, published, django_assert_num_queries):
    title = published.approved_revision.title
    first = client.get("/articles/", {"q": "causes symptom"})
    client.get("/articles/")

    with django_assert_num_queries(0):
        again = client.get("/articles/", {"q": "  causes   symptom "})
        listing = client.get("/articles/")

    assert again.content == first.content
    assert title in again.content.decode()
    assert title in listing.content.decode()


@pytest.mark.django_db
def test_one_generation_bump_retires_every_cached_list_page(client, published, neurology):
    client.get("/articles/")
    client.get("/articles/", {"q": "symptom"})
    newcomer = publish(factories.ArticleFactory(specialty=neurology))

    reader_cache.invalidate_articles(slugs=[newcomer.slug])
    listing, list_queries = get_counting(client, "/articles/")
    search, search_queries = get_counting(client, "/articles/", data={"q": "symptom"})

    assert list_queries > 0 and search_queries > 0
    assert newcomer.approved_revision.title in listing.content.decode()
    assert newcomer.approved_revision.title in search.content.decode()


@pytest.mark.django_db
def test_render_that_raced_an_invalidation_is_never_served(published):
    slot = reader_cache.article_slot(slug=published.slug, audience="patient")
    generation = reader_cache.lookup(slot, origin="http://testserver").generation
    reader_cache.invalidate_articles(slugs=[published.slug])  # commits while the stale render runs
    stale = reader_cache.CachedPage(
        html="stale", etag='"x"', last_modified=0, origin="http://testserver", generation=generation
    )
    reader_cache.store(slot, stale)

    found = reader_cache.lookup(slot, origin="http://testserver")

    assert (found.fresh, found.stale) == (None, None)


# Invalidation after commit, through the real services


@pytest.mark.django_db
def test_a_new_approval_replaces_the_cached_page_and_list(client, approved, desk, django_capture_on_commit_callbacks):
    old_title = approved.approved_revision.title
    client.get(url(approved))
    client.get("/articles/")

    with django_capture_on_commit_callbacks(execute=True):
        desk.new_draft(approved, title="What causes myoclonus, revised?")
        desk.approve(approved)
    page = client.get(url(approved)).content.decode()
    listing = client.get("/articles/").content.decode()

    assert "What causes myoclonus, revised?" in page and old_title not in page
    assert "What causes myoclonus, revised?" in listing and old_title not in listing


@pytest.mark.django_db
def test_a_revision_under_review_never_reaches_a_reader(client, approved, desk, django_capture_on_commit_callbacks):
    approved_title = approved.approved_revision.title
    client.get(url(approved))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        desk.new_draft(approved)
        desk.under_review(approved)
    page, queries = get_counting(client, url(approved))
    listing = client.get("/articles/", {"q": "tremor"}).content.decode()

    assert callbacks  # the revise and the submission retired the cached page ...
    assert queries > 0  # ... so this is a fresh render, and it still shows only the approved text
    assert approved_title in page.content.decode()
    assert DRAFT_TITLE not in page.content.decode()
    assert DRAFT_TITLE not in listing


@pytest.mark.django_db
def test_retraction_stops_the_cached_page_once_it_commits(client, approved, editor, django_capture_on_commit_callbacks):
    title = approved.approved_revision.title
    summary = approved.approved_revision.summary_patient
    client.get(url(approved))
    client.get("/articles/")

    with django_capture_on_commit_callbacks(execute=True):
        services.article_retract(article=approved, actor=editor, reason="New evidence.")
        # Not committed yet: readers are still served what was approved until the commit.
        assert client.get(url(approved)).status_code == 200
    gone = client.get(url(approved))
    listing = client.get("/articles/").content.decode()

    assert gone.status_code == 410
    assert summary not in gone.content.decode()  # the notice names the article, never shows its text
    assert "New evidence." in gone.content.decode()
    assert title not in listing


@pytest.mark.django_db
def test_reopen_and_revise_retire_the_cached_pages(client, approved, editor, desk, django_capture_on_commit_callbacks):
    client.get(url(approved))
    with django_capture_on_commit_callbacks(execute=True):
        services.article_revise(article=approved, actor=editor)
    _, after_revise = get_counting(client, url(approved))

    with django_capture_on_commit_callbacks(execute=True):
        services.article_submit(article=approved, actor=desk.author)
        services.article_reject(article=approved, actor=editor, reason="Not needed.")
    client.get("/articles/")
    with django_capture_on_commit_callbacks(execute=True):
        services.article_reopen(article=approved, actor=editor, reason="Needed after all.")
    _, after_reopen = get_counting(client, "/articles/")

    assert after_revise > 0
    assert after_reopen > 0


@pytest.mark.django_db
def test_any_door_that_saves_the_article_invalidates_and_an_unchanged_save_does_not(
    client, published, django_capture_on_commit_callbacks
):
    client.get(url(published))

    with django_capture_on_commit_callbacks(execute=True):
        published.save()  # nothing a reader sees changed
    _, unchanged = get_counting(client, url(published))
    with django_capture_on_commit_callbacks(execute=True):
        published.retract()  # as the admin's bulk action would, without the services
        published.save()
    gone = client.get(url(published))

    assert unchanged == 0
    assert gone.status_code == 410


@pytest.mark.django_db
def test_invalidation_waits_for_the_commit(published, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        published.retract()
        published.save()

    # the reader cache's generations, the stored pages, and the pruning of older stored search results (articles.stored)
    assert len(callbacks) == 3


# The database unreachable


@pytest.mark.django_db
def test_database_error_answers_a_friendly_503(client, published, monkeypatch):
    database_down(monkeypatch)

    response = client.get(url(published))

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "temporarily unavailable" in response.content.decode()
    assert "no-store" in response["Cache-Control"]


def database_down(monkeypatch):
    def unreachable(**kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("articles.views.published_revision", unreachable)
    monkeypatch.setattr("articles.stored.stored_page", unreachable)


@pytest.mark.django_db
def test_page_past_its_freshness_answers_only_while_the_database_is_unreachable(client, published, monkeypatch):
    client.get(url(published))
    later = time.time() + reader_cache.cache_seconds() + 1
    monkeypatch.setattr(reader_cache, "_now", lambda: later)

    with monkeypatch.context() as outage:
        database_down(outage)
        stale = client.get(url(published))
        never_cached = client.get(url(published), HTTP_COOKIE="audience=professional")
    _, queries_when_up = get_counting(client, url(published))

    assert stale.status_code == 200
    assert published.approved_revision.title in stale.content.decode()
    assert never_cached.status_code == 503
    assert queries_when_up > 0  # with the database back, a page past its freshness is rendered again


@pytest.mark.django_db
def test_a_retired_page_is_not_served_even_while_the_database_is_unreachable(
    client, published, monkeypatch, django_capture_on_commit_callbacks
):
    client.get(url(published))
    with django_capture_on_commit_callbacks(execute=True):
        published.retract()
        published.save()
    database_down(monkeypatch)

    response = client.get(url(published))

    assert response.status_code == 503
    assert published.approved_revision.title not in response.content.decode()


class Forwarder:
    """A TCP proxy in threads: listens on a local port and forwards every connection to ``target``."""

    def __init__(self, target):
        self.target = target
        self.port = None
        self._listener = None
        self._sockets = []
        self._lock = threading.Lock()

    def start(self):
        self._listener = socket.create_server(("127.0.0.1", self.port or 0))
        self._listener.settimeout(0.1)
        self.port = self._listener.getsockname()[1]
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()

    def stop(self):
        """Close the listener and every forwarded connection: the database becomes unreachable."""
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._lock:
            sockets, self._sockets = self._sockets, []
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    def _accept(self, listener):
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pump(source, sink):
        with contextlib.suppress(OSError):
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)


@pytest.fixture
def database_through_proxy(transactional_db):
    """Point the test's database connection at a proxy the test can take down and bring back."""
    params = connection.settings_dict
    saved = (params["HOST"], params["PORT"])
    proxy = Forwarder((params["HOST"] or "127.0.0.1", int(params["PORT"] or 5432)))
    proxy.start()
    connection.close()
    params["HOST"], params["PORT"] = "127.0.0.1", str(proxy.port)
    try:
        yield proxy
    finally:
        proxy.stop()
        connection.close()
        params["HOST"], params["PORT"] = saved


@pytest.mark.postgres
def test_readers_are_answered_from_the_cache_while_postgresql_is_down_and_the_site_recovers(
    client, database_through_proxy, neurology
):
    proxy = database_through_proxy
    cached = publish(factories.ArticleFactory(specialty=neurology))
    title = cached.approved_revision.title
    assert client.get(url(cached)).status_code == 200  # warms the cache

    proxy.stop()
    from_cache = client.get(url(cached))
    uncached = client.get("/articles/")
    still_down = client.get("/articles/")
    proxy.start()
    recovered = client.get("/articles/")

    assert from_cache.status_code == 200
    assert title in from_cache.content.decode()
    assert (uncached.status_code, still_down.status_code) == (503, 503)
    assert "temporarily unavailable" in uncached.content.decode()
    assert recovered.status_code == 200
    assert title in recovered.content.decode()


@pytest.mark.django_db
def test_an_entry_written_by_an_older_release_reads_as_a_miss(client, published):
    slot = reader_cache.article_slot(slug=published.slug, audience="patient")
    client.get(url(published))
    cache.set(slot.key, {"html": "an older shape"})

    response, queries = get_counting(client, url(published))

    assert queries > 0
    assert published.approved_revision.title in response.content.decode()
