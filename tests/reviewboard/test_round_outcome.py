"""Closing the loop: when a round ends its reviewers are told the outcome and read one another's comments to the
authors (never the confidential ones); a reply in a thread reaches those who wrote in it and may see it."""

import pytest
from django.urls import reverse

from reviewboard import services
from reviewboard.models import Decision
from reviewboard.notifications.models import OutboxEvent
from reviewboard.notifications.outbox import notice_for
from reviewboard.services_threads import thread_reply
from tests.reviewboard.test_threads import _open, review  # noqa: F401  (the fixture)


def _close_round(review, board):  # noqa: F811
    services.review_submit(
        assignment=board[0].assignments.get(),
        actor=board[0].user,
        decision=Decision.REQUEST_CHANGES,
        comments_to_author="Give the dose per kilogram.",
        confidential_comments="The authors seem new to this.",
    )


def test_the_round_outcome_reaches_its_reviewers(review, board):  # noqa: F811
    _close_round(review, board)
    event = OutboxEvent.objects.get(kind="round_closed")
    notice = notice_for(event)
    assert notice.subject.endswith("ended: changes requested")
    # The member who decided is not told about their own act; nobody else completed a review.
    assert notice.recipients == []


def test_a_reviewer_reads_the_other_reviews_after_the_round_without_confidential_comments(
    client, article, author, editor, board
):
    services.article_submit(article=article, actor=author)
    assignments = []
    for member in board[:2]:
        assignment = services.assignment_create(article=article, board_member=member, actor=editor)
        assignments.append(services.assignment_accept(assignment=assignment, actor=member.user))
    services.review_submit(assignment=assignments[0], actor=board[0].user, decision=Decision.APPROVE)
    client.force_login(board[0].user)
    page = reverse("workspaces:board_assignment", args=[assignments[0].pk])
    assert "The round ended" not in client.get(page).content.decode()  # not before the outcome is known
    services.review_submit(
        assignment=assignments[1],
        actor=board[1].user,
        decision=Decision.REQUEST_CHANGES,
        comments_to_author="Cite the 2022 guideline.",
        confidential_comments="Second source is weak.",
    )
    event = OutboxEvent.objects.get(kind="round_closed")
    assert [user.pk for user in notice_for(event).recipients] == [board[0].user.pk]
    html = client.get(page).content.decode()
    assert "The round ended: changes requested." in html
    assert "Cite the 2022 guideline." in html
    assert "Second source is weak." not in html


def test_a_reply_reaches_the_thread_writers_who_may_see_it(review, author, editor, board):  # noqa: F811
    public = _open(review, board[0].user)
    thread_reply(thread=public, actor=author, body="Done.")
    event = OutboxEvent.objects.filter(kind="thread_reply").latest("pk")
    assert [u.pk for u in notice_for(event).recipients] == [board[0].user.pk]
    secret = _open(review, editor, confidential=True)
    thread_reply(thread=secret, actor=board[1].user, body="Agreed.")
    event = OutboxEvent.objects.filter(kind="thread_reply").latest("pk")
    assert [u.pk for u in notice_for(event).recipients] == [editor.pk]


@pytest.mark.parametrize("kind", ["thread_reply", "round_closed"])
def test_the_new_kinds_can_be_chosen_in_the_preferences(client, author, kind):
    client.force_login(author)
    assert f'value="{kind}"' in client.get(reverse("notifications:preferences")).content.decode()


def test_the_invitation_names_the_checklist_assigned(article, author, editor, board):
    from tests import factories

    factories.ChecklistItemFactory(specialty=article.specialty, required=True)
    factories.ChecklistItemFactory(specialty=article.specialty, required=False)
    services.article_submit(article=article, actor=author)
    services.assignment_create(article=article, board_member=board[0], actor=editor)
    notice = notice_for(OutboxEvent.objects.get(kind="reviewer_invited"))
    assert "The review asks the 2-item checklist of its specialty (1 required)." in notice.lines
