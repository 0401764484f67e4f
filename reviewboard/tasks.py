"""Periodic workflow tasks (beat). Celery discovers this module; the notifications' tasks are
imported here so that the worker registers them too."""

from celery import shared_task
from django.db import DatabaseError

from reviewboard.notifications import schedules
from reviewboard.notifications.tasks import relay, send_digests  # noqa: F401  (registered with the worker)


@shared_task(name="reviewboard.review_reminders", acks_late=True, autoretry_for=(DatabaseError,), retry_backoff=True)
def review_reminders() -> int:
    """Remind board members of reviews due soon or overdue, and escalate long-overdue ones."""
    return schedules.publish_review_reminders()


@shared_task(name="reviewboard.rereview_due", acks_late=True, autoretry_for=(DatabaseError,), retry_backoff=True)
def rereview_due() -> int:
    """Tell the editors which approved articles are due for their periodic re-review."""
    return schedules.open_rereviews_due()
