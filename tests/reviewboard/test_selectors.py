"""Reviewer suggestions and the automatic assigner."""

import pytest

from articles.exceptions import ActionForbidden, ValidationFailed
from articles.models import ArticleState
from reviewboard import services
from reviewboard.models import AssignmentStatus
from reviewboard.selectors import reviewer_suggestions
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def cardiology(db):
    return factories.SpecialtyFactory(name="Cardiology", slug="cardiology")


@pytest.fixture
def submitted(article, author):
    services.article_submit(article=article, actor=author)
    article.refresh_from_db()
    return article


def _member(username, *specialties, **kwargs):
    return factories.BoardMemberFactory(user__username=username, specialties=list(specialties), **kwargs)


def _load(member, count):
    """Give ``member`` ``count`` open assignments on other articles."""
    for _ in range(count):
        factories.ReviewAssignmentFactory(board_member=member, status=AssignmentStatus.INVITED)


def _by_name(suggestions):
    return {s.board_member.user.username: s for s in suggestions}


def test_suggestions_rank_specialty_first_then_lowest_open_load(submitted, neurology, cardiology):
    busy_neuro = _member("busy_neuro", neurology)
    free_neuro = _member("free_neuro", neurology)
    free_cardio = _member("free_cardio", cardiology)
    _load(busy_neuro, 2)
    _load(free_neuro, 1)
    names = [s.board_member.user.username for s in reviewer_suggestions(article=submitted)]
    assert names == ["free_neuro", "busy_neuro", "free_cardio"]
    assert [s.board_member for s in reviewer_suggestions(article=submitted)] == [free_neuro, busy_neuro, free_cardio]


def test_suggestions_give_reasons(submitted, neurology, cardiology):
    _member("neuro", neurology)
    _member("cardio", cardiology)
    suggestions = _by_name(reviewer_suggestions(article=submitted))
    assert suggestions["neuro"].reasons == ["specialty Neurology", "0 of 5 open reviews"]
    assert suggestions["cardio"].reasons == ["outside the specialty", "0 of 5 open reviews"]
    assert suggestions["neuro"].in_specialty and not suggestions["cardio"].in_specialty


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        pytest.param(lambda a, m: a.authors.add(m.user), "an author of this article", id="author"),
        pytest.param(
            lambda a, m: factories.ConflictOfInterestFactory(board_member=m, article=a),
            "declared a conflict of interest",
            id="conflicted",
        ),
        pytest.param(
            lambda a, m: factories.ReviewAssignmentFactory(revision=a.current_revision, board_member=m),
            "already a reviewer in this round",
            id="already-assigned",
        ),
        pytest.param(
            lambda a, m: factories.ReviewAssignmentFactory(
                revision=a.current_revision, board_member=m, status=AssignmentStatus.COMPLETED
            ),
            "already a reviewer in this round",
            id="already-reviewed",
        ),
        pytest.param(lambda a, m: _load(m, m.capacity), "at capacity", id="at-capacity"),
    ],
)
def test_ineligible_members_rank_last_with_the_reason(submitted, neurology, cardiology, setup, reason):
    member = _member("excluded", neurology)
    _member("outsider", cardiology)
    setup(submitted, member)
    suggestions = reviewer_suggestions(article=submitted)
    assert [s.board_member.user.username for s in suggestions] == ["outsider", "excluded"]
    excluded = suggestions[-1]
    assert not excluded.eligible
    assert reason in excluded.reasons


@pytest.mark.parametrize("status", [AssignmentStatus.DECLINED, AssignmentStatus.CANCELLED])
def test_declined_or_cancelled_assignment_does_not_exclude_a_member(submitted, neurology, status):
    member = _member("again", neurology)
    factories.ReviewAssignmentFactory(revision=submitted.current_revision, board_member=member, status=status)
    (suggestion,) = reviewer_suggestions(article=submitted)
    assert suggestion.eligible


@pytest.mark.parametrize(
    "inactive", [{"active": False}, {"user__is_active": False}], ids=["member-inactive", "user-inactive"]
)
def test_inactive_members_are_not_suggested(submitted, neurology, inactive):
    _member("gone", neurology, **inactive)
    assert reviewer_suggestions(article=submitted) == []


