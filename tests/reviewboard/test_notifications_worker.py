"""The outbox with a real Celery worker on Redis: exactly once, even through a broker outage."""

import logging
import time
from urllib.parse import urlsplit, urlunsplit

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings as django_settings
from django.core import mail
from django.db import connections

from config.celery import app
from reviewboard import services
from reviewboard.notifications.models import EventStatus, Message, OutboxEvent
from reviewboard.notifications.tasks import relay
from tests import factories

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


def _broker_url() -> str:
    """Database 5 of the configured Redis server: this module's own broker."""
    parts = urlsplit(django_settings.REDIS_URL)
    return urlunsplit(parts._replace(path="/5", query="", fragment=""))


def _use_broker(url: str) -> None:
    """Point the Celery app at ``url``; Celery read its settings at import, so set them directly."""
    app.conf.update(
        broker_url=url,
        # The read/write URLs win over broker_url, which a CELERY_BROKER_URL variable would override.
        broker_write_url=url,
        broker_read_url=url,
        task_always_eager=False,
        broker_connection_timeout=0.5,
        broker_connection_retry_on_startup=True,
        task_publish_retry=False,
        broker_transport_options={"visibility_timeout": 3600, "socket_connect_timeout": 0.5, "max_retries": 0},
    )
    # Drop pooled connections to the previous broker.
    app._pool = None
    app.amqp._producer_pool = None


class _Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append(record)


def _close_db_connection(**kwargs):
    connections.close_all()


@pytest.fixture
def celery_on_redis(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "broker_transport_options")}
    _use_broker(_broker_url())
    import redis

    redis.Redis.from_url(_broker_url()).flushdb()  # no task left over from an earlier run
    task_postrun.connect(_close_db_connection, weak=False)
    yield
    task_postrun.disconnect(_close_db_connection)
    _use_broker(saved["broker_url"])
    app.conf.update(saved, broker_write_url=None, broker_read_url=None)


@pytest.fixture
def worker(celery_on_redis):
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10) as w:
        yield w


def _wait_until_sent(timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while OutboxEvent.objects.filter(status=EventStatus.PENDING).exists():
        if time.monotonic() > deadline:
            pending = list(OutboxEvent.objects.filter(status=EventStatus.PENDING).values("kind", "last_error"))
            raise AssertionError(f"events still pending after {timeout}s: {pending}")
        time.sleep(0.1)


def test_a_transition_delivers_exactly_the_expected_emails_through_the_worker(worker):
    author = factories.AuthorFactory(username="author")
    editor = factories.EditorFactory(username="editor")
    article = factories.ArticleFactory(authors=[author])
    services.article_submit(article=article, actor=author)
    services.article_reject(article=article, actor=editor, reason="Out of scope")
    _wait_until_sent()
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == [
        (author.email, f"“{article.title}” was not accepted"),
        (editor.email, f"New submission: “{article.title}”"),
    ]


def test_with_the_broker_down_transitions_commit_and_every_message_goes_out_once_it_is_back(celery_on_redis):
    editor = factories.EditorFactory(username="editor")
    authors = [factories.AuthorFactory(username=f"author{i}") for i in range(5)]
    articles = [factories.ArticleFactory(authors=[a]) for a in authors]

    _use_broker(UNREACHABLE_BROKER)
    failed_nudges = _Records()
    events_logger = logging.getLogger("reviewboard.events")
    events_logger.disabled = False  # an earlier worker's logging setup may have disabled it
    events_logger.setLevel(logging.INFO)
    events_logger.addHandler(failed_nudges)
    started = time.monotonic()
    for article, author in zip(articles, authors, strict=True):
        services.article_submit(article=article, actor=author)
        services.article_reject(article=article, actor=editor, reason="Out of scope")
    assert time.monotonic() - started < 20, "a dead broker must not hold up the transitions"
    for article in articles:
        article.refresh_from_db()
        assert article.state == "rejected"
    # Each article: submit, reject, and the round's closing (told to its reviewers: none here, so no mail).
    assert OutboxEvent.objects.filter(status=EventStatus.PENDING).count() == 15
    assert mail.outbox == []
    events_logger.removeHandler(failed_nudges)
    # One transition per transaction, one nudge each; after the first failure the others are not even tried.
    logged = [r.getMessage() for r in failed_nudges.records]
    assert logged.count("could not queue the outbox relay; the sweep will send pending events") == 1
    assert logged.count("broker failed recently: the sweep will send pending events") == 9

    _use_broker(_broker_url())
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10):
        relay.delay()  # what beat's sweep does every minute
        relay.delay()  # a second, concurrent sweep must change nothing
        _wait_until_sent()
        time.sleep(0.5)  # let the second sweep finish too
    expected = sorted(
        [(editor.email, f"New submission: “{a.title}”") for a in articles]
        + [(a.authors.get().email, f"“{a.title}” was not accepted") for a in articles]
    )
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == expected
    assert Message.objects.filter(channel="email", sent_at__isnull=False).count() == 10
