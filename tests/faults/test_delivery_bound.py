"""The delivery bound: a worker killed with SIGKILL mid-relay, restarted, and every email counted at a real SMTP server.

Each email is marked sent in its own transaction right after the server took it, so a crash resends at most the
one email each worker process had in hand: duplicates <= the worker's concurrency, and each duplicate carries the
Message-ID of its first copy (derived from event, recipient and channel).
"""

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
import redis
from django.conf import settings
from django.db import connections

from config.beat import LOCK_KEY
from reviewboard.notifications import outbox
from reviewboard.notifications.models import Channel, EventStatus, Message, OutboxEvent
from tests import factories
from tests.faults.smtp_sink import SmtpSink

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
FIGURES = ROOT / "artifacts" / "faults"
CONCURRENCY = 2
EDITORS = 30
EVENTS = 4  # 4 submissions told to 30 editors: 120 emails
BROKER_QUEUE_KEYS = ("celery", "unacked", "unacked_index", "unacked_mutex")


def _database_url() -> str:
    db = connections["default"].settings_dict
    user = db["USER"] or "postgres"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _worker_environment(smtp_port: int, tmp_path: Path) -> dict[str, str]:
    broker = settings.REDIS_URL  # the run's own Redis database (the broker of this test only)
    inherited = {key: value for key, value in os.environ.items() if not key.startswith(("CELERY_", "EMAIL_"))}
    return {
        **inherited,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": broker,
        "CELERY_BROKER_URL": broker,
        "CACHE_URL": settings.CACHES["default"]["LOCATION"],
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "OUTBOX_SWEEP_SECONDS": "1",
        "BEAT_LOCK_SECONDS": "3",  # the killed worker's beat held the lock: it lapses in 3 s
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(ROOT),
    }


def _start_worker(environment: dict[str, str], tmp_path: Path, name: str) -> subprocess.Popen:
    command = [
        sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=prefork", f"--concurrency={CONCURRENCY}",
        "-B", "--schedule", str(tmp_path / f"beat-{name}"), "--loglevel=WARNING", "-n", f"{name}@%h",
    ]  # fmt: skip
    log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115  (kept open for the process's life)
    return subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=log, start_new_session=True)  # noqa: S603


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def _wait(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_sigkill_mid_relay_delivers_every_email_with_duplicates_within_the_concurrency(tmp_path):
    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.delete(*BROKER_QUEUE_KEYS, LOCK_KEY)  # no task left over from an earlier run (this run's own database)
    author = factories.AuthorFactory(username="author")
    editors = [factories.EditorFactory(username=f"editor{n}") for n in range(EDITORS)]
    for _ in range(EVENTS):
        article = factories.ArticleFactory(authors=[author])
        factories.OutboxEventFactory(kind="submit", article_id=article.pk, actor_id=author.pk)
    expected = {
        outbox.message_id(event_id=event.pk, recipient_id=editor.pk, channel=Channel.EMAIL)
        for event in OutboxEvent.objects.all()
        for editor in editors
    }
    assert len(expected) == EDITORS * EVENTS == 120
    connections.close_all()

    with SmtpSink(delay=0.03) as sink:
        environment = _worker_environment(sink.port, tmp_path)
        worker = _start_worker(environment, tmp_path, "first")
        try:
            _wait(lambda: sink.handler.count() >= 40 or worker.poll() is not None, 120, "the first 40 emails")
            assert worker.poll() is None, (tmp_path / "first.log").read_text()[-3000:]
            os.killpg(worker.pid, signal.SIGKILL)  # the worker, its pool processes and its beat, mid-relay
            worker.wait(timeout=10)
        finally:
            _stop(worker)
        received_at_kill = sink.handler.count()
        assert received_at_kill < len(expected), "the kill came after the relay had finished"

        restarted = _start_worker(environment, tmp_path, "second")
        try:
            _wait(lambda: not OutboxEvent.objects.filter(status=EventStatus.PENDING).exists(), 180, "every event sent")
        finally:
            _stop(restarted)
            connections.close_all()
        received = sink.received

    ids = Counter(message_id for message_id, _ in received)
    duplicates = len(received) - len(ids)
    figures = {
        "emails": len(expected),
        "received_at_kill": received_at_kill,
        "received": len(received),
        "delivered": len(set(ids) & expected),
        "duplicates": duplicates,
        "bound": CONCURRENCY,
    }
    FIGURES.mkdir(parents=True, exist_ok=True)
    (FIGURES / "sigkill-delivery.json").write_text(json.dumps(figures))
    print(f"SIGKILL mid-relay: {figures}")
    assert set(ids) == expected, "every email delivered, and nothing but them"
    assert duplicates <= CONCURRENCY
    # A duplicate is a second copy of the same (event, recipient, channel): the same Message-ID, the same address.
    addresses = {message_id: {to for mid, to in received if mid == message_id} for message_id in ids}
    assert all(len(to) == 1 for to in addresses.values())
    assert not Message.objects.filter(channel=Channel.EMAIL, sent_at__isnull=True).exists()
    assert OutboxEvent.objects.filter(status=EventStatus.SENT).count() == EVENTS