def test_closed_assignments_do_not_count_towards_open_load(submitted, neurology):
    member = _member("neuro", neurology, capacity=1)
    for status in (AssignmentStatus.COMPLETED, AssignmentStatus.DECLINED, AssignmentStatus.CANCELLED):
        factories.ReviewAssignmentFactory(board_member=member, status=status)
    (suggestion,) = reviewer_suggestions(article=submitted)
    assert suggestion.open_load == 0
    assert suggestion.eligible


def test_open_load_is_not_multiplied_by_the_members_specialties(submitted, neurology, cardiology):
    """Regression: Count('assignments') without distinct, joined with specialties, doubled the load."""
    member = _member("two_hats", neurology, cardiology, capacity=2)
    _load(member, 1)
    (suggestion,) = reviewer_suggestions(article=submitted)
    assert suggestion.open_load == 1
    assert suggestion.eligible


def test_auto_assign_picks_quorum_many_with_specialty_first(submitted, editor, neurology, cardiology):
    cardio = _member("cardio", cardiology)
    busy = _member("busy_neuro", neurology)
    _load(busy, 3)
    free = _member("free_neuro", neurology)
    assignments = services.assignments_auto(article=submitted, actor=editor)
    assert [a.board_member for a in assignments] == [free, busy]
    assert cardio not in [a.board_member for a in assignments]
    submitted.refresh_from_db()
    assert submitted.state == ArticleState.UNDER_REVIEW
    assert all(a.revision_id == submitted.current_revision_id for a in assignments)
    assert all(a.status == AssignmentStatus.INVITED for a in assignments)


def test_auto_assign_uses_quorum_from_settings(submitted, editor, neurology, settings):
    settings.REVIEW_QUORUM = 3
    for name in ("a", "b", "c", "d"):
        _member(name, neurology)
    assert len(services.assignments_auto(article=submitted, actor=editor)) == 3


def test_auto_assign_only_tops_up_to_the_quorum(submitted, editor, neurology):
    first = _member("first", neurology)
    _member("second", neurology)
    _member("third", neurology)
    services.assignment_create(article=submitted, board_member=first, actor=editor)
    assignments = services.assignments_auto(article=submitted, actor=editor)
    assert len(assignments) == 1
    assert assignments[0].board_member != first
    assert services.assignments_auto(article=submitted, actor=editor) == []


def test_auto_assign_skips_author_conflicted_and_full_members(submitted, editor, author, neurology, cardiology):
    own = factories.BoardMemberFactory(user=author, specialties=[neurology])
    conflicted = _member("conflicted", neurology)
    factories.ConflictOfInterestFactory(board_member=conflicted, article=submitted)
    full = _member("full", neurology, capacity=1)
    _load(full, 1)
    ok = _member("ok", cardiology)
    assignments = services.assignments_auto(article=submitted, actor=editor)
    assert [a.board_member for a in assignments] == [ok]
    assert {own, conflicted, full}.isdisjoint(a.board_member for a in assignments)


def test_auto_assign_with_nobody_eligible_explains_why(submitted, editor):
    with pytest.raises(ValidationFailed, match="No eligible board member"):
        services.assignments_auto(article=submitted, actor=editor)
    submitted.refresh_from_db()
    assert submitted.state == ArticleState.SUBMITTED


def test_auto_assign_with_explicit_count(submitted, editor, neurology):
    for name in ("a", "b", "c"):
        _member(name, neurology)
    assert len(services.assignments_auto(article=submitted, actor=editor, count=1)) == 1


def test_auto_assign_is_for_editors_only(submitted, author, neurology):
    _member("a", neurology)
    with pytest.raises(ActionForbidden):
        services.assignments_auto(article=submitted, actor=author)


def test_suggestions_query_count_does_not_grow_with_the_board(
    submitted, neurology, cardiology, django_assert_max_num_queries
):
    for position in range(8):
        member = _member(f"m{position}", neurology if position % 2 else cardiology)
        _load(member, position % 3)
    with django_assert_max_num_queries(6):
        reviewer_suggestions(article=submitted)
