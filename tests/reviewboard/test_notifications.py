"""The in-app inbox and notification preferences, as a person sees them."""

import pytest
from django.urls import reverse

from articles.exceptions import ValidationFailed
from reviewboard import services as workflow
from reviewboard.notifications import outbox, services
from reviewboard.notifications.models import Channel, Message, Mode, NotificationPreference
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(article, author, editor):
    """An article submitted by its author, its messages relayed."""
    workflow.article_submit(article=article, actor=author)
    outbox.relay_pending()
    return article


def test_inbox_requires_login(client):
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 302
    assert "next=/inbox/" in response["Location"]


def test_inbox_lists_only_the_users_own_messages(client, submitted, editor, author):
    client.force_login(editor)
    response = client.get(reverse("notifications:inbox"))
    assert response.status_code == 200
    assert f"New submission: “{submitted.title}”" in response.content.decode()
    assert "1 unread message." in response.content.decode()
    client.force_login(author)
    assert "No messages yet" in client.get(reverse("notifications:inbox")).content.decode()


def test_inbox_page_does_not_grow_in_queries_with_messages(client, editor, author, django_assert_max_num_queries):
    for _ in range(5):
        workflow.article_submit(article=factories.ArticleFactory(authors=[author]), actor=author)
    outbox.relay_pending()
    client.force_login(editor)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("notifications:inbox"))
    assert response.content.decode().count('<li class="article-card') == 5


def test_mark_read_clears_the_unread_count(client, submitted, editor):
    message = Message.objects.get(recipient=editor, channel=Channel.INBOX)
    client.force_login(editor)
    response = client.post(reverse("notifications:mark_read", args=[message.pk]))
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.read_at is not None
    assert "Nothing unread." in client.get(reverse("notifications:inbox")).content.decode()


def test_nobody_marks_another_persons_message(client, submitted, editor, author):
    message = Message.objects.get(recipient=editor, channel=Channel.INBOX)
    client.force_login(author)
    assert client.post(reverse("notifications:mark_read", args=[message.pk])).status_code == 404
    message.refresh_from_db()
    assert message.read_at is None


def test_mark_all_read(client, submitted, editor):
    client.force_login(editor)
    client.post(reverse("notifications:mark_all_read"))
    assert not Message.objects.inbox_of(editor).unread().exists()


def test_mark_read_needs_post(client, submitted, editor):
    message = Message.objects.get(recipient=editor, channel=Channel.INBOX)
    client.force_login(editor)
    assert client.get(reverse("notifications:mark_read", args=[message.pk])).status_code == 405


@pytest.mark.parametrize("kind", ["reviewer_invited", "request_changes", "approve", "reject", "retract"])
def test_essential_kinds_cannot_be_turned_off(author, kind):
    with pytest.raises(ValidationFailed, match="essential"):
        services.preference_set(user=author, kind=kind, mode=Mode.OFF)
    assert not NotificationPreference.objects.exists()


def test_unknown_kind_or_mode_is_refused(author):
    with pytest.raises(ValidationFailed):
        services.preference_set(user=author, kind="gossip", mode=Mode.OFF)
    with pytest.raises(ValidationFailed):
        services.preference_set(user=author, kind="submit", mode="carrier-pigeon")


def test_setting_a_preference_twice_keeps_one_row(editor):
    services.preference_set(user=editor, kind="submit", mode=Mode.OFF)
    services.preference_set(user=editor, kind="submit", mode=Mode.DIGEST)
    assert list(NotificationPreference.objects.values_list("kind", "mode")) == [("submit", "digest")]


def test_preferences_page_saves_a_choice(client, editor):
    client.force_login(editor)
    page = client.get(reverse("notifications:preferences")).content.decode()
    assert "Essential" in page
    response = client.post(reverse("notifications:preferences"), {"kind": "review_submitted", "mode": "digest"})
    assert response.status_code == 302
    assert NotificationPreference.objects.get(user=editor).mode == Mode.DIGEST


def test_preferences_page_refuses_turning_off_an_essential_kind(client, author):
    client.force_login(author)
    response = client.post(reverse("notifications:preferences"), {"kind": "approve", "mode": "off"})
    assert response.status_code == 400
    assert "cannot be turned off" in response.content.decode()
