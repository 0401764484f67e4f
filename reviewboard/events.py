"""The transactional outbox's front door.

``publish`` is the one door: the services call it inside their transaction, and it writes an
``OutboxEvent`` row in that same transaction, so the event exists exactly when the change does.
After the commit it nudges the relay; if the broker is down the nudge is lost, not the event:
the relay's periodic sweep finds every pending row.
"""

import logging

from django.db import IntegrityError, transaction

logger = logging.getLogger(__name__)


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
    transaction.on_commit(nudge_relay)
    return event


def nudge_relay() -> None:
    """Ask a worker to relay pending events now. Best effort: the sweep covers a lost nudge."""
    from reviewboard.notifications.tasks import relay

    try:
        relay.apply_async(retry=False)
    except Exception:  # noqa: BLE001  (any broker failure: the event is safe in the outbox)
        logger.warning("could not queue the outbox relay; the sweep will send pending events", exc_info=True)
