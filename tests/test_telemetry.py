"""A request's id and trace carried into the tasks it queues and their log lines; tracing and Sentry from the
environment, and nothing of them loaded when off."""

import json
import logging
import os
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis
from django.conf import settings as django_settings
from django.db import connection

from config import tracing
from config.logging import RequestIdFilter
from reviewboard.notifications.models import EventStatus, OutboxEvent
from reviewboard.notifications.tasks import relay
from tests.reviewboard.test_notifications_worker import celery_on_redis, worker  # noqa: F401 (fixtures)

BASE_DIR = Path(__file__).resolve().parent.parent
TELEMETRY_MODULES = ("opentelemetry", "prometheus_client", "sentry_sdk")


class _Records(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []
        self.addFilter(RequestIdFilter())  # as the console handler does

    def emit(self, record):
        self.records.append(record)


def _wait_for(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("worker")
def test_a_task_log_line_carries_the_id_of_the_request_that_queued_it(client, author, article):
    records = _Records()
    logging.getLogger("config.tasks").addHandler(records)
    try:
        client.force_login(author)
        response = client.post(
            f"/api/v1/drafts/{article.slug}/submit/",
            data="{}",
            content_type="application/json",
            HTTP_X_REQUEST_ID="author-submits-42",
        )
        assert response.status_code == 200
        _wait_for(lambda: any(r.getMessage().startswith("task notifications.relay") for r in records.records))
        relay.delay()  # queued outside any request
        _wait_for(lambda: len([r for r in records.records if r.getMessage().startswith("task ")]) == 2)
    finally:
        logging.getLogger("config.tasks").removeHandler(records)
    from_request, from_nowhere = (r for r in records.records if r.getMessage().startswith("task "))
    assert from_request.request_id == "author-submits-42"
    assert "SUCCESS" in from_request.getMessage()
    assert from_nowhere.request_id == "-"
    assert not OutboxEvent.objects.filter(status=EventStatus.PENDING).exists()


# In a fresh interpreter, as the entry points start


def _environment(**extra) -> dict:
    """The probe's environment: this test run's database and Redis, JSON logs, and ``extra``."""
    clean = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    db = connection.settings_dict
    clean.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        LOG_FORMAT="json",
        PYTHONPATH=str(BASE_DIR),
    )
    if django_settings.REDIS_URL:
        parts = urlsplit(django_settings.REDIS_URL)
        broker, cache = (urlunsplit(parts._replace(path=f"/{n}", query="", fragment="")) for n in (9, 10))
        for url in (broker, cache):
            redis.Redis.from_url(url).flushdb()
        clean.update(REDIS_URL=django_settings.REDIS_URL, CELERY_BROKER_URL=broker, CACHE_URL=cache)
    clean.update(extra)
    return clean


def _probe(*args, **environment) -> subprocess.CompletedProcess:
    result = subprocess.run(  # noqa: S603 (our own interpreter and script)
        [sys.executable, str(BASE_DIR / "tests" / "telemetry_probe.py"), *args],
        env=_environment(**environment),
        capture_output=True,
        text=True,
        timeout=120,
        cwd=BASE_DIR,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result


def _spans(text: str) -> list[dict]:
    """Parse the console exporter's output: JSON objects one after another."""
    decoder, spans, index = json.JSONDecoder(), [], 0
    while (start := text.find("{", index)) != -1:
        span, index = decoder.raw_decode(text, start)
        spans.append(span)
    return spans


@pytest.mark.redis
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_trace_runs_from_the_request_through_sql_redis_and_the_task_into_its_log_lines(author, article):
    result = _probe("trace", article.slug, author.username, OTEL_TRACES_EXPORTER="console", OTEL_SERVICE_NAME="probe")

    spans = _spans(result.stdout)
    requests_ = [s for s in spans if s["kind"] == "SpanKind.SERVER" and s["attributes"].get("http.method") == "POST"]
    assert len(requests_) == 1, [s["name"] for s in spans]
    trace_id = requests_[0]["context"]["trace_id"]
    in_trace = [s for s in spans if s["context"]["trace_id"] == trace_id]
    names = {s["name"] for s in in_trace}
    assert "apply_async/notifications.relay" in names  # queued by the request...
    assert "run/notifications.relay" in names  # ...and run by the worker, in the same trace
    assert any(s["attributes"].get("db.system") == "postgresql" for s in in_trace)
    assert any(s["attributes"].get("db.system") == "redis" for s in in_trace)
    assert all(s["resource"]["attributes"]["service.name"] == "probe" for s in in_trace)

    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    task_lines = [line for line in lines if line["logger"] == "config.tasks"]
    assert task_lines, result.stderr[-2000:]
    assert task_lines[0]["request_id"] == "probe-request-1"
    assert f"0x{task_lines[0]['trace_id']}" == trace_id
    run_span = next(s for s in in_trace if s["name"] == "run/notifications.relay")
    assert f"0x{task_lines[0]['span_id']}" == run_span["context"]["span_id"]


class _SentryIngest(BaseHTTPRequestHandler):
    envelopes: list = []

    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            import gzip

            body = gzip.decompress(body)
        type(self).envelopes.append((self.path, body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_sentry_hears_of_a_failing_request_with_its_request_id():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SentryIngest)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _SentryIngest.envelopes = []
    try:
        _probe("sentry", SENTRY_DSN=f"http://publickey@127.0.0.1:{server.server_port}/7")
    finally:
        server.shutdown()
    events = []
    for path, body in _SentryIngest.envelopes:
        assert path == "/api/7/envelope/"
        events += [json.loads(item) for item in body.splitlines()[1:] if b'"exception"' in item]
    assert len(events) == 1
    (exception,) = events[0]["exception"]["values"]
    assert exception["type"] == "RuntimeError"
    assert events[0]["tags"]["request_id"] == "probe-request-2"
    assert "user" not in events[0] or not events[0]["user"].get("email")  # no personal data


def test_tracing_is_switched_on_by_the_environment_only():
    assert not tracing.enabled({})
    assert not tracing.enabled({"OTEL_TRACES_EXPORTER": "none"})
    assert not tracing.enabled({"OTEL_TRACES_EXPORTER": "otlp", "OTEL_SDK_DISABLED": "true"})
    assert tracing.enabled({"OTEL_TRACES_EXPORTER": "console"})
    assert tracing.enabled({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://collector:4318"})


def test_with_nothing_configured_no_telemetry_package_is_loaded():
    script = (
        "import sys, config.wsgi; from django.test import Client; Client().get('/healthz'); "
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & set({TELEMETRY_MODULES!r})))"
    )
    environment = {key: os.environ[key] for key in ("PATH", "HOME", "LANG") if key in os.environ}
    result = subprocess.run(  # noqa: S603 (our own interpreter)
        [sys.executable, "-c", script], env=environment, capture_output=True, text=True, timeout=60, cwd=BASE_DIR
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
