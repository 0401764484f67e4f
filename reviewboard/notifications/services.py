"""Writes of the notifications: reading a message, choosing how to be told, retrying what failed."""

from collections.abc import Iterable
from datetime import timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from articles.exceptions import ValidationFailed
from reviewboard import events
from reviewboard.notifications.models import (
    ALL_KINDS,
    EventStatus,
    Message,
    Mode,
    NotificationPreference,
    OutboxEvent,
)
from reviewboard.notifications.outbox import ESSENTIAL_KINDS, NOTIFIABLE_KINDS
from reviewboard.permissions import require, user_can_retry_notifications


def message_mark_read(*, message: Message, actor) -> Message:
    """Mark one of the actor's inbox messages read. Caller fetched it for this actor."""
    if message.read_at is None:
        Message.objects.filter(pk=message.pk, recipient=actor, read_at__isnull=True).update(read_at=timezone.now())
        message.refresh_from_db(fields=["read_at"])
    return message


def inbox_mark_all_read(*, actor) -> int:
    """Mark every unread inbox message of the actor read; return how many."""
    return Message.objects.inbox_of(actor).unread().update(read_at=timezone.now())


def preference_set(*, user, kind: str, mode: str) -> NotificationPreference:
    """Choose how ``user`` hears of ``kind`` (or of all kinds); essential kinds cannot be off."""
    if kind != ALL_KINDS and kind not in NOTIFIABLE_KINDS:
        raise ValidationFailed.one("kind", f"There is no kind of notification called “{kind}”.", "unknown")
    if mode not in Mode.values:
        raise ValidationFailed.one("mode", "Choose immediately, a daily digest, or off.", "invalid")
    if mode == Mode.OFF and kind in ESSENTIAL_KINDS:
        raise ValidationFailed.one(
            "mode", "This notification is essential to the review and cannot be turned off.", "essential"
        )
    with transaction.atomic():
        preference, _ = NotificationPreference.objects.update_or_create(user=user, kind=kind, defaults={"mode": mode})
    return preference


def stuck_events(*, older_than: timedelta) -> QuerySet[OutboxEvent]:
    """Return the events set aside as failed, and those still pending ``older_than`` after they happened."""
    cutoff = timezone.now() - older_than
    return OutboxEvent.objects.filter(
        Q(status=EventStatus.FAILED) | Q(status=EventStatus.PENDING, created_at__lt=cutoff)
    ).order_by("created_at", "pk")


def outbox_events_retry(*, event_ids: Iterable[int], actor) -> int:
    """Make failed or waiting events due now, with their failed emails; return how many were retried.

    ``actor`` is the person asking (an editor or admin), or None for an operator at the command line.
    An event a relay holds at this moment is left to it.
    """
    if actor is not None:
        require(user_can_retry_notifications(actor), "Only editors and admins can retry notifications.")
    retried = 0
    with transaction.atomic():
        held = OutboxEvent.objects.select_for_update(skip_locked=True).filter(
            pk__in=list(event_ids), status__in=[EventStatus.PENDING, EventStatus.FAILED]
        )
        for event in held:
            Message.objects.failed().filter(event=event, sent_at__isnull=True).update(
                failed_at=None, attempts=0, last_error=""
            )
            event.retry()
            event.save(update_fields=["status", "attempts", "next_attempt_at"])
            retried += 1
        if retried:
            transaction.on_commit(events.nudge_relay)
    return retried
