"""Benchmark the notification outbox with a real Celery worker on Redis.

    DATABASE_URL=postgres://... REDIS_URL=redis://127.0.0.1:6379/0 .venv/bin/python bench/outbox.py [N]

Submits N articles (one outbox event each, two messages per editor), lets an in-process worker
(solo pool) relay them, and prints messages per second and the latency from the transition's
commit to the email being sent (p50, p95). It writes demo rows into the configured database: point
DATABASE_URL at a scratch database. Without REDIS_URL the tasks run eagerly (no worker), as in
the embedded default.
"""

import logging
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")

import django  # noqa: E402

django.setup()

from celery.contrib.testing.worker import start_worker  # noqa: E402
from django.conf import settings  # noqa: E402
from django.core import mail  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402

from config.celery import app  # noqa: E402
from reviewboard import services  # noqa: E402
from reviewboard.notifications.models import EventStatus, Message, OutboxEvent  # noqa: E402
from tests import factories  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(n: int) -> None:
    logging.getLogger("celery").setLevel(logging.WARNING)
    mail.outbox = []
    call_command("migrate", verbosity=0)
    run = uuid.uuid4().hex[:8]
    editors = [factories.EditorFactory(username=f"bench-editor-{run}-{i}") for i in range(2)]
    author = factories.AuthorFactory(username=f"bench-author-{run}")
    articles = [factories.ArticleFactory(slug=f"bench-{run}-{i}", authors=[author]) for i in range(n)]
    # Only this run's editors hear of this run's submissions: deactivate nobody, just count theirs.
    first_event = OutboxEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    eager = not settings.REDIS_URL
    context = None
    if not eager:
        app.conf.task_always_eager = False
        context = start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING", shutdown_timeout=30)
        context.__enter__()
    try:
        started = time.monotonic()
        for article in articles:
            services.article_submit(article=article, actor=author)
        deadline = time.monotonic() + 600
        while OutboxEvent.objects.filter(pk__gt=first_event, status=EventStatus.PENDING).exists():
            if time.monotonic() > deadline:
                raise SystemExit("timed out waiting for the outbox to drain")
            time.sleep(0.05)
        elapsed = time.monotonic() - started
    finally:
        if context is not None:
            context.__exit__(None, None, None)
        connections.close_all()

    sent = Message.objects.filter(
        event__pk__gt=first_event, event__kind="submit", recipient__in=editors, sent_at__isnull=False
    ).select_related("event")
    latencies = [(m.sent_at - m.event.created_at).total_seconds() * 1000 for m in sent if m.channel == "email"]
    total = sent.count()
    print(f"outbox bench: {n} transitions, {total} messages ({len(latencies)} emails) to {len(editors)} editors")
    print(f"mode: {'eager (no REDIS_URL)' if eager else 'real worker (solo pool) on ' + settings.CELERY_BROKER_URL}")
    print(f"throughput: {total / elapsed:.1f} messages/s over {elapsed:.2f} s (transitions included)")
    if latencies:
        print(
            f"transition -> email sent latency: p50 {percentile(latencies, 0.5):.1f} ms, "
            f"p95 {percentile(latencies, 0.95):.1f} ms, mean {statistics.fmean(latencies):.1f} ms"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
