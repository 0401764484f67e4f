"""Celery tasks of the notifications: thin, idempotent, safe to run twice or concurrently."""

from celery import shared_task
from django.db import DatabaseError

from reviewboard.notifications import outbox


@shared_task(
    name="notifications.relay",
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    retry_backoff_max=300,
    max_retries=8,
    ignore_result=True,
    soft_time_limit=540,
    time_limit=600,  # well inside the broker's visibility timeout (3600 s)
)
def relay() -> int:
    """Send every pending outbox event; also the periodic sweep."""
    return outbox.relay_pending()


@shared_task(
    name="notifications.send_digests",
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    max_retries=5,
    ignore_result=True,
    soft_time_limit=540,
    time_limit=600,  # well inside the broker's visibility timeout (3600 s)
)
def send_digests() -> int:
    """Send each person the messages held for their daily digest."""
    return outbox.send_digests()
