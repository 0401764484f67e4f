"""Every service-level transition: source states, conditions, target state and its one log row."""

import pytest

from articles import selectors as article_selectors
from articles.exceptions import InvalidTransition, ValidationFailed
from articles.models import ArticleState
from articles.services import RevisionContent, revision_create
from reviewboard import services
from reviewboard.models import AssignmentStatus, Decision, TransitionLogEntry
from tests import factories

pytestmark = pytest.mark.django_db

S = ArticleState


def _content(title="What causes myoclonus (jerks)? Revised"):
    return RevisionContent(
        title=title,
        summary_patient="Plain words.",
        summary_professional="Clinical words.",
        sections=[{"heading": "From the Research", "body": "New evidence [1]."}],
        references=[{"kind": "research", "title": "A newer study", "source": "The Journal", "year": 2025}],
    )


class Flow:
    """Drives one article through the workflow with the conftest cast."""

    def __init__(self, article, author, editor, board):
        self.article, self.author, self.editor, self.board = article, author, editor, board

    def refresh(self):
        self.article.refresh_from_db()
        return self.article

    def submit(self):
        services.article_submit(article=self.article, actor=self.author)
        return self.refresh()

    def in_review(self, members=None):
        self.submit()
        assignments = []
        for member in members if members is not None else self.board[:2]:
            assignment = services.assignment_create(article=self.article, board_member=member, actor=self.editor)
            services.assignment_accept(assignment=assignment, actor=member.user)
            assignment.refresh_from_db()
            assignments.append(assignment)
        self.refresh()
        return assignments

    def approved(self):
        assignments = self.in_review()
        for assignment in assignments:
            services.review_submit(assignment=assignment, actor=assignment.board_member.user, decision="approve")
        return self.refresh()

    def changes_requested(self):
        first, _ = self.in_review()
        services.review_submit(
            assignment=first, actor=first.board_member.user, decision="request_changes", comments_to_author="Fix it."
        )
        return self.refresh()

    def rejected(self):
        self.in_review()
        services.article_reject(article=self.article, actor=self.editor, reason="Out of scope.")
        return self.refresh()

    def retracted(self):
        self.approved()
        services.article_retract(article=self.article, actor=self.editor, reason="New evidence.")
        return self.refresh()

    def reach(self, state):
        if state == S.DRAFT:
            return self.refresh()
        return {
            S.SUBMITTED: self.submit,
            S.UNDER_REVIEW: lambda: (self.in_review(), self.refresh())[1],
            S.CHANGES_REQUESTED: self.changes_requested,
            S.APPROVED: self.approved,
            S.REJECTED: self.rejected,
            S.RETRACTED: self.retracted,
        }[state]()


@pytest.fixture
def flow(article, author, editor, board):
    return Flow(article, author, editor, board)


def _log(article):
    return list(TransitionLogEntry.objects.filter(article=article).order_by("pk"))


def _assert_one_new_row(before, article, *, transition, from_state, to_state, actor, revision, reason=""):
    rows = _log(article)
    assert len(rows) == len(before) + 1
    row = rows[-1]
    assert (row.transition, row.from_state, row.to_state) == (transition, from_state, to_state)
    assert row.actor == actor
    assert row.revision_id == revision.pk
    assert row.reason == reason
    return row


# Happy paths: one row each, with actor, states, revision and reason.


def test_submit_moves_draft_to_submitted_and_logs_it(flow):
    before = _log(flow.article)
    flow.submit()
    assert flow.article.state == S.SUBMITTED
    _assert_one_new_row(
        before,
        flow.article,
        transition="submit",
        from_state=S.DRAFT,
        to_state=S.SUBMITTED,
        actor=flow.author,
        revision=flow.article.current_revision,
    )


