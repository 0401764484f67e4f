"""The relay: turn pending outbox events into messages and send them.

Invariants:
- An event is claimed for its fan-out with ``SELECT ... FOR UPDATE SKIP LOCKED``: two relays never
  fan out the same event at once, and a relay never waits for another.
- A message exists at most once per (event, recipient, channel): a unique constraint.
- An email is sent only while its row is locked and unsent, and marked sent in its own transaction
  right after the mail server took it. A crash in between sends that one email again, with the same
  ``Message-ID``: duplicates are at most one per relay process running at the crash (docs/operations.md).
- A failed send leaves the email unsent and the event pending, retried later with backoff; after
  ``OUTBOX_MAX_ATTEMPTS`` failures the email, then its event, is set aside as failed with its error.
- The event's status changes only through its transitions (``mark_sent``, ``set_aside``, ``retry``).
"""

import logging
import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Q
from django.template.loader import select_template
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from articles.people import person_name
from articles.permissions import EDITORS_GROUP
from reviewboard.models import AssignmentStatus, ReviewAssignment, RoundOutcome, TransitionLogEntry
from reviewboard.notifications.models import (
    ALL_KINDS,
    Channel,
    EventStatus,
    Message,
    Mode,
    NotificationPreference,
    OutboxEvent,
)
from reviewboard.permissions import user_can_view_thread
from reviewboard.review_models import ChecklistItem, CommentThread

logger = logging.getLogger(__name__)

SUBJECT_MAX_LENGTH = 300  # Message.subject's length

# Kinds a person cannot turn off: they ask for an action, or change what readers see of their work.
ESSENTIAL_KINDS = frozenset({"reviewer_invited", "request_changes", "approve", "reject", "retract"})

# What each kind of event says, and to whom: "member" (the assignment's board member), "editors",
# "authors" (the article's authors), "thread" (who wrote in the thread and may still see it), "round" (the
# board members who reviewed in the round).
KINDS = {
    "reviewer_invited": ("member", "You are invited to review “{title}”"),
    "assignment_cancelled": ("member", "Your review of “{title}” is no longer needed"),
    "invitation_accepted": ("editors", "{member} accepted to review “{title}”"),
    "invitation_declined": ("editors", "{member} declined to review “{title}”"),
    "review_submitted": ("editors", "{member} submitted a review of “{title}”"),
    "submit": ("editors", "New submission: “{title}”"),
    "resubmit": ("editors", "Resubmitted after changes: “{title}”"),
    "withdraw": ("editors", "The authors withdrew “{title}”"),
    "request_changes": ("authors", "Reviewers asked for changes to “{title}”"),
    "approve": ("authors", "“{title}” is approved and published"),
    "reject": ("authors", "“{title}” was not accepted"),
    "retract": ("authors", "“{title}” was retracted"),
    "review_due_soon": ("member", "Your review of “{title}” is due on {due_date}"),
    "review_overdue": ("member", "Your review of “{title}” is overdue (due {due_date})"),
    "review_escalated": ("editors", "Overdue review: {member} on “{title}” (due {due_date})"),
    "rereview_due": ("editors", "“{title}” is due for its periodic re-review"),
    "question_received": ("editors", "A reader asked a follow-up question on “{title}”"),
    "thread_reply": ("thread", "A reply in a comment thread on “{title}”"),
    "round_closed": ("round", "The review round you took part in on “{title}” ended: {outcome}"),
}

NOTIFIABLE_KINDS = tuple(KINDS)


def _absolute(path: str) -> str:
    return settings.NOTIFICATIONS_SITE_URL.rstrip("/") + path if path.startswith("/") else path


@dataclass
class Notice:
    """What one event says, before it is addressed to anyone."""

    subject: str
    lines: list[str]
    url: str
    recipients: list = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)


def _assignment(event: OutboxEvent) -> ReviewAssignment | None:
    assignment_id = event.payload.get("assignment_id")
    if assignment_id is None and event.payload.get("review_id"):
        return (
            ReviewAssignment.objects.select_related("board_member__user", "revision")
            .filter(review__pk=event.payload["review_id"])
            .first()
        )
    return ReviewAssignment.objects.select_related("board_member__user", "revision").filter(pk=assignment_id).first()


