"""The outbox, the messages it fans out to, and each person's notification preferences.

The models live in the ``reviewboard`` app (``app_label``); ``reviewboard/models.py`` imports them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django_fsm import FSMField, transition

from articles.models import TransitionsOnlyMixin


class EventStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"


class OutboxEvent(TransitionsOnlyMixin, models.Model):
    """One thing that happened, written in the same transaction as the change that caused it."""

    kind = models.CharField(max_length=50)
    article_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    actor_id = models.BigIntegerField(null=True, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    # Periodic events (reminders, re-review) name themselves so a second run adds nothing.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    status = FSMField(max_length=10, choices=EventStatus.choices, default=EventStatus.PENDING, protected=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "reviewboard"
        ordering = ["created_at", "pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "created_at"],
                condition=Q(status="pending"),
                name="outbox_pending_idx",
            )
        ]

    state_field_name = "status"

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.status})"

    # Transitions: they change the object in memory only; the relay and the services save them.

    @transition(field=status, source=EventStatus.PENDING, target=EventStatus.SENT)
    def mark_sent(self) -> None:
        """Record that every message of the event went out."""
        self.sent_at = timezone.now()
        self.next_attempt_at = None

    @transition(field=status, source=EventStatus.PENDING, target=EventStatus.FAILED)
    def set_aside(self, *, error: str) -> None:
        """Stop relaying the event: it failed too often; an operator may retry it."""
        self.last_error = error[:2000]
        self.next_attempt_at = None

    @transition(field=status, source=[EventStatus.PENDING, EventStatus.FAILED], target=EventStatus.PENDING)
    def retry(self) -> None:
        """Make the event due now, with a fresh count of attempts."""
        self.attempts = 0
        self.next_attempt_at = None


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    INBOX = "inbox", "Inbox"


class MessageQuerySet(models.QuerySet):
    def inbox_of(self, user):
        return self.filter(recipient=user, channel=Channel.INBOX)

    def unread(self):
        return self.filter(read_at__isnull=True)

    def email_due(self):
        """Email not yet sent, not set aside as failed and not held for the daily digest."""
        return self.filter(channel=Channel.EMAIL, sent_at__isnull=True, failed_at__isnull=True, digest=False)

    def failed(self):
        return self.filter(failed_at__isnull=False)


class Message(models.Model):
    """One event told to one person on one channel: at most once, by a constraint."""

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="messages")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    url = models.CharField(max_length=500, blank=True)
    digest = models.BooleanField(default=False, help_text="Held for the recipient's daily digest.")
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # Set aside after OUTBOX_MAX_ATTEMPTS failed sends, with the last error; a retry clears both.
    failed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    objects = MessageQuerySet.as_manager()

    class Meta:
        app_label = "reviewboard"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient", "channel"], name="one_message_per_event_recipient")
        ]
        indexes = [models.Index(fields=["recipient", "channel", "read_at"], name="message_inbox_idx")]

    def __str__(self):
        return f"{self.channel} to {self.recipient_id}: {self.subject}"


class Mode(models.TextChoices):
    IMMEDIATE = "immediate", "Immediately"
    DIGEST = "digest", "In a daily digest"
    OFF = "off", "Off"


ALL_KINDS = "all"


class NotificationPreference(models.Model):
    """How one person wants one kind of message (or ``all`` kinds) delivered."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=50, default=ALL_KINDS)
    mode = models.CharField(max_length=10, choices=Mode.choices, default=Mode.IMMEDIATE)

    class Meta:
        app_label = "reviewboard"
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_user_and_kind")]

    def __str__(self):
        return f"{self.user_id}: {self.kind} -> {self.mode}"


__all__ = ["Channel", "EventStatus", "Message", "Mode", "NotificationPreference", "OutboxEvent", "ALL_KINDS"]