def test_resubmit_after_changes_requested_reinvites_the_reviewer_and_logs_both_steps(flow):
    flow.changes_requested()
    revision = revision_create(article=flow.article, actor=flow.author, content=_content())
    before = _log(flow.article)
    services.article_submit(article=flow.article, actor=flow.author)
    flow.refresh()
    # The previous round's reviewer is invited again at once, which starts the review.
    assert flow.article.state == S.UNDER_REVIEW
    rows = _log(flow.article)[len(before) :]
    assert [(r.transition, r.from_state, r.to_state, r.revision_id) for r in rows] == [
        ("resubmit", S.CHANGES_REQUESTED, S.SUBMITTED, revision.pk),
        ("start_review", S.SUBMITTED, S.UNDER_REVIEW, revision.pk),
    ]
    assert rows[0].actor == flow.author


@pytest.mark.parametrize("source", [S.SUBMITTED, S.UNDER_REVIEW])
def test_withdraw_returns_to_draft_with_reason_and_cancels_open_assignments(flow, source):
    flow.reach(source)
    before = _log(flow.article)
    services.article_withdraw(article=flow.article, actor=flow.author, reason="  Found an error.  ")
    flow.refresh()
    assert flow.article.state == S.DRAFT
    _assert_one_new_row(
        before,
        flow.article,
        transition="withdraw",
        from_state=source,
        to_state=S.DRAFT,
        actor=flow.author,
        revision=flow.article.current_revision,
        reason="Found an error.",
    )
    statuses = set(flow.article.current_revision.assignments.values_list("status", flat=True)) - {
        AssignmentStatus.CANCELLED
    }
    assert statuses == set()


def test_first_assignment_starts_review_and_later_ones_do_not_log(flow):
    flow.submit()
    before = _log(flow.article)
    services.assignment_create(article=flow.article, board_member=flow.board[0], actor=flow.editor)
    flow.refresh()
    assert flow.article.state == S.UNDER_REVIEW
    _assert_one_new_row(
        before,
        flow.article,
        transition="start_review",
        from_state=S.SUBMITTED,
        to_state=S.UNDER_REVIEW,
        actor=flow.editor,
        revision=flow.article.current_revision,
    )
    services.assignment_create(article=flow.article, board_member=flow.board[1], actor=flow.editor)
    assert len(_log(flow.article)) == len(before) + 1


def test_request_changes_returns_article_to_author_and_logs_reviewer(flow):
    first, second = flow.in_review()
    before = _log(flow.article)
    services.review_submit(
        assignment=first, actor=first.board_member.user, decision="request_changes", comments_to_author="Cite more."
    )
    flow.refresh()
    second.refresh_from_db()
    assert flow.article.state == S.CHANGES_REQUESTED
    assert second.status == AssignmentStatus.CANCELLED
    _assert_one_new_row(
        before,
        flow.article,
        transition="request_changes",
        from_state=S.UNDER_REVIEW,
        to_state=S.CHANGES_REQUESTED,
        actor=first.board_member.user,
        revision=first.revision,
    )


def test_approve_fires_on_quorum_and_pins_the_reviewed_revision(flow):
    reviewed = flow.article.current_revision
    first, second = flow.in_review()
    services.review_submit(assignment=first, actor=first.board_member.user, decision="approve")
    assert flow.refresh().state == S.UNDER_REVIEW
    before = _log(flow.article)
    services.review_submit(assignment=second, actor=second.board_member.user, decision="approve")
    flow.refresh()
    assert flow.article.state == S.APPROVED
    assert flow.article.approved_revision == reviewed
    assert flow.article.approved_at is not None
    row = _assert_one_new_row(
        before,
        flow.article,
        transition="approve",
        from_state=S.UNDER_REVIEW,
        to_state=S.APPROVED,
        actor=second.board_member.user,
        revision=reviewed,
        reason="2 approvals, the quorum of 2 met.",
    )
    assert row.reason