def _logged_reason(event: OutboxEvent) -> str:
    """The reason the transition log holds for this transition (the event's payload lacks it)."""
    if event.article_id is None or "to_state" not in event.payload:
        return ""
    entry = (
        TransitionLogEntry.objects.filter(
            article_id=event.article_id, transition=event.kind, created_at__lte=event.created_at
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    return entry.reason if entry else ""


def _invitation_was_sent(assignment: ReviewAssignment) -> bool:
    return Message.objects.filter(
        event__kind="reviewer_invited",
        event__payload__assignment_id=assignment.pk,
        recipient=assignment.board_member.user,
    ).exists()


def _thread_writers(event: OutboxEvent) -> list:
    """Return the people who wrote in the event's thread and may still see it (confidential: never the authors)."""
    thread = CommentThread.objects.select_related("article").filter(pk=event.payload.get("thread_id")).first()
    if thread is None:
        return []
    writers = get_user_model().objects.filter(is_active=True, pk__in=thread.comments.values("author")).distinct()
    return [user for user in writers.order_by("pk") if user_can_view_thread(user, thread)]


def _round_reviewers(event: OutboxEvent) -> list:
    """Return the active board members who completed a review in the event's round."""
    assignments = ReviewAssignment.objects.filter(
        review_round_id=event.payload.get("round_id"), status=AssignmentStatus.COMPLETED
    ).select_related("board_member__user")
    return [a.board_member.user for a in assignments.order_by("pk") if a.board_member.user.is_active]


def _round_outcome(event: OutboxEvent) -> str:
    outcome = event.payload.get("outcome")
    return str(RoundOutcome(outcome).label).lower() if outcome in RoundOutcome.values else ""


def editors():
    return get_user_model().objects.filter(is_active=True, groups__name=EDITORS_GROUP).distinct()


def notice_for(event: OutboxEvent) -> Notice | None:
    """Say what ``event`` means and to whom, or ``None`` for events nobody is told about."""
    if event.kind not in KINDS:
        return None
    audience, subject = KINDS[event.kind]
    articles = Article.objects.select_related("current_revision", "approved_revision")
    article = None if event.article_id is None else articles.filter(pk=event.article_id).first()
    assignment = _assignment(event) if audience == "member" or "member" in subject else None
    member_user = assignment.board_member.user if assignment else None
    title = article.title if article else "an article"
    context = {
        "title": title,
        "member": person_name(member_user) if member_user else "A board member",
        "due_date": assignment.due_date.isoformat() if assignment else "",
        "outcome": _round_outcome(event),
    }
    inbox = reverse("notifications:inbox")
    url = article.get_absolute_url() if article and article.approved_revision_id else inbox
    lines, links = [], []
    reason = event.payload.get("reason") or _logged_reason(event)
    if reason:
        lines.append(f"Reason: {reason}")
    if assignment is not None and audience == "member":
        pk = assignment.pk
        url = reverse("workspaces:board_assignment", args=[pk])
        if event.kind == "reviewer_invited":
            if not assignment.is_open:
                return None  # cancelled before the invitation went out: never send it
            # Each link opens a page that asks to confirm: nothing changes on a GET.
            links = [
                ("Accept", _absolute(reverse("workspaces:board_accept", args=[pk]))),
                ("Decline", _absolute(reverse("workspaces:board_decline", args=[pk]))),
            ]
            lines.append(f"Please answer the invitation; the review is due on {assignment.due_date.isoformat()}.")
            items = ChecklistItem.objects.filter(specialty_id=article.specialty_id, active=True) if article else None
            if items is not None and (count := items.count()):
                required = items.filter(required=True).count()
                lines.append(f"The review asks the {count}-item checklist of its specialty ({required} required).")
        elif event.kind == "assignment_cancelled" and not _invitation_was_sent(assignment):
            return None  # the reviewer never heard of it: nothing to take back
    if audience == "thread":
        recipients = _thread_writers(event)
        url = inbox
    elif audience == "round":
        recipients = _round_reviewers(event)
    elif audience == "member":
        recipients = [member_user] if member_user and member_user.is_active else []
    elif audience == "authors":
        recipients = list(article.authors.filter(is_active=True)) if article else []
    else:
        recipients = list(editors())
    # Nobody is told about what they just did themselves.
    recipients = [user for user in recipients if user.pk != event.actor_id]
    return Notice(
        subject=subject_line(subject.format(**context)), lines=lines, url=url, recipients=recipients, links=links
    )


def delivery_modes(users, kind: str) -> dict[int, str]:
    """Return each user's mode for ``kind``: a preference for the kind beats one for all kinds."""
    modes: dict[int, str] = {user.pk: Mode.IMMEDIATE for user in users}
    preferences = NotificationPreference.objects.filter(user__in=list(modes), kind__in=[kind, ALL_KINDS])
    for preference in sorted(preferences, key=lambda p: p.kind != ALL_KINDS):
        modes[preference.user_id] = preference.mode
    if kind in ESSENTIAL_KINDS:
        modes = {pk: (Mode.IMMEDIATE if mode == Mode.OFF else mode) for pk, mode in modes.items()}
    return modes


def fan_out(event: OutboxEvent) -> list[Message]:
    """Create the event's messages, once: an inbox message and an email per recipient.

    Caller holds the event's row lock.
    """
    notice = notice_for(event)
    if notice is None:
        return []
    modes = delivery_modes(notice.recipients, event.kind)
    body = "\n\n".join(notice.lines)
    rows = []
    for user in notice.recipients:
        mode = modes[user.pk]
        if mode == Mode.OFF:
            continue
        common = {"event": event, "recipient": user, "subject": notice.subject, "body": body, "url": notice.url}
        rows.append(Message(channel=Channel.INBOX, sent_at=timezone.now(), **common))
        if user.email:
            rows.append(Message(channel=Channel.EMAIL, digest=mode == Mode.DIGEST, **common))
    # A relay that runs again after a crash adds nothing: the constraint keeps the first rows.
    Message.objects.bulk_create(rows, ignore_conflicts=True)
    return rows


def subject_line(text: str) -> str:
    """Return ``text`` as a mail subject: one line (any run of whitespace or control characters is one space).

    Mail headers refuse a line break: a title or question with one would jam every message about it.
    """
    cleaned = "".join(" " if (char.isspace() or unicodedata.category(char) == "Cc") else char for char in text)
    return " ".join(cleaned.split())[:SUBJECT_MAX_LENGTH]


def message_id(*, event_id: int, recipient_id: int, channel: str) -> str:
    """Return the Message-ID of the mail telling ``event`` to one recipient: the same on every send.

    A copy sent again after a crash carries the first one's Message-ID, so mail readers fold it away.
    """
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2] or "localhost"
    return f"<outbox.{event_id}.{recipient_id}.{channel}@{domain}>"


def _email(
    *, to: str, subject: str, template: str, context: dict, headers: dict | None = None
) -> EmailMultiAlternatives:
    context = {**context, "preferences_url": _absolute(reverse("notifications:preferences"))}
    text = select_template([f"notifications/email/{template}.txt"]).render(context)
    html = select_template([f"notifications/email/{template}.html"]).render(context)
    mail = EmailMultiAlternatives(subject=subject_line(subject), body=text, to=[to], headers=headers)
    mail.attach_alternative(html, "text/html")
    return mail


def _links(message: Message) -> list[tuple[str, str]]:
    if message.event.kind != "reviewer_invited":
        return []
    notice = notice_for(message.event)
    return notice.links if notice else []


def send_email_message(message: Message) -> None:
    """Hand one email message to the mail server. Caller holds its row lock and marks it sent."""
    context = {"message": message, "url": _absolute(message.url), "links": _links(message)}
    headers = {
        "Message-ID": message_id(event_id=message.event_id, recipient_id=message.recipient_id, channel=message.channel)
    }
    _email(
        to=message.recipient.email, subject=message.subject, template="message", context=context, headers=headers
    ).send()


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 3600))


