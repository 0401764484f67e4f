"""The approval policy: quorum, specialty, blocking requests for changes, what counts (by review round)."""

import pytest

from reviewboard.models import AssignmentStatus, Decision
from reviewboard.policy import approval_outcome, reviewers_still_needed, round_member_ids
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def revision(article):
    return article.current_revision


@pytest.fixture
def cardiology(db):
    return factories.SpecialtyFactory(name="Cardiology", slug="cardiology")


def _review(revision, specialty, decision=Decision.APPROVE, status=AssignmentStatus.COMPLETED):
    member = factories.BoardMemberFactory(specialties=[specialty])
    return factories.ReviewFactory(
        assignment__revision=revision, assignment__board_member=member, assignment__status=status, decision=decision
    )


def test_no_reviews_do_not_approve(revision):
    outcome = approval_outcome(review_round=factories.round_for(revision))
    assert not outcome.met
    assert outcome.reason == "0 of 2 approvals so far."


def test_default_quorum_of_two_approvals_in_specialty_approves(revision, neurology, cardiology):
    _review(revision, neurology)
    assert not approval_outcome(review_round=factories.round_for(revision)).met
    _review(revision, cardiology)
    outcome = approval_outcome(review_round=factories.round_for(revision))
    assert outcome.met
    assert outcome.reason == "2 approvals, the quorum of 2 met."


def test_quorum_comes_from_settings(revision, neurology, settings):
    settings.REVIEW_QUORUM = 3
    _review(revision, neurology)
    _review(revision, neurology)
    outcome = approval_outcome(review_round=factories.round_for(revision))
    assert not outcome.met
    assert outcome.reason == "2 of 3 approvals so far."
    _review(revision, neurology)
    assert approval_outcome(review_round=factories.round_for(revision)).met


def test_quorum_without_an_approver_in_the_specialty_does_not_approve(revision, cardiology):
    _review(revision, cardiology)
    _review(revision, cardiology)
    outcome = approval_outcome(review_round=factories.round_for(revision))
    assert not outcome.met
    assert outcome.reason == "No approver holds the specialty Neurology."


def test_any_request_for_changes_blocks_approval(revision, neurology):
    _review(revision, neurology)
    _review(revision, neurology)
    _review(revision, neurology, Decision.REQUEST_CHANGES)
    outcome = approval_outcome(review_round=factories.round_for(revision))
    assert not outcome.met
    assert outcome.reason == "A reviewer asked for changes."


def test_recommend_rejection_does_not_count_towards_quorum(revision, neurology):
    _review(revision, neurology)
    _review(revision, neurology, Decision.RECOMMEND_REJECTION)
    outcome = approval_outcome(review_round=factories.round_for(revision))
    assert not outcome.met
    assert outcome.reason == "1 of 2 approvals so far."


NOT_COMPLETED = [
    AssignmentStatus.CANCELLED,
    AssignmentStatus.DECLINED,
    AssignmentStatus.ACCEPTED,
    AssignmentStatus.INVITED,
]


@pytest.mark.parametrize("status", NOT_COMPLETED)
def test_reviews_on_assignments_not_completed_do_not_count(revision, neurology, status):
    _review(revision, neurology)
    _review(revision, neurology, status=status)
    assert not approval_outcome(review_round=factories.round_for(revision)).met


@pytest.mark.parametrize("status", [AssignmentStatus.CANCELLED, AssignmentStatus.DECLINED])
def test_request_for_changes_on_dead_assignment_does_not_block(revision, neurology, status):
    _review(revision, neurology)
    _review(revision, neurology)
    _review(revision, neurology, Decision.REQUEST_CHANGES, status=status)
    assert approval_outcome(review_round=factories.round_for(revision)).met


def test_reviews_of_another_revision_do_not_count(article, revision, neurology):
    older = revision
    newer = factories.RevisionFactory(article=article, created_by=older.created_by)
    _review(older, neurology)
    _review(older, neurology)
    _review(newer, neurology)
    assert approval_outcome(review_round=factories.round_for(older)).met
    outcome = approval_outcome(review_round=factories.round_for(newer))
    assert not outcome.met
    assert outcome.reason == "1 of 2 approvals so far."


def test_request_for_changes_on_another_revision_does_not_block(article, revision, neurology):
    _review(revision, neurology, Decision.REQUEST_CHANGES)
    newer = factories.RevisionFactory(article=article, created_by=revision.created_by)
    _review(newer, neurology)
    _review(newer, neurology)
    assert approval_outcome(review_round=factories.round_for(newer)).met


def test_policy_query_count_does_not_grow_with_reviews(revision, neurology, django_assert_max_num_queries):
    for _ in range(5):
        _review(revision, neurology)
    review_round = factories.round_for(revision)
    with django_assert_max_num_queries(4):
        approval_outcome(review_round=review_round)


def test_reviews_of_an_earlier_round_of_the_same_revision_do_not_count(revision, neurology):
    earlier = factories.round_for(revision)
    _review(revision, neurology)
    _review(revision, neurology)
    assert approval_outcome(review_round=earlier).met
    earlier.close(outcome="withdrawn")
    earlier.save()
    later = factories.ReviewRoundFactory(revision=revision)
    outcome = approval_outcome(review_round=later)
    assert not outcome.met
    assert outcome.reason == "0 of 2 approvals so far."


def test_the_members_of_a_round_are_those_with_live_assignments(revision, neurology):
    review_round = factories.round_for(revision)
    completed = _review(revision, neurology).assignment.board_member
    invited = _review(revision, neurology, status=AssignmentStatus.INVITED).assignment.board_member
    _review(revision, neurology, status=AssignmentStatus.DECLINED)
    _review(revision, neurology, status=AssignmentStatus.CANCELLED)
    assert round_member_ids(review_round=review_round) == {completed.pk, invited.pk}
    assert reviewers_still_needed(review_round=review_round) == 0