def test_approval_cancels_the_remaining_open_assignments(flow):
    first, second, third = flow.in_review(flow.board)
    for assignment in (first, second):
        services.review_submit(assignment=assignment, actor=assignment.board_member.user, decision="approve")
    third.refresh_from_db()
    assert third.status == AssignmentStatus.CANCELLED


@pytest.mark.parametrize("source", [S.SUBMITTED, S.UNDER_REVIEW, S.CHANGES_REQUESTED])
def test_editor_rejects_with_reason_and_open_assignments_are_cancelled(flow, source):
    flow.reach(source)
    before = _log(flow.article)
    services.article_reject(article=flow.article, actor=flow.editor, reason="Out of scope.")
    flow.refresh()
    assert flow.article.state == S.REJECTED
    _assert_one_new_row(
        before,
        flow.article,
        transition="reject",
        from_state=source,
        to_state=S.REJECTED,
        actor=flow.editor,
        revision=flow.article.current_revision,
        reason="Out of scope.",
    )
    assert not flow.article.current_revision.assignments.open().exists()


@pytest.mark.parametrize("actor_name", ["author", "editor"])
def test_revise_opens_a_draft_and_keeps_the_approved_revision_public(flow, actor_name):
    flow.approved()
    approved = flow.article.approved_revision
    actor = getattr(flow, actor_name)
    before = _log(flow.article)
    services.article_revise(article=flow.article, actor=actor, reason="Update for 2025 guideline.")
    flow.refresh()
    assert flow.article.state == S.DRAFT
    _assert_one_new_row(
        before,
        flow.article,
        transition="revise",
        from_state=S.APPROVED,
        to_state=S.DRAFT,
        actor=actor,
        revision=approved,
        reason="Update for 2025 guideline.",
    )
    new = revision_create(article=flow.article, actor=flow.author, content=_content("A brand new title?"))
    flow.refresh()
    assert flow.article.current_revision == new
    assert flow.article.approved_revision == approved
    shown = article_selectors.published_revision(slug=flow.article.slug)
    assert shown == approved
    assert shown.title == approved.title != new.title


def test_retract_hides_the_article_from_readers(flow):
    flow.approved()
    assert article_selectors.published_revision(slug=flow.article.slug) is not None
    before = _log(flow.article)
    services.article_retract(article=flow.article, actor=flow.editor, reason="Superseded by new evidence.")
    flow.refresh()
    assert flow.article.state == S.RETRACTED
    _assert_one_new_row(
        before,
        flow.article,
        transition="retract",
        from_state=S.APPROVED,
        to_state=S.RETRACTED,
        actor=flow.editor,
        revision=flow.article.current_revision,
        reason="Superseded by new evidence.",
    )
    assert article_selectors.published_revision(slug=flow.article.slug) is None


@pytest.mark.parametrize("source", [S.REJECTED, S.RETRACTED])
def test_editor_reopens_rejected_or_retracted_article_to_draft(flow, source):
    flow.reach(source)
    before = _log(flow.article)
    services.article_reopen(article=flow.article, actor=flow.editor, reason="Author addressed the concerns.")
    flow.refresh()
    assert flow.article.state == S.DRAFT
    _assert_one_new_row(
        before,
        flow.article,
        transition="reopen",
        from_state=source,
        to_state=S.DRAFT,
        actor=flow.editor,
        revision=flow.article.current_revision,
        reason="Author addressed the concerns.",
    )


def test_reopening_a_retracted_article_does_not_republish_it(flow):
    """Regression: reopening used to make the retracted revision public again without a new approval."""
    flow.retracted()
    services.article_reopen(article=flow.article, actor=flow.editor, reason="Will rewrite it.")
    assert article_selectors.published_revision(slug=flow.article.slug) is None


# Reasons are required where the service asks for one.