def max_attempts() -> int:
    return int(getattr(settings, "OUTBOX_MAX_ATTEMPTS", 8))


def _claim_and_fan_out(event_id: int) -> bool:
    """Fan out the pending event ``event_id`` unless another relay holds it; return whether it was claimed."""
    with transaction.atomic():
        event = (
            OutboxEvent.objects.select_for_update(skip_locked=True)
            .filter(pk=event_id, status=EventStatus.PENDING)
            .first()
        )
        if event is None:
            return False
        try:
            with transaction.atomic():
                fan_out(event)
        except Exception as error:  # noqa: BLE001  (a broken event must not stop the relay; it is counted)
            logger.warning("outbox event %s: could not fan out", event.pk, exc_info=True)
            _count_failed_pass(event, f"fan-out: {error!r}")
            return False
    return True


def _send_one(message_pk: int) -> str | None:
    """Send one due email in its own transaction, marked sent right after the mail server took it.

    Return the error, or None when it was sent or is not ours to send (sent, or held by another relay).
    A crash between the hand-over and the commit sends that one message again, with the same Message-ID.
    """
    with transaction.atomic():
        message = (
            Message.objects.email_due()
            .select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient", "event")
            .filter(pk=message_pk)
            .first()
        )
        if message is None:
            return None
        try:
            send_email_message(message)
        except Exception as error:  # noqa: BLE001  (SMTP errors are many; the message stays unsent)
            logger.debug("send failed", exc_info=True)
            message.attempts += 1
            message.last_error = repr(error)[:2000]
            fields = ["attempts", "last_error"]
            if message.attempts >= max_attempts():
                message.failed_at = timezone.now()  # set aside: the relay stops trying it
                fields.append("failed_at")
            message.save(update_fields=fields)
            return f"{message.recipient_id}: {error!r}"
        message.sent_at = timezone.now()
        message.attempts += 1
        message.save(update_fields=["sent_at", "attempts"])
    return None


