import pytest

from articles.exceptions import ActionForbidden, InvalidTransition, ValidationFailed
from articles.models import ArticleState
from reviewboard import services
from reviewboard.models import AssignmentStatus, Decision, TransitionLogEntry
from tests import factories

pytestmark = pytest.mark.django_db


def _in_review(article, author, editor, members):
    services.article_submit(article=article, actor=author)
    assignments = [services.assignment_create(article=article, board_member=m, actor=editor) for m in members]
    for assignment in assignments:
        services.assignment_accept(assignment=assignment, actor=assignment.board_member.user)
    article.refresh_from_db()
    return assignments


def test_two_approvals_in_specialty_approve_the_exact_revision(article, author, editor, board):
    reviewed = article.current_revision
    first, second = _in_review(article, author, editor, board[:2])
    services.review_submit(assignment=first, actor=first.board_member.user, decision=Decision.APPROVE)
    article.refresh_from_db()
    assert article.state == ArticleState.UNDER_REVIEW
    services.review_submit(assignment=second, actor=second.board_member.user, decision=Decision.APPROVE)
    article.refresh_from_db()
    assert article.state == ArticleState.APPROVED
    assert article.approved_revision == reviewed
    assert list(article.transitions.values_list("transition", flat=True)) == ["submit", "start_review", "approve"]


def test_quorum_without_specialty_does_not_approve(article, author, editor, board):
    outside = factories.BoardMemberFactory(specialties=[board[2].specialties.first()])
    first, second = _in_review(article, author, editor, [board[2], outside])
    for assignment in (first, second):
        services.review_submit(assignment=assignment, actor=assignment.board_member.user, decision=Decision.APPROVE)
    article.refresh_from_db()
    assert article.state == ArticleState.UNDER_REVIEW


def test_request_changes_returns_article_and_cancels_other_reviews(article, author, editor, board):
    first, second = _in_review(article, author, editor, board[:2])
    services.review_submit(
        assignment=first, actor=first.board_member.user, decision=Decision.REQUEST_CHANGES, comments_to_author="Fix"
    )
    article.refresh_from_db()
    second.refresh_from_db()
    assert article.state == ArticleState.CHANGES_REQUESTED
    assert second.status == AssignmentStatus.CANCELLED


def test_author_cannot_submit_invalid_revision(author, neurology):
    article = factories.ArticleFactory(authors=[author], specialty=neurology, revision=False)
    factories.RevisionFactory(article=article, sections=[{"heading": "H", "body": "Cites [2]."}])
    with pytest.raises(ValidationFailed) as error:
        services.article_submit(article=article, actor=author)
    assert "cites [2], but there is no reference 2" in error.value.message
    assert "Reference 1 is never cited" in error.value.message
    assert not TransitionLogEntry.objects.exists()


def test_board_member_cannot_review_own_article(article, author, editor, neurology):
    member = factories.BoardMemberFactory(user=author, specialties=[neurology])
    services.article_submit(article=article, actor=author)
    with pytest.raises(ValidationFailed, match="is an author of this article"):
        services.assignment_create(article=article, board_member=member, actor=editor)


def test_forbidden_and_invalid_are_different_errors(article, author, editor):
    with pytest.raises(ActionForbidden):
        services.article_submit(article=article, actor=editor)
    with pytest.raises(InvalidTransition):
        services.article_retract(article=article, actor=editor, reason="Outdated")


def _approved(article, author, editor, members):
    for assignment in _in_review(article, author, editor, members):
        services.review_submit(assignment=assignment, actor=assignment.board_member.user, decision=Decision.APPROVE)
    article.refresh_from_db()
    return article


def test_rereview_is_for_editors_and_approved_articles_only(article, author, editor, board):
    with pytest.raises(InvalidTransition, match="Only approved articles are re-reviewed"):
        services.article_rereview_open(article=article, actor=editor)
    _approved(article, author, editor, board[:2])
    with pytest.raises(ActionForbidden):
        services.article_rereview_open(article=article, actor=author)
    assert TransitionLogEntry.objects.filter(transition="revise").count() == 0


def test_rereview_round_waits_submitted_when_no_member_is_free(article, author, editor, board):
    approved = _approved(article, author, editor, board[:2]).approved_revision
    for member in board:
        member.active = False
        member.save(update_fields=["active"])
    services.article_rereview_open(article=article, actor=editor)
    article.refresh_from_db()
    assert article.state == ArticleState.SUBMITTED
    assert article.approved_revision == approved
    assert article.current_revision != approved


def test_each_log_row_records_when_the_article_entered_the_state_it_left(article, author, editor, board):
    first, second = _in_review(article, author, editor, board[:2])
    services.review_submit(
        assignment=first, actor=first.board_member.user, decision=Decision.REQUEST_CHANGES, comments_to_author="Fix"
    )
    rows = list(TransitionLogEntry.objects.filter(article=article).order_by("created_at", "pk"))
    assert [row.transition for row in rows] == ["submit", "start_review", "request_changes"]
    article.refresh_from_db()
    assert rows[0].entered_at == article.created_at
    assert [row.entered_at for row in rows[1:]] == [row.created_at for row in rows[:-1]]