@pytest.mark.parametrize(
    ("source", "call"),
    [
        (S.SUBMITTED, lambda f, reason: services.article_withdraw(article=f.article, actor=f.author, reason=reason)),
        (S.UNDER_REVIEW, lambda f, reason: services.article_reject(article=f.article, actor=f.editor, reason=reason)),
        (S.APPROVED, lambda f, reason: services.article_retract(article=f.article, actor=f.editor, reason=reason)),
        (S.REJECTED, lambda f, reason: services.article_reopen(article=f.article, actor=f.editor, reason=reason)),
    ],
    ids=["withdraw", "reject", "retract", "reopen"],
)
@pytest.mark.parametrize("reason", ["", "   "], ids=["empty", "blank"])
def test_transition_without_reason_is_refused_and_nothing_is_written(flow, source, call, reason):
    flow.reach(source)
    before = _log(flow.article)
    with pytest.raises(ValidationFailed, match="Give a reason"):
        call(flow, reason)
    assert flow.refresh().state == source
    assert _log(flow.article) == before


@pytest.mark.parametrize("decision", [Decision.REQUEST_CHANGES, Decision.RECOMMEND_REJECTION])
def test_review_other_than_approve_needs_comments_to_author(flow, decision):
    first, _ = flow.in_review()
    before = _log(flow.article)
    with pytest.raises(ValidationFailed, match="comments to the author are required"):
        services.review_submit(assignment=first, actor=first.board_member.user, decision=decision)
    first.refresh_from_db()
    assert first.status == AssignmentStatus.ACCEPTED
    assert _log(flow.article) == before


def test_recommend_rejection_does_not_change_the_state(flow):
    first, _ = flow.in_review()
    before = _log(flow.article)
    services.review_submit(
        assignment=first, actor=first.board_member.user, decision="recommend_rejection", comments_to_author="Unsafe."
    )
    assert flow.refresh().state == S.UNDER_REVIEW
    assert _log(flow.article) == before


def test_submit_needs_a_revision(author, neurology):
    article = factories.ArticleFactory(authors=[author], specialty=neurology, revision=False)
    with pytest.raises(InvalidTransition, match="no revision"):
        services.article_submit(article=article, actor=author)
    assert _log(article) == []


# Invalid source states: InvalidTransition, nothing written.

ALL_STATES = list(S.values)

TRANSITIONS = {
    # name: (valid sources, call)
    "submit": (
        {S.DRAFT, S.CHANGES_REQUESTED},
        lambda f: services.article_submit(article=f.article, actor=f.author),
    ),
    "withdraw": (
        {S.SUBMITTED, S.UNDER_REVIEW},
        lambda f: services.article_withdraw(article=f.article, actor=f.author, reason="Because."),
    ),
    "assign": (
        {S.SUBMITTED, S.UNDER_REVIEW},
        lambda f: services.assignment_create(article=f.article, board_member=f.board[2], actor=f.editor),
    ),
    "reject": (
        {S.SUBMITTED, S.UNDER_REVIEW, S.CHANGES_REQUESTED},
        lambda f: services.article_reject(article=f.article, actor=f.editor, reason="Because."),
    ),
    "revise": ({S.APPROVED}, lambda f: services.article_revise(article=f.article, actor=f.author)),
    "retract": (
        {S.APPROVED},
        lambda f: services.article_retract(article=f.article, actor=f.editor, reason="Because."),
    ),
    "reopen": (
        {S.REJECTED, S.RETRACTED},
        lambda f: services.article_reopen(article=f.article, actor=f.editor, reason="Because."),
    ),
    "edit": (
        {S.DRAFT, S.CHANGES_REQUESTED},
        lambda f: revision_create(article=f.article, actor=f.author, content=_content()),
    ),
}

INVALID = [
    pytest.param(name, state, id=f"{name}-from-{state}")
    for name, (sources, _) in TRANSITIONS.items()
    for state in ALL_STATES
    if state not in sources
]


