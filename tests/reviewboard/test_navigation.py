"""The workspace frame's navigation: each role is offered what it may open, with the inbox's unread count."""

import pytest
from django.test import RequestFactory
from django.urls import resolve

from reviewboard.dashboard.views import duration_text
from reviewboard.workspaces.navigation import workspace_navigation
from tests import factories

pytestmark = pytest.mark.django_db


def labels(user, path="/home/"):
    request = RequestFactory().get(path)
    request.user = user
    request.resolver_match = resolve(path)
    return [(item.label, item.count, item.current) for item in workspace_navigation(request)]


def test_an_author_is_offered_articles_inbox_and_account():
    assert [label for label, *_ in labels(factories.AuthorFactory())] == ["My articles", "Inbox", "Account"]


def test_an_editor_is_offered_the_desk_dashboard_questions_and_the_admin_when_staff():
    editor = factories.EditorFactory(is_staff=True)
    factories.MessageFactory(recipient=editor)
    offered = labels(editor, "/dashboard/")
    assert [label for label, *_ in offered] == [
        "Editorial desk",
        "My articles",
        "Dashboard",
        "Reader questions",
        "Inbox",
        "Admin",
        "Account",
    ]
    assert ("Inbox", 1, False) in offered and ("Dashboard", None, True) in offered


def test_a_board_member_is_offered_the_reviews_only():
    member = factories.BoardMemberFactory()
    assert [label for label, *_ in labels(member.user, "/review/")] == ["My reviews", "Inbox", "Account"]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(None, ""), (0, "0 min"), (12, "under 1 min"), (600, "10 min"), (5400, "1.5 h"), (3 * 86400, "3.0 days")],
)
def test_durations_carry_a_unit_that_shows_them(seconds, text):
    assert duration_text(seconds) == text
