"""Real races on PostgreSQL: threads with their own connections, started together by a barrier.

The services lock the article row (SELECT ... FOR UPDATE), so concurrent decisions serialise:
an article is approved once, and an editor's rejection and a completing approval never both land.
"""

import threading

import pytest
from django.db import connection

from articles.exceptions import DomainError, InvalidTransition
from articles.models import Article, ArticleState
from reviewboard import services
from reviewboard.models import AssignmentStatus, Decision, Review, ReviewAssignment, TransitionLogEntry
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

S = ArticleState
ROUNDS = 5


def _race(*calls):
    """Run each call in its own thread and connection, all released at once; return results or errors."""
    barrier = threading.Barrier(len(calls), timeout=10)
    outcomes = [None] * len(calls)

    def run(position, call):
        try:
            barrier.wait()
            outcomes[position] = call()
        except Exception as error:  # noqa: BLE001 - the test inspects every outcome
            outcomes[position] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n, call)) for n, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
        assert not thread.is_alive(), "a racing thread hung (deadlock?)"
    return outcomes


def _in_review(round_number, neurology, editor, reviewers):
    """A fresh article under review with ``reviewers`` board members accepted."""
    author = factories.AuthorFactory(username=f"race_author_{round_number}")
    article = factories.ArticleFactory(authors=[author], specialty=neurology)
    services.article_submit(article=article, actor=author)
    assignments = []
    for member in reviewers:
        assignment = services.assignment_create(article=article, board_member=member, actor=editor)
        services.assignment_accept(assignment=assignment, actor=member.user)
        assignment.refresh_from_db()
        assignments.append(assignment)
    article.refresh_from_db()
    return article, assignments


def _assert_consistent_log(article):
    rows = list(TransitionLogEntry.objects.filter(article=article).order_by("pk"))
    previous = S.DRAFT
    for row in rows:
        assert row.from_state == previous
        previous = row.to_state
    assert Article.objects.get(pk=article.pk).state == previous
    return rows


def _assert_reviews_match_assignments(article):
    for assignment in ReviewAssignment.objects.filter(revision__article=article):
        has_review = Review.objects.filter(assignment=assignment).exists()
        assert has_review == (assignment.status == AssignmentStatus.COMPLETED), assignment


def _members(neurology, count):
    return [factories.BoardMemberFactory(specialties=[neurology], capacity=50) for _ in range(count)]


def _approve(assignment):
    return lambda: services.review_submit(
        assignment=assignment, actor=assignment.board_member.user, decision=Decision.APPROVE
    )


@pytest.mark.parametrize("quorum", [2, 3])
def test_simultaneous_approvals_approve_the_article_exactly_once(neurology, editor, settings, quorum):
    settings.REVIEW_QUORUM = quorum
    members = _members(neurology, quorum)
    for round_number in range(ROUNDS):
        article, assignments = _in_review(round_number, neurology, editor, members)
        reviewed = article.current_revision
        outcomes = _race(*(_approve(a) for a in assignments))
        assert all(isinstance(outcome, Review) for outcome in outcomes), outcomes
        article.refresh_from_db()
        assert article.state == S.APPROVED
        assert article.approved_revision == reviewed
        rows = _assert_consistent_log(article)
        assert [row.transition for row in rows].count("approve") == 1
        assert Review.objects.filter(assignment__revision=reviewed, decision=Decision.APPROVE).count() == quorum
        _assert_reviews_match_assignments(article)


def test_editor_rejection_and_completing_approval_never_both_land(neurology, editor):
    first_member, last_member = _members(neurology, 2)
    winners = set()
    for round_number in range(ROUNDS):
        article, (first, last) = _in_review(round_number, neurology, editor, [first_member, last_member])
        services.review_submit(assignment=first, actor=first_member.user, decision=Decision.APPROVE)
        rows_before = TransitionLogEntry.objects.filter(article=article).count()

        reject, approve = _race(
            lambda a=article: services.article_reject(article=a, actor=editor, reason="Unsafe advice."),
            _approve(last),
        )

        article.refresh_from_db()
        failures = [o for o in (reject, approve) if isinstance(o, Exception)]
        assert len(failures) == 1, (reject, approve)
        (failure,) = failures
        assert isinstance(failure, InvalidTransition), repr(failure)
        assert isinstance(failure, DomainError) and failure.message
        rows = _assert_consistent_log(article)
        assert len(rows) == rows_before + 1
        last.refresh_from_db()
        if isinstance(approve, Review):
            winners.add("approve")
            assert article.state == S.APPROVED
            assert rows[-1].transition == "approve"
            assert "The article is approved: it cannot be rejected now." in failure.message
        else:
            winners.add("reject")
            assert article.state == S.REJECTED
            assert rows[-1].transition == "reject"
            assert article.approved_revision is None
            assert last.status == AssignmentStatus.CANCELLED
            assert not Review.objects.filter(assignment=last).exists()
            assert "cancelled" in failure.message
        _assert_reviews_match_assignments(article)
    assert winners  # at least one round ran to a decision; which one wins is up to the scheduler


def test_two_editors_assigning_the_same_member_at_once_make_one_live_assignment(neurology, editor):
    other_editor = factories.EditorFactory(username="second_editor")
    (member,) = _members(neurology, 1)
    for round_number in range(ROUNDS):
        author = factories.AuthorFactory(username=f"assign_author_{round_number}")
        article = factories.ArticleFactory(authors=[author], specialty=neurology)
        services.article_submit(article=article, actor=author)
        outcomes = _race(
            *(
                lambda who=who, a=article: services.assignment_create(article=a, board_member=member, actor=who)
                for who in (editor, other_editor)
            )
        )
        assert sum(isinstance(o, ReviewAssignment) for o in outcomes) == 1, outcomes
        assert sum(isinstance(o, DomainError) for o in outcomes) == 1, outcomes
        assert ReviewAssignment.objects.live().filter(revision__article=article).count() == 1
        rows = _assert_consistent_log(article)
        assert [row.transition for row in rows] == ["submit", "start_review"]
