"""Writes of the notifications: reading a message, choosing how to be told."""

from django.db import transaction
from django.utils import timezone

from articles.exceptions import ValidationFailed
from reviewboard.notifications.models import ALL_KINDS, Message, Mode, NotificationPreference
from reviewboard.notifications.outbox import ESSENTIAL_KINDS, NOTIFIABLE_KINDS


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