def _count_failed_pass(event: OutboxEvent, error: str) -> None:
    """Count a failed pass over ``event`` (row locked): retry later with backoff, or set it aside."""
    event.attempts += 1
    if event.attempts >= max_attempts():
        event.set_aside(error=error)
        event.save(update_fields=["status", "attempts", "next_attempt_at", "last_error"])
        logger.error("outbox event %s set aside after %d attempts: %s", event.pk, event.attempts, error[:200])
        return
    event.next_attempt_at = timezone.now() + _backoff(event.attempts)
    event.last_error = error[:2000]
    event.save(update_fields=["attempts", "next_attempt_at", "last_error"])


def _settle(event_id: int, failures: list[str]) -> bool:
    """Close the event once none of its emails is due: sent, or set aside if any failed for good."""
    with transaction.atomic():
        event = OutboxEvent.objects.select_for_update().filter(pk=event_id, status=EventStatus.PENDING).first()
        if event is None:
            return False
        due = Message.objects.email_due().filter(event=event).exists()
        if due:
            if failures:
                event.attempts += 1
                event.next_attempt_at = timezone.now() + _backoff(event.attempts)
                event.last_error = "; ".join(failures)[:2000]
                event.save(update_fields=["attempts", "next_attempt_at", "last_error"])
                logger.warning("outbox event %s: %d email(s) failed, retrying later", event.pk, len(failures))
            return False  # or another relay is sending the rest, and settles it
        failed = list(Message.objects.failed().filter(event=event, sent_at__isnull=True).values_list("last_error"))
        event.attempts += 1
        if failed:
            event.set_aside(error="; ".join(error for (error,) in failed))
            event.save(update_fields=["status", "attempts", "next_attempt_at", "last_error"])
            logger.error(
                "outbox event %s set aside: %d email(s) failed %d times", event.pk, len(failed), max_attempts()
            )
            return False
        event.mark_sent()
        event.save(update_fields=["status", "sent_at", "attempts", "next_attempt_at"])
        return True


def relay_event(event_id: int) -> bool:
    """Fan out and send one pending event, if no other relay holds it. Return whether it is done.

    Each email is sent in its own transaction and marked sent at once, so a crash resends at most the one
    email each relay had in hand (duplicates are bounded by the number of relays running at once).
    """
    if not _claim_and_fan_out(event_id):
        return False
    due = Message.objects.email_due().filter(event_id=event_id).order_by("pk").values_list("pk", flat=True)
    failures = [error for pk in list(due) if (error := _send_one(pk)) is not None]
    return _settle(event_id, failures)


def pending_event_ids(limit: int) -> list[int]:
    """Return ids of events due for relaying, oldest first."""
    now = timezone.now()
    return list(
        OutboxEvent.objects.filter(status=EventStatus.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )


def relay_pending(*, batch_size: int = 100, max_batches: int = 50) -> int:
    """Relay due events in batches until none is left; return how many were completed."""
    done = 0
    for _ in range(max_batches):
        ids = pending_event_ids(batch_size)
        if not ids:
            break
        completed = sum(relay_event(pk) for pk in ids)
        done += completed
        if completed == 0:
            break  # everything left is held by another relay or failing: leave it to them / the sweep
    return done


def send_digests() -> int:
    """Send each person one email with the messages held for the digest; return emails sent."""
    sent = 0
    user_ids = (
        Message.objects.filter(channel=Channel.EMAIL, digest=True, sent_at__isnull=True)
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    for user_id in list(user_ids):
        with transaction.atomic():
            held = list(
                Message.objects.select_for_update(skip_locked=True)
                .filter(recipient_id=user_id, channel=Channel.EMAIL, digest=True, sent_at__isnull=True)
                .order_by("created_at", "pk")
            )
            if not held:
                continue
            user = get_user_model().objects.get(pk=user_id)
            context = {"messages": held, "inbox_url": _absolute(reverse("notifications:inbox"))}
            subject = f"Your daily digest: {len(held)} update{'s' if len(held) != 1 else ''}"
            _email(to=user.email, subject=subject, template="digest", context=context).send()
            Message.objects.filter(pk__in=[m.pk for m in held]).update(sent_at=timezone.now())
            sent += 1
    return sent
