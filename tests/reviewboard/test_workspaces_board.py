import pytest

from articles.models import ArticleState
from reviewboard import services
from reviewboard.models import AssignmentStatus, ConflictOfInterest, Decision
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def invited(article, author, editor, board):
    """The article submitted, with the first two board members invited."""
    services.article_submit(article=article, actor=author)
    return [services.assignment_create(article=article, board_member=m, actor=editor) for m in board[:2]]


def test_dashboard_lists_invitations_and_queue(client, invited):
    member = invited[0].board_member
    client.force_login(member.user)
    response = client.get("/review/")
    assert response.status_code == 200
    assert response.context["invitations"] == [invited[0]]
    assert invited[0].revision.title.encode() in response.content


def test_accept_moves_invitation_to_queue(client, invited):
    assignment = invited[0]
    client.force_login(assignment.board_member.user)
    response = client.post(f"/review/assignments/{assignment.pk}/accept/")
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.ACCEPTED
    assert client.get("/review/").context["queue"] == [assignment]


def test_decline_with_conflict_of_interest_records_it(client, invited, article):
    assignment = invited[0]
    client.force_login(assignment.board_member.user)
    client.post(
        f"/review/assignments/{assignment.pk}/decline/",
        {"conflict_of_interest": "on", "reason": "I consult for the maker."},
    )
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.DECLINED
    assert ConflictOfInterest.objects.filter(board_member=assignment.board_member, article=article).exists()


def test_conflict_without_reason_is_refused_with_message(client, invited):
    assignment = invited[0]
    client.force_login(assignment.board_member.user)
    response = client.post(f"/review/assignments/{assignment.pk}/decline/", {"conflict_of_interest": "on"}, follow=True)
    assert b"Give a reason to declare a conflict of interest." in response.content
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.INVITED


def test_review_page_shows_exact_revision_references_and_first_version(client, invited):
    assignment = invited[0]
    client.force_login(assignment.board_member.user)
    response = client.get(f"/review/assignments/{assignment.pk}/")
    assert response.status_code == 200
    assert b"First version" in response.content
    assert b'id="ref-1"' in response.content
    assert f"revision {assignment.revision.number}".encode() in response.content


def test_review_page_diffs_against_the_approved_revision(client, author, neurology, editor, board):
    article = factories.ArticleFactory(authors=[author], specialty=neurology)
    approved = article.current_revision
    type(article).objects.filter(pk=article.pk).update(
        state=ArticleState.APPROVED, approved_revision=approved, approved_at="2025-01-01T00:00:00Z"
    )
    services.article_revise(article=article, actor=author)
    factories.RevisionFactory(
        article=article, sections=[{"heading": "From the Guidelines", "body": "It is now well known [1]."}]
    )
    services.article_submit(article=article, actor=author)
    assignment = services.assignment_create(article=article, board_member=board[0], actor=editor)
    client.force_login(board[0].user)
    response = client.get(f"/review/assignments/{assignment.pk}/")
    assert b"<ins>now " in response.content
    assert f"Compared with revision {approved.number}".encode() in response.content


def test_decision_form_submits_review(client, invited, article):
    assignment = invited[0]
    user = assignment.board_member.user
    services.assignment_accept(assignment=assignment, actor=user)
    client.force_login(user)
    response = client.post(
        f"/review/assignments/{assignment.pk}/decide/",
        {"decision": Decision.REQUEST_CHANGES, "comments_to_author": "Add dosing.", "confidential_comments": "Weak."},
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.state == ArticleState.CHANGES_REQUESTED
    assert assignment.__class__.objects.get(pk=assignment.pk).review.confidential_comments == "Weak."


def test_request_changes_without_comments_shows_the_message(client, invited):
    assignment = invited[0]
    user = assignment.board_member.user
    services.assignment_accept(assignment=assignment, actor=user)
    client.force_login(user)
    response = client.post(
        f"/review/assignments/{assignment.pk}/decide/", {"decision": Decision.REQUEST_CHANGES}, follow=True
    )
    assert b"comments to the author are required" in response.content


def test_invalid_decision_is_shown_beside_the_field(client, invited):
    assignment = invited[0]
    services.assignment_accept(assignment=assignment, actor=assignment.board_member.user)
    client.force_login(assignment.board_member.user)
    response = client.post(f"/review/assignments/{assignment.pk}/decide/", {"decision": "maybe"})
    assert response.status_code == 400
    assert "decision" in response.context["decision_form"].errors


def test_reviewing_before_accepting_is_refused_with_message(client, invited):
    assignment = invited[0]
    client.force_login(assignment.board_member.user)
    response = client.post(f"/review/assignments/{assignment.pk}/decide/", {"decision": Decision.APPROVE}, follow=True)
    assert b"Accept the invitation before you submit a review." in response.content


def test_board_member_cannot_open_another_members_assignment(client, invited, board):
    client.force_login(board[2].user)
    for suffix in ("", "accept/", "decline/", "decide/"):
        method = client.get if suffix == "" else client.post
        assert method(f"/review/assignments/{invited[0].pk}/{suffix}").status_code == 404
    invited[0].refresh_from_db()
    assert invited[0].status == AssignmentStatus.INVITED


def test_author_cannot_reach_review_workspace(client, author, invited):
    client.force_login(author)
    assert client.get("/review/").status_code == 403
    assert client.get(f"/review/assignments/{invited[0].pk}/").status_code == 403


def test_dashboard_queries_do_not_grow_with_assignments(client, board, editor, django_assert_max_num_queries):
    member = board[0]

    def add(count):
        for _ in range(count):
            article = factories.ArticleFactory()
            factories.ReviewAssignmentFactory(
                revision=article.current_revision, board_member=member, status=AssignmentStatus.INVITED
            )

    add(2)
    client.force_login(member.user)
    with django_assert_max_num_queries(10) as small:
        client.get("/review/")
    add(4)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get("/review/")


@pytest.mark.parametrize("answer", ["accept", "decline"])
def test_the_emails_links_open_a_confirmation_and_change_nothing(client, invited, answer):
    assignment = invited[0]
    client.force_login(assignment.board_member.user)
    response = client.get(f"/review/assignments/{assignment.pk}/{answer}/")
    assert response.status_code == 200
    assert f'action="/review/assignments/{assignment.pk}/{answer}/"'.encode() in response.content
    assert f"{answer.title()} the invitation".encode() in response.content
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.INVITED


def test_a_confirmation_link_of_another_members_invitation_is_not_found(client, invited):
    client.force_login(invited[1].board_member.user)
    assert client.get(f"/review/assignments/{invited[0].pk}/accept/").status_code == 404


def test_a_confirmation_for_an_answered_invitation_says_there_is_nothing_to_do(client, invited):
    assignment = invited[0]
    services.assignment_accept(assignment=assignment, actor=assignment.board_member.user)
    client.force_login(assignment.board_member.user)
    response = client.get(f"/review/assignments/{assignment.pk}/accept/")
    assert b"already accepted: there is nothing to accept" in response.content
    assert b'<button type="submit">Accept the invitation</button>' not in response.content
