"""The transactional outbox's front door.

``publish`` is the one door: the services call it inside their transaction, and it writes an
``OutboxEvent`` row in that same transaction, so the event exists exactly when the change does.
After the commit it nudges the relay, once per transaction however many events it published; if
the broker is down the nudge is lost, not the event: the relay's periodic sweep finds every pending
row. After a failed nudge the process stops trying for NUDGE_PAUSE_SECONDS, so an admin action over
many articles waits on a dead broker once, not once per article.
"""

import logging
import threading
import time

from django.db import IntegrityError, transaction

logger = logging.getLogger(__name__)

NUDGE_PAUSE_SECONDS = 30.0


class _Nudges(threading.local):
    # Events published since the last nudge: the first callback after a commit nudges, the others find 0.
    # A rolled-back transaction leaves its count behind; the next commit's one nudge covers it too.
    waiting = 0


_nudges = _Nudges()
_broker_failed_at: float | None = None


def publish(kind: str, *, article_id: int | None, actor_id: int | None, dedupe_key: str | None = None, **payload):
    """Record the event ``kind`` in the current transaction; relay it once that commits.

    With ``dedupe_key``, a second event of the same key is not recorded (returns ``None``).
    """
    from reviewboard.notifications.models import OutboxEvent

    event = OutboxEvent(kind=kind, article_id=article_id, actor_id=actor_id, payload=payload, dedupe_key=dedupe_key)
    if dedupe_key is None:
        event.save()
    else:
        try:
            with transaction.atomic():
                event.save()
        except IntegrityError:
            return None
    _nudges.waiting += 1
    transaction.on_commit(nudge_after_commit)
    return event


def resume_nudges() -> None:
    """Forget a recent broker failure: the next nudge tries the broker again."""
    global _broker_failed_at
    _broker_failed_at = None


def nudge_after_commit() -> None:
    """Nudge the relay once for everything the transaction that just committed published."""
    if _nudges.waiting == 0:
        return  # this commit's first callback nudged already
    _nudges.waiting = 0
    nudge_relay()


def nudge_relay() -> bool:
    """Ask a worker to relay pending events now; return whether the broker took it.

    Best effort: the sweep covers a lost nudge. Skipped for NUDGE_PAUSE_SECONDS after a failure.
    """
    global _broker_failed_at
    from reviewboard.notifications.tasks import relay

    if _broker_failed_at is not None and time.monotonic() - _broker_failed_at < NUDGE_PAUSE_SECONDS:
        logger.info("broker failed recently: the sweep will send pending events")
        return False
    try:
        relay.apply_async(retry=False)
    except Exception:  # noqa: BLE001  (any broker failure: the event is safe in the outbox)
        _broker_failed_at = time.monotonic()
        logger.warning("could not queue the outbox relay; the sweep will send pending events", exc_info=True)
        return False
    _broker_failed_at = None
    return True
