"""Review rounds: a resubmission carries the authors' response letter, re-invites the previous round's reviewers,
and each of them sees the diff against the revision they reviewed; rounds are listed with their outcome."""

import pytest
from django.urls import reverse

from articles.exceptions import ValidationFailed
from reviewboard import actions, services
from reviewboard.models import AssignmentStatus, Decision, ReviewAssignment, RoundOutcome
from tests import factories
from tests.reviewboard.test_api_workflow import client_for

LETTER = "We changed the dose to 250 mg as asked, and cited the 2022 guideline."


@pytest.fixture
def changes_requested(article, author, editor, board):
    """Round 1: board[0] asked for changes; board[1] had accepted and was cancelled when the round ended."""
    services.article_submit(article=article, actor=author)
    first = services.assignment_create(article=article, board_member=board[0], actor=editor)
    services.assignment_accept(assignment=first, actor=board[0].user)
    second = services.assignment_create(article=article, board_member=board[1], actor=editor)
    services.assignment_accept(assignment=second, actor=board[1].user)
    services.review_submit(
        assignment=first, actor=board[0].user, decision=Decision.REQUEST_CHANGES, comments_to_author="Fix the dose."
    )
    factories.RevisionFactory(
        article=article,
        created_by=author,
        sections=[{"heading": "From the Guidelines", "body": "It is well known, at 250 mg [1]."}],
    )
    article.refresh_from_db()
    return article


def test_resubmission_carries_the_letter_and_reinvites_the_reviewers_of_the_previous_round(
    changes_requested, author, board
):
    services.article_submit(article=changes_requested, actor=author, response_letter=LETTER)
    changes_requested.refresh_from_db()
    rounds = list(changes_requested.review_rounds.order_by("number"))
    assert [(r.number, r.outcome, r.response_letter) for r in rounds] == [
        (1, RoundOutcome.CHANGES_REQUESTED, ""),
        (2, "", LETTER),
    ]
    invited = ReviewAssignment.objects.filter(review_round=rounds[1])
    # Only the member who reviewed is invited again; the cancelled one is the editors' choice.
    assert [(a.board_member, a.status) for a in invited] == [(board[0], AssignmentStatus.INVITED)]
    assert invited[0].assigned_by.username == "editorial-system"
    assert changes_requested.state == "under_review"


def test_a_reviewer_who_cannot_review_now_is_not_reinvited(changes_requested, author, board):
    factories.ConflictOfInterestFactory(board_member=board[0], article=changes_requested)
    services.article_submit(article=changes_requested, actor=author)
    changes_requested.refresh_from_db()
    assert changes_requested.state == "submitted"  # waiting for an editor to assign
    assert not ReviewAssignment.objects.filter(review_round__number=2).exists()


def test_the_letter_is_checked_by_its_text_rule(changes_requested, author):
    with pytest.raises(ValidationFailed) as caught:
        services.article_submit(article=changes_requested, actor=author, response_letter="x" * 20_001)
    assert caught.value.errors[0].field == "response_letter"


def test_the_reinvited_reviewer_sees_the_letter_and_the_diff_against_what_they_reviewed(
    client, changes_requested, author, board
):
    services.article_submit(article=changes_requested, actor=author, response_letter=LETTER)
    assignment = ReviewAssignment.objects.get(review_round__number=2)
    client.force_login(board[0].user)
    html = client.get(reverse("workspaces:board_assignment", args=[assignment.pk])).content.decode()
    assert LETTER in html
    assert "Changes since the revision you reviewed" in html
    assert "Compared with revision 1, the one you reviewed in round 1." in html


def test_the_web_resubmit_form_posts_the_letter(client, changes_requested, author):
    client.force_login(author)
    page = client.get(reverse("workspaces:author_article", args=[changes_requested.slug])).content.decode()
    assert 'name="response_letter"' in page
    response = client.post(
        reverse("workspaces:article_action", args=[changes_requested.slug, "resubmit"]), {"response_letter": LETTER}
    )
    assert response.status_code == 302
    assert changes_requested.review_rounds.get(number=2).response_letter == LETTER


def test_the_api_resubmits_with_the_letter(changes_requested, author):
    response = client_for(author).post(
        f"/api/v1/drafts/{changes_requested.slug}/resubmit/", {"response_letter": LETTER}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert changes_requested.review_rounds.get(number=2).response_letter == LETTER


def test_only_a_resubmission_takes_a_letter(article, author):
    with pytest.raises(ValidationFailed):
        actions.perform("withdraw", article=article, actor=author, reason="x", response_letter=LETTER)


def test_rounds_are_listed_with_their_outcome_for_editors_and_authors(client, changes_requested, author, editor):
    services.article_submit(article=changes_requested, actor=author, response_letter=LETTER)
    for person, page in ((editor, "workspaces:editor_article"), (author, "workspaces:author_article")):
        client.force_login(person)
        html = client.get(reverse(page, args=[changes_requested.slug])).content.decode()
        table = html[html.index('id="rounds-title"') :]
        assert "Changes requested" in table and "open" in table
        assert LETTER in table


def test_editors_read_the_rounds_in_the_admin(client, changes_requested, author):
    services.article_submit(article=changes_requested, actor=author, response_letter=LETTER)
    staff = factories.EditorFactory(username="chair", is_staff=True)
    client.force_login(staff)
    listing = client.get(reverse("admin:reviewboard_reviewround_changelist")).content.decode()
    assert "Changes requested" in listing
    second = changes_requested.review_rounds.get(number=2)
    page = client.get(reverse("admin:reviewboard_reviewround_change", args=[second.pk])).content.decode()
    assert LETTER in page