@pytest.mark.parametrize(("name", "state"), INVALID)
def test_transition_from_wrong_state_is_invalid_and_writes_nothing(flow, name, state):
    flow.reach(state)
    before_log = _log(flow.article)
    before_revision = flow.article.current_revision_id
    before_revisions = flow.article.revisions.count()
    before_assignments = flow.article.current_revision.assignments.count()
    with pytest.raises(InvalidTransition) as error:
        TRANSITIONS[name][1](flow)
    assert error.value.message
    flow.refresh()
    assert flow.article.state == state
    assert _log(flow.article) == before_log
    assert flow.article.current_revision_id == before_revision
    assert flow.article.revisions.count() == before_revisions
    assert flow.article.current_revision.assignments.count() == before_assignments


@pytest.mark.parametrize("state", [S.SUBMITTED, S.UNDER_REVIEW])
def test_editing_while_submitted_or_under_review_is_invalid(flow, state):
    flow.reach(state)
    with pytest.raises(InvalidTransition, match="can be edited only as a draft"):
        revision_create(article=flow.article, actor=flow.author, content=_content())


def test_review_after_article_left_review_is_invalid(flow):
    first, second = flow.in_review()
    services.article_withdraw(article=flow.article, actor=flow.author, reason="Oops.")
    before = _log(flow.article)
    with pytest.raises(InvalidTransition):
        services.review_submit(assignment=first, actor=first.board_member.user, decision="approve")
    assert _log(flow.article) == before
    assert not first.revision.assignments.filter(review__isnull=False).exists()


def test_review_of_a_superseded_revision_is_invalid(flow):
    """An accepted assignment on an older revision cannot approve the newer one."""
    first, _ = flow.in_review()
    services.review_submit(
        assignment=first, actor=first.board_member.user, decision="request_changes", comments_to_author="Fix."
    )
    revision_create(article=flow.article, actor=flow.author, content=_content())
    services.article_submit(article=flow.article, actor=flow.author)
    stale = factories.ReviewAssignmentFactory(
        revision=first.revision, board_member=flow.board[2], status=AssignmentStatus.ACCEPTED
    )
    with pytest.raises(InvalidTransition, match="no longer under review"):
        services.review_submit(assignment=stale, actor=stale.board_member.user, decision="approve")


def test_resubmitting_the_revision_reviewers_asked_to_change_is_refused(flow):
    flow.changes_requested()
    log_rows = TransitionLogEntry.objects.count()
    with pytest.raises(InvalidTransition, match="edit the article to address their feedback"):
        services.article_submit(article=flow.article, actor=flow.author)  # no new revision
    assert flow.refresh().state == S.CHANGES_REQUESTED
    assert TransitionLogEntry.objects.count() == log_rows


def test_approvals_from_an_earlier_round_do_not_count_after_withdraw_and_resubmit(flow):
    flow.submit()
    first = services.assignment_create(article=flow.article, board_member=flow.board[0], actor=flow.editor)
    services.assignment_accept(assignment=first, actor=first.board_member.user)
    services.review_submit(assignment=first, actor=first.board_member.user, decision="approve")
    services.article_withdraw(article=flow.article, actor=flow.author, reason="One more check.")
    services.article_submit(article=flow.article, actor=flow.author)  # the same revision, a new round
    second = services.assignment_create(article=flow.article, board_member=flow.board[1], actor=flow.editor)
    services.assignment_accept(assignment=second, actor=second.board_member.user)
    services.review_submit(assignment=second, actor=second.board_member.user, decision="approve")
    assert flow.refresh().state == S.UNDER_REVIEW


# Rounds: what counts toward the quorum also decides whom the assigner may invite.


