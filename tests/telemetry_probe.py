"""Run by tests/test_telemetry.py in a fresh interpreter, with tracing or Sentry switched on by the environment.

``trace SLUG USERNAME``: sign in as USERNAME, submit the draft at SLUG through the API with an X-Request-ID, and let
an in-thread Celery worker run the relay the submission queued; spans go to standard output (the console exporter),
log lines to standard error as JSON. ``sentry``: answer a request whose view raises.
Started the way the entry points start (config.wsgi): tracing first, then Django.
"""

import sys
import time

from config import tracing


def trace(slug: str, username: str) -> None:
    import django

    assert tracing.start(), "the environment did not switch tracing on"
    django.setup()
    from celery.contrib.testing.worker import start_worker
    from django.contrib.auth import get_user_model
    from django.test import Client
    from opentelemetry import trace as otel

    from config.celery import app
    from reviewboard.notifications.models import EventStatus, OutboxEvent

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=10):
        response = client.post(
            f"/api/v1/drafts/{slug}/submit/",
            data="{}",
            content_type="application/json",
            HTTP_X_REQUEST_ID="probe-request-1",
        )
        assert response.status_code == 200, response.content
        deadline = time.monotonic() + 30
        while OutboxEvent.objects.filter(status=EventStatus.PENDING).exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)  # the task's last log line
    otel.get_tracer_provider().shutdown()  # flush the spans


def sentry() -> None:
    import django

    django.setup()
    import sentry_sdk
    from django.test import Client
    from django.test.utils import override_settings

    with override_settings(ROOT_URLCONF="tests.telemetry_probe_urls", DEBUG_PROPAGATE_EXCEPTIONS=False):
        response = Client(raise_request_exception=False).get("/boom", HTTP_X_REQUEST_ID="probe-request-2")
    assert response.status_code == 500
    sentry_sdk.flush(timeout=10)


if __name__ == "__main__":
    if sys.argv[1] == "trace":
        trace(*sys.argv[2:])
    else:
        sentry()
