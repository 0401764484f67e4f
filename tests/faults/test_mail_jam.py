"""Mail that cannot jam: single-line subjects, failed messages set aside with their error, retried on demand."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group, Permission
from django.core import mail
from django.core.management import call_command
from django.urls import reverse

from articles.exceptions import ActionForbidden
from articles.permissions import EDITORS_GROUP
from reviewboard import services
from reviewboard.notifications import outbox, services as notifications
from reviewboard.notifications.models import Channel, EventStatus, Message, OutboxEvent
from tests import factories

pytestmark = pytest.mark.django_db

REFUSING = "tests.faults.mailboxes.RefusingBackend"


@pytest.fixture
def locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _article_titled(title, author, specialty):
    article = factories.ArticleFactory(authors=[author], specialty=specialty, revision=False)
    # Rows written before the title rule, or by a door that skipped it: the relay must still send.
    factories.RevisionFactory(article=article, created_by=author, title=title)
    return article


@pytest.mark.parametrize("title", ["Line one\nline two?", "Tabs\tand\r\nreturns\x0b?", "Ends with a break\n"])
def test_a_title_with_line_breaks_makes_a_single_line_subject_and_the_mail_goes_out(
    title, author, editor, neurology, locmem_mail
):
    article = _article_titled(title, author, neurology)
    services.article_submit(article=article, actor=author)
    outbox.relay_pending()
    assert OutboxEvent.objects.get(kind="submit").status == EventStatus.SENT
    [sent] = mail.outbox
    assert "\n" not in sent.subject and "\r" not in sent.subject
    assert sent.subject == " ".join(f"New submission: “{title}”".split())
    assert "\n" not in Message.objects.get(channel=Channel.EMAIL).subject


def test_subject_line_joins_lines_and_drops_control_characters():
    assert outbox.subject_line("What causes\r\n myoclonus\x00(jerks)?\u2028") == "What causes myoclonus (jerks)?"
    assert len(outbox.subject_line("x" * 1000)) == outbox.SUBJECT_MAX_LENGTH


def test_each_email_carries_a_stable_message_id_from_event_recipient_and_channel(author, editor, article, locmem_mail):
    services.article_submit(article=article, actor=author)
    outbox.relay_pending()
    [sent] = mail.outbox
    event = OutboxEvent.objects.get(kind="submit")
    assert sent.extra_headers["Message-ID"] == outbox.message_id(
        event_id=event.pk, recipient_id=editor.pk, channel=Channel.EMAIL
    )
    assert sent.message()["Message-ID"] == f"<outbox.{event.pk}.{editor.pk}.email@localhost>"


def test_a_message_that_keeps_failing_is_set_aside_with_its_error_then_retried_on_demand(
    settings, article, author, editor
):
    settings.OUTBOX_MAX_ATTEMPTS = 3
    settings.EMAIL_BACKEND = REFUSING
    services.article_submit(article=article, actor=author)
    event = OutboxEvent.objects.get(kind="submit")
    for _ in range(5):  # more passes than allowed: the sweep stops trying after the third
        outbox.relay_event(event.pk)
    event.refresh_from_db()
    email = Message.objects.get(channel=Channel.EMAIL)
    assert event.status == EventStatus.FAILED
    assert email.attempts == 3
    assert email.failed_at is not None and email.sent_at is None
    assert "refused the connection" in email.last_error
    assert "refused the connection" in event.last_error
    assert event.pk not in outbox.pending_event_ids(100)

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications.outbox_events_retry(event_ids=[event.pk], actor=editor) == 1
    assert event.pk in outbox.pending_event_ids(100)  # due now
    outbox.relay_pending()
    event.refresh_from_db()
    email.refresh_from_db()
    assert event.status == EventStatus.SENT
    assert email.sent_at is not None and email.failed_at is None
    assert [m.to for m in mail.outbox] == [[editor.email]]


def test_a_failure_before_any_mail_is_counted_and_set_aside_too(settings, monkeypatch, article, author, editor):
    settings.OUTBOX_MAX_ATTEMPTS = 2

    def broken(event):
        raise RuntimeError("the notice cannot be written")

    monkeypatch.setattr(outbox, "notice_for", broken)
    services.article_submit(article=article, actor=author)
    event = OutboxEvent.objects.get(kind="submit")
    outbox.relay_event(event.pk)
    outbox.relay_event(event.pk)
    event.refresh_from_db()
    assert event.status == EventStatus.FAILED
    assert event.attempts == 2
    assert "the notice cannot be written" in event.last_error


def test_only_editors_and_admins_may_retry(article, author):
    event = factories.OutboxEventFactory()
    with pytest.raises(ActionForbidden):
        notifications.outbox_events_retry(event_ids=[event.pk], actor=author)


def test_the_command_lists_stuck_events_and_retries_them(settings, article, author, editor, locmem_mail):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    settings.EMAIL_BACKEND = REFUSING
    services.article_submit(article=article, actor=author)
    outbox.relay_pending()
    fresh = factories.OutboxEventFactory(kind="withdraw")  # pending, but not for long: not stuck
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    out = StringIO()
    call_command("outbox_stuck", stdout=out)
    listing = out.getvalue()
    assert "\tfailed\tsubmit\t" in listing and "refused the connection" in listing
    assert "withdraw" not in listing
    assert "1 stuck event(s)" in listing

    out = StringIO()
    call_command("outbox_stuck", "--retry", stdout=out)
    assert "1 event(s) retried" in out.getvalue()
    outbox.relay_event(OutboxEvent.objects.get(kind="submit").pk)  # what the nudge after commit does
    assert OutboxEvent.objects.get(kind="submit").status == EventStatus.SENT
    assert OutboxEvent.objects.get(pk=fresh.pk).status == EventStatus.PENDING
    assert [m.to for m in mail.outbox] == [[editor.email]]


@pytest.fixture
def admin_client_(client):
    admin = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def test_admin_lists_events_and_messages_read_only_with_filters(admin_client_, settings, article, author, editor):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    settings.EMAIL_BACKEND = REFUSING
    services.article_submit(article=article, actor=author)
    outbox.relay_pending()
    event = OutboxEvent.objects.get(kind="submit")
    events_url = reverse("admin:reviewboard_outboxevent_changelist")
    page = admin_client_.get(events_url, {"status": "failed", "kind": "submit"})
    assert page.status_code == 200
    assert "refused the connection" in page.text
    assert admin_client_.get(events_url, {"status": "sent"}).context["cl"].result_count == 0
    messages_url = reverse("admin:reviewboard_message_changelist")
    page = admin_client_.get(messages_url, {"state": "failed", "kind": "submit"})
    assert page.context["cl"].result_count == 1
    change = admin_client_.get(reverse("admin:reviewboard_outboxevent_change", args=[event.pk]))
    assert change.status_code == 200
    assert 'name="_save"' not in change.text  # read-only
    assert admin_client_.get(reverse("admin:reviewboard_outboxevent_add")).status_code == 403


def test_admin_retry_now_sends_through_the_service(admin_client_, settings, article, author, editor):
    settings.OUTBOX_MAX_ATTEMPTS = 1
    settings.EMAIL_BACKEND = REFUSING
    services.article_submit(article=article, actor=author)
    outbox.relay_pending()
    event = OutboxEvent.objects.get(kind="submit")
    assert event.status == EventStatus.FAILED
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    response = admin_client_.post(
        reverse("admin:reviewboard_outboxevent_changelist"),
        {"action": "retry_now", "_selected_action": [event.pk]},
        follow=True,
    )
    assert "1 event(s) will be relayed now" in response.text
    assert event.pk in outbox.pending_event_ids(100)
    outbox.relay_pending()  # what the nudge after commit does
    event.refresh_from_db()
    assert event.status == EventStatus.SENT
    assert [m.to for m in mail.outbox] == [[editor.email]]


def test_a_staff_member_without_the_editor_role_cannot_retry(client, settings, article, author):
    staff = factories.UserFactory(username="clerk", is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename="view_outboxevent"))
    client.force_login(staff)
    event = factories.OutboxEventFactory()
    page = client.get(reverse("admin:reviewboard_outboxevent_changelist"))
    assert page.status_code == 200
    assert "retry_now" not in page.text
    assert not Group.objects.filter(name=EDITORS_GROUP, user=staff).exists()
    assert OutboxEvent.objects.get(pk=event.pk).status == EventStatus.PENDING
