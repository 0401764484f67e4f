"""One scheduler: two `celery beat` processes, and only the one holding the lock sends the schedule."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.conf import settings

from config.beat import LOCK_KEY

pytestmark = [pytest.mark.redis]

ROOT = Path(__file__).resolve().parents[2]
QUEUE = "celery"


def _start_beat(tmp_path: Path, name: str) -> subprocess.Popen:
    inherited = {key: value for key, value in os.environ.items() if not key.startswith("CELERY_")}
    environment = {
        **inherited,
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.REDIS_URL,  # this run's own Redis database
        "OUTBOX_SWEEP_SECONDS": "0.5",
        "BEAT_LOCK_SECONDS": "3",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(ROOT),
    }
    command = [
        sys.executable, "-m", "celery", "-A", "config", "beat", "--loglevel=INFO",
        "--schedule", str(tmp_path / f"schedule-{name}"), "--pidfile", "",
    ]  # fmt: skip
    log = open(tmp_path / f"{name}.log", "wb")  # noqa: SIM115  (kept open for the process's life)
    return subprocess.Popen(command, cwd=ROOT, env=environment, stdout=log, stderr=log, start_new_session=True)  # noqa: S603


def _senders(broker: redis.Redis) -> list[int]:
    """The process id of the beat that sent each queued sweep, oldest first."""
    pids = []
    for raw in reversed(broker.lrange(QUEUE, 0, -1)):
        headers = json.loads(raw)["headers"]
        if headers["task"] == "notifications.relay":
            pids.append(int(headers["origin"].split("@")[0].removeprefix("gen")))
    return pids


def _wait(condition, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


def test_a_second_beat_stands_by_and_takes_over_when_the_first_dies(tmp_path):
    broker = redis.Redis.from_url(settings.REDIS_URL)
    broker.delete(QUEUE, LOCK_KEY)  # this run's own database: nothing queued, nobody leading
    beats = [_start_beat(tmp_path, "one"), _start_beat(tmp_path, "two")]
    try:
        _wait(lambda: len(_senders(broker)) >= 8, 60, "eight sweeps")
        senders = set(_senders(broker))
        assert len(senders) == 1, "two beats sent the schedule at once"
        [leader_pid] = senders
        [leader] = [b for b in beats if b.pid == leader_pid]
        [standby] = [b for b in beats if b is not leader]
        assert standby.poll() is None, "the second beat stands by; it does not exit"

        os.killpg(leader.pid, signal.SIGKILL)  # no chance to release the lock: it must expire
        leader.wait(timeout=10)
        _wait(lambda: standby.pid in _senders(broker), 30, "the second beat to take over")
        after = _senders(broker)
        assert set(after) == {leader.pid, standby.pid}
        first_standby = after.index(standby.pid)
        assert leader.pid not in after[first_standby:], "never both at once"
    finally:
        for beat in beats:
            _stop(beat)
        broker.delete(QUEUE, LOCK_KEY)
