"""Prometheus metrics (config.metrics): who may scrape, and that each named series exists and moves."""

import datetime
import re
import time

import pytest
from django.utils import timezone

from articles.models import ArticleState
from config.celery import app
from reviewboard import events, services
from reviewboard.notifications.models import Channel, Message, OutboxEvent
from tests.reviewboard.test_notifications_worker import celery_on_redis, worker  # noqa: F401 (fixtures)

TOKEN = "scrape-token-for-tests"


@pytest.fixture
def metrics_on(settings):
    settings.METRICS_TOKEN = TOKEN
    settings.METRICS_ALLOWED_NETWORKS = []
    settings.MIDDLEWARE = ["config.metrics.RequestMetricsMiddleware", *settings.MIDDLEWARE]


def scrape(client) -> str:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    return response.content.decode()


def value(text: str, name: str, **labels) -> float | None:
    """Return the sample ``name{labels}`` (labels matched as a subset), or None if the series is absent."""
    for line in text.splitlines():
        match = re.match(rf"^{re.escape(name)}(?:\{{(.*)\}})? (\S+)$", line)
        if match:
            found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(1) or ""))
            if all(found.get(key) == str(wanted) for key, wanted in labels.items()):
                return float(match.group(2))
    return None


# Who may scrape


@pytest.mark.django_db
def test_metrics_are_off_unless_configured(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = []
    assert client.get("/metrics").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize(
    "authorization", ["", f"Bearer {TOKEN}x", f"Token {TOKEN}", TOKEN, f"Bearer {TOKEN[:-1]}"], ids=repr
)
def test_a_scraper_without_the_token_is_answered_404(client, metrics_on, authorization):
    assert client.get("/metrics", HTTP_AUTHORIZATION=authorization).status_code == 404


@pytest.mark.django_db
def test_the_token_lets_a_scraper_in(client, metrics_on):
    assert "editorial_articles" in scrape(client)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("networks", "address", "allowed"),
    [
        (["127.0.0.1/32"], "127.0.0.1", True),
        (["10.0.0.0/8"], "10.2.3.4", True),
        (["10.0.0.0/8"], "192.168.1.1", False),
        (["10.0.0.0/8", "::1/128"], "::1", True),
    ],
)
def test_allowed_networks_let_their_addresses_in_without_a_token(client, settings, networks, address, allowed):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = networks
    response = client.get("/metrics", REMOTE_ADDR=address)
    assert response.status_code == (200 if allowed else 404)