def test_withdrawn_and_resubmitted_revision_reaches_approved_with_its_earlier_reviewers(flow):
    flow.submit()
    first = services.assignment_create(article=flow.article, board_member=flow.board[0], actor=flow.editor)
    services.assignment_accept(assignment=first, actor=first.board_member.user)
    services.review_submit(assignment=first, actor=first.board_member.user, decision="approve")
    services.article_withdraw(article=flow.article, actor=flow.author, reason="One more check.")
    revision = flow.refresh().current_revision
    services.article_submit(article=flow.article, actor=flow.author)  # the same revision, a new round

    # The earlier reviewer may be invited again, by hand or by the assigner, and the round can be approved.
    again = services.assignment_create(article=flow.article, board_member=flow.board[0], actor=flow.editor)
    auto = services.assignments_auto(article=flow.article, actor=flow.editor)
    assert [a.board_member for a in auto] == [flow.board[1]]
    for assignment in (again, *auto):
        services.assignment_accept(assignment=assignment, actor=assignment.board_member.user)
        services.review_submit(assignment=assignment, actor=assignment.board_member.user, decision="approve")
    article = flow.refresh()
    assert article.state == S.APPROVED
    assert article.approved_revision == revision
    rounds = list(article.review_rounds.order_by("number").values_list("revision", "outcome"))
    assert rounds == [(revision.pk, "withdrawn"), (revision.pk, "approved")]


def test_auto_assign_counts_only_the_open_round(flow):
    flow.submit()
    first = services.assignment_create(article=flow.article, board_member=flow.board[0], actor=flow.editor)
    services.assignment_accept(assignment=first, actor=first.board_member.user)
    services.review_submit(assignment=first, actor=first.board_member.user, decision="approve")
    services.article_withdraw(article=flow.article, actor=flow.author, reason="Rethink.")
    services.article_submit(article=flow.article, actor=flow.author)
    # The earlier round's completed review does not fill a place in this one: two reviewers are invited.
    assert len(services.assignments_auto(article=flow.article, actor=flow.editor)) == 2


def test_each_submission_opens_one_round_and_each_outcome_closes_it(flow):
    flow.changes_requested()
    revision_create(article=flow.article, actor=flow.author, content=_content())
    services.article_submit(article=flow.article, actor=flow.author)
    rounds = list(flow.article.review_rounds.order_by("number"))
    assert [(r.number, r.outcome, r.closed_at is None) for r in rounds] == [
        (1, "changes_requested", False),
        (2, "", True),
    ]
    assert rounds[1].revision == flow.refresh().current_revision == flow.article.submitted_revision


# Cancelled assignments are announced.


def _cancellations():
    from reviewboard.notifications.models import OutboxEvent

    return list(OutboxEvent.objects.filter(kind="assignment_cancelled").order_by("pk"))


@pytest.mark.parametrize("how", ["withdraw", "reject", "request_changes", "quorum", "editor"])
def test_every_cancelled_assignment_is_announced_with_why(flow, how):
    members = flow.board[:2] if how != "quorum" else [*flow.board[:2], factories.BoardMemberFactory()]
    first, second, *rest = flow.in_review(members)
    waiting = rest[0] if rest else second
    if how == "withdraw":
        services.article_withdraw(article=flow.article, actor=flow.author, reason="Not ready.")
        expected = [first, second]
    elif how == "reject":
        services.article_reject(article=flow.article, actor=flow.editor, reason="Out of scope.")
        expected = [first, second]
    elif how == "request_changes":
        services.review_submit(
            assignment=first, actor=first.board_member.user, decision="request_changes", comments_to_author="Fix."
        )
        expected = [second]
    elif how == "quorum":
        for assignment in (first, second):
            services.review_submit(assignment=assignment, actor=assignment.board_member.user, decision="approve")
        expected = [waiting]
    else:
        services.assignment_cancel(assignment=second, actor=flow.editor, reason="Too busy this month.")
        expected = [second]
    events = _cancellations()
    assert [e.payload["assignment_id"] for e in events] == [a.pk for a in expected]
    assert all(e.payload["reason"] for e in events)
    for assignment in expected:
        assignment.refresh_from_db()
        assert assignment.status == AssignmentStatus.CANCELLED
