"""One scheduler: ``celery beat`` sends the schedule only while it holds a lock in Redis.

A second beat started by mistake (a deploy that overlaps, an operator's extra process) finds the lock taken and
stands by, so no periodic task (the outbox sweep, reminders, escalations, re-review notices, digests) is sent
twice. The leader renews the lock on every tick; if it dies, the lock expires after BEAT_LOCK_SECONDS and a
standing-by beat takes over. Without Redis there is no broker to send to either: every beat stands by.
"""

import contextlib
import logging

import redis
from celery.beat import PersistentScheduler
from django.conf import settings
from redis.exceptions import LockError, RedisError

logger = logging.getLogger(__name__)

LOCK_KEY = "beat:leader"


class LockedScheduler(PersistentScheduler):
    """Celery's file-backed scheduler, ticking only while this process holds the leader lock."""

    def __init__(self, *args, **kwargs):
        self.lock_seconds = float(getattr(settings, "BEAT_LOCK_SECONDS", 30.0))
        self.leader_lock = None
        self.leading = False
        super().__init__(*args, **kwargs)
        # Renew well within the lock's life: never sleep longer than a third of it.
        self.max_interval = min(self.max_interval, self.lock_seconds / 3)

    def tick(self, *args, **kwargs):
        if not self.hold_lock():
            return self.max_interval
        return super().tick(*args, **kwargs)

    def hold_lock(self) -> bool:
        """Take or renew the leader lock; return whether this beat leads now."""
        try:
            if self.leader_lock is None:
                client = redis.Redis.from_url(self.app.conf.broker_url, socket_connect_timeout=1, socket_timeout=1)
                self.leader_lock = client.lock(LOCK_KEY, timeout=self.lock_seconds, thread_local=False)
            if self.leading:
                try:
                    self.leader_lock.reacquire()
                    return True
                except LockError:
                    logger.warning("beat lost the scheduler lock; standing by")
                    self.leading = False
            self.leading = bool(self.leader_lock.acquire(blocking=False))
            if self.leading:
                logger.info("beat holds the scheduler lock: sending the schedule")
        except RedisError:
            logger.warning("beat cannot reach Redis for the scheduler lock; standing by", exc_info=True)
            self.leading = False
        return self.leading

    def close(self):
        if self.leading and self.leader_lock is not None:
            with contextlib.suppress(LockError, RedisError):  # expired or unreachable: it lapses by itself
                self.leader_lock.release()
            self.leading = False
        super().close()
