"""Redis unreachable (a port nothing listens on): throttles and rate limits open, never a 500, one nudge at most.

Policy (docs/operations.md, "Outages"): the API throttles and the follow-up rate limit let requests through with
a warning; the reader cache is skipped; the relay's nudge is tried once per transaction and, after a failure, not
again for NUDGE_PAUSE_SECONDS: the outbox sweep sends what was published meanwhile.
"""

import json
import logging
import time
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import ArticleState
from config.celery import app
from reviewboard import events, services
from reviewboard.notifications.models import EventStatus, OutboxEvent
from reviewboard.notifications.tasks import relay
from tests import factories
from tests.reviewboard.test_notifications_worker import _use_broker as use_broker

DEAD_REDIS = "redis://127.0.0.1:6391/0"  # nothing listens here (see tests/faults/README in docs/operations.md)
FIGURES = Path(__file__).resolve().parents[2] / "artifacts" / "faults"


@pytest.fixture
def dead_cache(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }


@pytest.mark.django_db
def test_the_api_answers_with_its_throttle_store_unreachable(dead_cache, caplog, published):
    client = Client(raise_request_exception=False)
    with caplog.at_level(logging.WARNING):
        for _ in range(3):
            response = client.get("/api/v1/articles/")
            assert response.status_code == 200
        assert client.get(f"/api/v1/articles/{published.slug}/").status_code == 200
    assert "API throttle store unreachable" in caplog.text


@pytest.mark.django_db
def test_a_signed_in_api_call_answers_too(dead_cache, author):
    client = Client(raise_request_exception=False)
    client.force_login(author)
    assert client.get("/api/v1/drafts/").status_code == 200


@pytest.mark.django_db
def test_the_follow_up_form_accepts_a_question_with_its_rate_limit_store_unreachable(dead_cache, caplog, published):
    client = Client(raise_request_exception=False)
    url = f"/articles/{published.slug}/follow-up/"
    with caplog.at_level(logging.WARNING):
        response = client.post(url, {"question": "Does this still reach the editors?"})
    assert response.status_code == 302
    assert published.follow_up_questions.count() == 1
    assert "follow-up rate limit store unreachable" in caplog.text


@pytest.mark.django_db
def test_reader_pages_answer_from_the_database(dead_cache, published):
    client = Client(raise_request_exception=False)
    assert client.get(f"/articles/{published.slug}/").status_code == 200
    assert client.get("/articles/").status_code == 200


@pytest.mark.django_db
def test_one_nudge_per_transaction_however_many_events(monkeypatch, django_capture_on_commit_callbacks):
    nudges = []
    monkeypatch.setattr(relay, "apply_async", lambda *args, **kwargs: nudges.append(kwargs))
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for kind in ("submit", "withdraw", "resubmit"):
            events.publish(kind, article_id=None, actor_id=None)
    assert len(nudges) == 1
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        events.publish("submit", article_id=None, actor_id=None)
    assert len(nudges) == 2


@pytest.mark.django_db
def test_a_failed_nudge_pauses_the_next_ones(monkeypatch):
    attempts = []

    def broker_down(*args, **kwargs):
        attempts.append(1)
        raise ConnectionRefusedError("Error 111")

    monkeypatch.setattr(relay, "apply_async", broker_down)
    assert events.nudge_relay() is False
    assert events.nudge_relay() is False
    assert len(attempts) == 1
    events.resume_nudges()
    events.nudge_relay()
    assert len(attempts) == 2


@pytest.fixture
def dead_broker(settings):
    """Celery publishes to a Redis nobody listens on (a short connect timeout, no retries, as in the settings)."""
    saved = {key: app.conf[key] for key in ("broker_url", "task_always_eager", "broker_transport_options")}
    settings.CELERY_TASK_ALWAYS_EAGER = False
    use_broker(DEAD_REDIS)  # the worker tests' switch: drops the pooled connections to the previous broker
    yield
    use_broker(saved["broker_url"])
    app.conf.update(saved, broker_write_url=None, broker_read_url=None)


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_admin_bulk_action_over_eight_articles_tries_the_dead_broker_once(
    dead_broker, dead_cache, monkeypatch, neurology, author
):
    for n in range(8):
        factories.BoardMemberFactory(user__username=f"neuro{n}", specialties=[neurology], capacity=10)
    articles = [factories.ArticleFactory(authors=[author], specialty=neurology) for _ in range(8)]
    for article in articles:
        services.article_submit(article=article, actor=author)
    events.resume_nudges()
    tried = []
    publish = relay.apply_async
    monkeypatch.setattr(relay, "apply_async", lambda *a, **k: (tried.append(1), publish(*a, **k))[1])
    admin = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client(raise_request_exception=False)
    client.force_login(admin)

    started = time.monotonic()
    response = client.post(
        reverse("admin:articles_article_changelist"),
        {"action": "assign_reviewers_automatically", "_selected_action": [a.pk for a in articles]},
    )
    seconds = time.monotonic() - started

    assert response.status_code == 302
    for article in articles:
        article.refresh_from_db()
        assert article.state == ArticleState.UNDER_REVIEW
    assert len(tried) == 1, "the broker is tried once; the sweep sends the rest"
    assert OutboxEvent.objects.filter(status=EventStatus.PENDING, kind="reviewer_invited").count() >= 8
    FIGURES.mkdir(parents=True, exist_ok=True)
    (FIGURES / "redis-dead-bulk-action.json").write_text(json.dumps({"articles": 8, "seconds": round(seconds, 2)}))
    print(f"admin bulk action over 8 articles with Redis dead: {seconds:.2f} s")
