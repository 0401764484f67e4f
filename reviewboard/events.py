"""Side effects of workflow actions, queued to run after the transaction commits.

``publish`` is the one door: the services call it inside their transaction, and nothing goes out
unless the transaction commits. Notifications (mail, inbox) hang off the task it queues.
"""

import logging
from functools import partial

from django.db import transaction

logger = logging.getLogger(__name__)


def publish(kind: str, *, article_id: int, actor_id: int, **payload) -> None:
    """Queue the event ``kind`` to be handled once the current transaction commits."""
    from reviewboard.tasks import handle_event

    event = {"kind": kind, "article_id": article_id, "actor_id": actor_id, **payload}
    transaction.on_commit(partial(handle_event.delay, event))
