"""The transactional outbox: events written with the change, messages fanned out once, sent once."""

import datetime

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from articles.models import Article, ArticleState
from articles.selectors import published_revision
from reviewboard import events, services
from reviewboard.models import Decision
from reviewboard.notifications import outbox, schedules
from reviewboard.notifications.models import Channel, EventStatus, Message, Mode, NotificationPreference, OutboxEvent
from reviewboard.notifications.tasks import relay
from tests import factories

pytestmark = pytest.mark.django_db


def _messages():
    """The messages the database holds, as (kind, username, channel) triples."""
    return sorted(Message.objects.values_list("event__kind", "recipient__username", "channel"))


def _in_review(article, author, editor, members):
    services.article_submit(article=article, actor=author)
    assignments = [services.assignment_create(article=article, board_member=m, actor=editor) for m in members]
    for assignment in assignments:
        services.assignment_accept(assignment=assignment, actor=assignment.board_member.user)
    article.refresh_from_db()
    return assignments


def test_transition_writes_its_event_in_the_same_transaction_and_nudges_after_commit(
    article, author, editor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as callbacks:
        services.article_submit(article=article, actor=author)
    event = OutboxEvent.objects.get(kind="submit")
    assert event.status == EventStatus.PENDING
    assert event.article_id == article.pk
    assert event.actor_id == author.pk
    assert event.payload == {"from_state": "draft", "to_state": "submitted", "reason": ""}
    assert events.nudge_after_commit in callbacks


def test_rolled_back_change_leaves_no_event(article, author):
    with pytest.raises(RuntimeError), transaction.atomic():
        services.article_submit(article=article, actor=author)
        raise RuntimeError("the request failed after the service")
    assert not OutboxEvent.objects.exists()
    article.refresh_from_db()
    assert article.state == ArticleState.DRAFT


def test_submission_tells_each_editor_by_inbox_and_email(article, author, editor):
    other_editor = factories.EditorFactory(username="editor2")
    services.article_submit(article=article, actor=author)
    assert outbox.relay_pending() == 1
    assert _messages() == [
        ("submit", "editor", "email"),
        ("submit", "editor", "inbox"),
        ("submit", "editor2", "email"),
        ("submit", "editor2", "inbox"),
    ]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([editor.email, other_editor.email])
    assert OutboxEvent.objects.get().status == EventStatus.SENT
    assert not Message.objects.filter(sent_at__isnull=True).exists()


def test_invitation_email_has_text_and_html_with_accept_and_decline_links(article, author, editor, board):
    services.article_submit(article=article, actor=author)
    assignment = services.assignment_create(article=article, board_member=board[0], actor=editor)
    outbox.relay_pending()
    invited = [m for m in mail.outbox if m.to == [board[0].user.email]]
    assert len(invited) == 1
    email = invited[0]
    assert email.subject == f"You are invited to review “{article.title}”"
    accept = f"http://127.0.0.1:8000/review/assignments/{assignment.pk}/accept/"
    decline = f"http://127.0.0.1:8000/review/assignments/{assignment.pk}/decline/"
    assert f"Accept: {accept}" in email.body and f"Decline: {decline}" in email.body
    html, mimetype = email.alternatives[0]
    assert mimetype == "text/html"
    assert f'href="{accept}"' in html and f'href="{decline}"' in html and ">Decline</a>" in html
    assert ("reviewer_invited", "neuro1", "inbox") in _messages()


def test_an_invitation_cancelled_before_it_went_out_is_never_sent_nor_taken_back(article, author, editor, board):
    services.article_submit(article=article, actor=author)
    assignment = services.assignment_create(article=article, board_member=board[0], actor=editor)
    services.assignment_cancel(assignment=assignment, actor=editor, reason="Wrong person.")
    outbox.relay_pending()
    assert not [m for m in mail.outbox if m.to == [board[0].user.email]]
    assert not Message.objects.filter(recipient=board[0].user).exists()
    assert not OutboxEvent.objects.filter(status=EventStatus.PENDING).exists()


def test_a_reviewer_whose_assignment_is_cancelled_is_told_why_by_email_and_inbox(article, author, editor, board):
    services.article_submit(article=article, actor=author)
    assignment = services.assignment_create(article=article, board_member=board[0], actor=editor)
    outbox.relay_pending()
    mail.outbox.clear()
    services.article_withdraw(article=article, actor=author, reason="The authors found an error.")
    outbox.relay_pending()
    told = [m for m in mail.outbox if m.to == [board[0].user.email]]
    assert [m.subject for m in told] == [f"Your review of “{article.title}” is no longer needed"]
    assert "The review round ended: the authors withdrew the article." in told[0].body
    inbox = Message.objects.get(recipient=board[0].user, channel=Channel.INBOX, event__kind="assignment_cancelled")
    assert inbox.url == f"/review/assignments/{assignment.pk}/"


def test_request_for_changes_produces_exactly_the_expected_messages(article, author, editor, board):
    first, second = _in_review(article, author, editor, board[:2])
    outbox.relay_pending()
    Message.objects.all().delete()
    OutboxEvent.objects.all().delete()
    services.review_submit(
        assignment=first, actor=first.board_member.user, decision=Decision.REQUEST_CHANGES, comments_to_author="Fix"
    )
    outbox.relay_pending()
    assert _messages() == [
        ("request_changes", "author", "email"),
        ("request_changes", "author", "inbox"),
        ("review_submitted", "editor", "email"),
        ("review_submitted", "editor", "inbox"),
    ]


def test_approval_tells_the_authors_but_not_the_actor(article, author, editor, board):
    first, second = _in_review(article, author, editor, board[:2])
    services.review_submit(assignment=first, actor=first.board_member.user, decision=Decision.APPROVE)
    outbox.relay_pending()
    mail.outbox.clear()
    services.review_submit(assignment=second, actor=second.board_member.user, decision=Decision.APPROVE)
    outbox.relay_pending()
    assert sorted((m.to[0], m.subject) for m in mail.outbox) == sorted(
        [
            (author.email, f"“{article.title}” is approved and published"),
            (editor.email, f"{second.board_member.display_name} submitted a review of “{article.title}”"),
            # The round's other reviewer learns the outcome; the one who just decided is not told.
            (
                first.board_member.user.email,
                f"The review round you took part in on “{article.title}” ended: approved",
            ),
        ]
    )


def test_a_message_exists_at_most_once_per_event_recipient_and_channel(article, author, editor):
    services.article_submit(article=article, actor=author)
    outbox.relay_pending()
    message = Message.objects.get(channel=Channel.EMAIL)
    with pytest.raises(IntegrityError), transaction.atomic():
        Message.objects.create(event=message.event, recipient=message.recipient, channel=Channel.EMAIL, subject="x")


def test_relaying_twice_sends_nothing_twice(article, author, editor):
    services.article_submit(article=article, actor=author)
    event = OutboxEvent.objects.get()
    assert outbox.relay_event(event.pk) is True
    assert outbox.relay_event(event.pk) is False
    relay.apply()
    # Even a forced second fan-out of the same event adds no row and sends nothing.
    outbox.fan_out(event)
    assert Message.objects.count() == 2
    assert len(mail.outbox) == 1


def test_failed_email_is_retried_later_and_sent_once(article, author, editor, monkeypatch):
    factories.EditorFactory(username="editor2")
    services.article_submit(article=article, actor=author)
    real_send = outbox.send_email_message

    def flaky(message):
        if message.recipient.username == "editor2":
            raise ConnectionRefusedError("SMTP down")
        real_send(message)

    monkeypatch.setattr(outbox, "send_email_message", flaky)
    assert outbox.relay_pending() == 0
    event = OutboxEvent.objects.get()
    assert event.status == EventStatus.PENDING
    assert event.next_attempt_at > timezone.now()
    assert "SMTP down" in event.last_error
    assert [m.to for m in mail.outbox] == [[editor.email]]

    monkeypatch.setattr(outbox, "send_email_message", real_send)
    assert outbox.relay_pending() == 0  # not due yet: backoff
    OutboxEvent.objects.update(next_attempt_at=timezone.now())
    assert outbox.relay_pending() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([editor.email, "editor2@example.org"])


def test_a_broker_error_never_fails_the_transition(article, author, editor, monkeypatch, caplog):
    def broker_down(*args, **kwargs):
        raise ConnectionError("Error 111 connecting to 127.0.0.1:1")

    monkeypatch.setattr(relay, "apply_async", broker_down)
    events.nudge_relay()
    assert "the sweep will send pending events" in caplog.text


def test_digest_holds_email_until_the_daily_digest(article, author, editor):
    NotificationPreference.objects.create(user=editor, kind="all", mode=Mode.DIGEST)
    services.article_submit(article=article, actor=author)
    outbox.relay_pending()
    assert mail.outbox == []
    assert Message.objects.get(channel=Channel.EMAIL).digest is True
    assert Message.objects.filter(channel=Channel.INBOX, recipient=editor).exists()
    assert outbox.send_digests() == 1
    assert outbox.send_digests() == 0
    (digest,) = mail.outbox
    assert digest.subject == "Your daily digest: 1 update"
    assert f"New submission: “{article.title}”" in digest.body


def test_turned_off_kind_sends_nothing_but_a_kind_preference_beats_all(article, author, editor):
    NotificationPreference.objects.create(user=editor, kind="submit", mode=Mode.OFF)
    services.article_submit(article=article, actor=author)
    outbox.relay_pending()
    assert not Message.objects.exists()

    NotificationPreference.objects.filter(user=editor).update(kind="all")
    NotificationPreference.objects.create(user=editor, kind="withdraw", mode=Mode.IMMEDIATE)
    services.article_withdraw(article=article, actor=author, reason="Not ready")
    outbox.relay_pending()
    assert _messages() == [("withdraw", "editor", "email"), ("withdraw", "editor", "inbox")]


def test_essential_messages_go_out_even_when_everything_is_off(article, author, editor):
    NotificationPreference.objects.create(user=author, kind="all", mode=Mode.OFF)
    services.article_submit(article=article, actor=author)
    services.article_reject(article=article, actor=editor, reason="Out of scope")
    outbox.relay_pending()
    assert ("reject", "author", "email") in _messages()
    body = Message.objects.get(event__kind="reject", channel=Channel.INBOX).body
    assert body == "Reason: Out of scope"


def test_reminders_are_published_once_per_assignment_and_day(article, author, editor, board):
    services.article_submit(article=article, actor=author)
    today = timezone.localdate()
    soon = services.assignment_create(
        article=article, board_member=board[0], actor=editor, due_date=today + datetime.timedelta(days=1)
    )
    late = services.assignment_create(article=article, board_member=board[1], actor=editor)
    type(late).objects.filter(pk=late.pk).update(due_date=today - datetime.timedelta(days=5))
    assert schedules.publish_review_reminders() == 3
    assert schedules.publish_review_reminders() == 0
    outbox.relay_pending()
    reminders = [m for m in _messages() if m[0].startswith("review_")]
    assert reminders == [
        ("review_due_soon", "neuro1", "email"),
        ("review_due_soon", "neuro1", "inbox"),
        ("review_escalated", "editor", "email"),
        ("review_escalated", "editor", "inbox"),
        ("review_overdue", "neuro2", "email"),
        ("review_overdue", "neuro2", "inbox"),
    ]
    assert soon.pk != late.pk
    tomorrow = today + datetime.timedelta(days=1)
    assert schedules.publish_review_reminders(today=tomorrow) == 3  # a new day, a new reminder


def test_old_approved_articles_get_a_review_round_while_readers_keep_the_approved_text(
    author, editor, neurology, board, settings
):
    settings.REREVIEW_AFTER_DAYS = 365
    old = factories.ArticleFactory(authors=[author], specialty=neurology)
    recent = factories.ArticleFactory(authors=[author], specialty=neurology)
    for article, age in ((old, 400), (recent, 30)):
        Article.objects.filter(pk=article.pk).update(
            state=ArticleState.APPROVED,
            approved_revision=article.current_revision,
            approved_at=timezone.now() - datetime.timedelta(days=age),
        )
    approved = old.current_revision

    assert schedules.open_rereviews_due() == 1
    assert schedules.open_rereviews_due() == 0  # already in its round

    old.refresh_from_db()
    assert old.state == ArticleState.UNDER_REVIEW
    assert old.approved_revision == approved
    assert published_revision(slug=old.slug) == approved
    assert old.current_revision.number == approved.number + 1
    assert old.current_revision.sections == approved.sections
    assert list(old.transitions.values_list("transition", flat=True)) == ["revise", "submit", "start_review"]
    assert old.current_revision.assignments.count() == settings.REVIEW_QUORUM
    outbox.relay_pending()
    assert ("rereview_due", "editor", "email") in _messages()
    assert not Message.objects.filter(recipient__username="editorial-system").exists()