@pytest.mark.django_db
def test_behind_a_proxy_the_forwarded_client_address_counts(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = ["127.0.0.1/32"]
    settings.TRUSTED_PROXY_COUNT = 1
    # The proxy is local, the client is not: refused.
    assert client.get("/metrics", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 404
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="127.0.0.1").status_code == 200


# The series move


@pytest.mark.django_db
def test_request_latency_is_recorded_per_view(client, metrics_on, published):
    before = scrape(client)
    count = value(before, "editorial_http_request_duration_seconds_count", view="articles:detail", method="GET")

    for _ in range(3):
        assert client.get(published.get_absolute_url()).status_code == 200  # a miss, then cache hits
    assert client.get("/articles/no-such-article/").status_code == 404

    after = scrape(client)
    labels = {"view": "articles:detail", "method": "GET", "status": "2xx"}
    assert value(after, "editorial_http_request_duration_seconds_count", **labels) == (count or 0) + 3
    assert value(after, "editorial_http_request_duration_seconds_bucket", le="+Inf", **labels) == (count or 0) + 3
    assert value(after, "editorial_http_request_duration_seconds_sum", **labels) > 0
    assert value(after, "editorial_http_request_duration_seconds_count", view="articles:detail", status="4xx") >= 1


@pytest.mark.django_db
def test_articles_per_state_follow_the_workflow(client, metrics_on, article, author):
    before = scrape(client)
    for state in ArticleState.values:
        assert value(before, "editorial_articles", state=state) is not None, state
    drafts = value(before, "editorial_articles", state="draft")

    services.article_submit(article=article, actor=author)

    after = scrape(client)
    assert value(after, "editorial_articles", state="draft") == drafts - 1
    assert (
        value(after, "editorial_articles", state="submitted")
        == value(before, "editorial_articles", state="submitted") + 1
    )


@pytest.mark.django_db
def test_reviews_past_due_count_open_assignments_only(client, metrics_on, article, author, editor, board):
    services.article_submit(article=article, actor=author)
    late = services.assignment_create(article=article, board_member=board[0], actor=editor)
    services.assignment_create(article=article, board_member=board[1], actor=editor)  # due in the future
    assert value(scrape(client), "editorial_reviews_past_due") == 0
    # Time passes for one of them (a due date cannot be set in the past).
    late.__class__.objects.filter(pk=late.pk).update(due_date=timezone.localdate() - datetime.timedelta(days=1))
    assert value(scrape(client), "editorial_reviews_past_due") == 1

    late.refresh_from_db()
    services.assignment_accept(assignment=late, actor=board[0].user)
    assert value(scrape(client), "editorial_reviews_past_due") == 1  # accepted is still open
    services.review_submit(assignment=late, actor=board[0].user, decision="approve")
    assert value(scrape(client), "editorial_reviews_past_due") == 0


@pytest.mark.django_db
def test_the_oldest_pending_event_age_and_failed_messages(client, metrics_on, monkeypatch, author):
    monkeypatch.setattr(events, "nudge_relay", lambda: None)
    assert value(scrape(client), "editorial_outbox_oldest_pending_age_seconds") == 0
    assert value(scrape(client), "editorial_outbox_failed_messages") == 0

    event = events.publish("submit", article_id=None, actor_id=None)
    OutboxEvent.objects.filter(pk=event.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=10))
    Message.objects.create(
        event=event, recipient=author, channel=Channel.EMAIL, subject="s", body="b", attempts=2, sent_at=None
    )
    Message.objects.create(event=event, recipient=author, channel=Channel.INBOX, subject="s", body="b", attempts=0)

    text = scrape(client)
    assert 600 <= value(text, "editorial_outbox_oldest_pending_age_seconds") < 660
    assert value(text, "editorial_outbox_failed_messages") == 1

    Message.objects.filter(channel=Channel.EMAIL).update(sent_at=timezone.now())
    OutboxEvent.objects.update(status="sent")
    text = scrape(client)
    assert value(text, "editorial_outbox_failed_messages") == 0
    assert value(text, "editorial_outbox_oldest_pending_age_seconds") == 0


@app.task(name="tests.metrics.fails")
def fails():
    raise RuntimeError("a task that fails, for the failure counter")


@app.task(name="tests.metrics.works")
def works():
    return 1


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("worker")
def test_a_real_workers_task_durations_and_failures_are_counted(client, metrics_on):
    before = scrape(client)

    def moved(text, name, **labels):
        return (value(text, name, **labels) or 0) - (value(before, name, **labels) or 0)

    works.delay()
    fails.delay()
    deadline = time.monotonic() + 20
    while True:
        after = scrape(client)
        if moved(after, "editorial_celery_task_duration_seconds_count", task="tests.metrics.fails") or (
            time.monotonic() > deadline
        ):
            break
        time.sleep(0.1)
    time.sleep(0.2)
    after = scrape(client)
    durations = "editorial_celery_task_duration_seconds"
    assert moved(after, f"{durations}_count", task="tests.metrics.works", state="SUCCESS") == 1
    assert moved(after, f"{durations}_count", task="tests.metrics.fails", state="FAILURE") == 1
    assert moved(after, f"{durations}_sum", task="tests.metrics.works", state="SUCCESS") > 0
    assert moved(after, "editorial_celery_task_failures_total", task="tests.metrics.fails") == 1
    assert moved(after, "editorial_celery_task_failures_total", task="tests.metrics.works") == 0
