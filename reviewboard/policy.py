"""The approval policy: when do the reviews of a revision approve it?"""

from dataclasses import dataclass

from django.conf import settings

from reviewboard.models import AssignmentStatus, Decision, Review, TransitionLogEntry


@dataclass(frozen=True)
class PolicyOutcome:
    met: bool
    reason: str


def _round_started_at(revision):
    """Return when the revision's current review round began: its latest (re)submission."""
    return (
        TransitionLogEntry.objects.filter(
            article_id=revision.article_id, revision=revision, transition__in=("submit", "resubmit")
        )
        .order_by("-created_at", "-pk")
        .values_list("created_at", flat=True)
        .first()
    )


def approval_outcome(*, revision) -> PolicyOutcome:
    """Decide whether the completed reviews of ``revision`` in its current round meet the policy.

    Reviews from an earlier round (before a withdrawal and resubmission) do not count.
    """
    quorum = settings.REVIEW_QUORUM
    reviews = Review.objects.filter(assignment__revision=revision, assignment__status=AssignmentStatus.COMPLETED)
    round_started_at = _round_started_at(revision)
    if round_started_at is not None:
        reviews = reviews.filter(assignment__created_at__gte=round_started_at)
    reviews = list(
        reviews.select_related("assignment__board_member").prefetch_related("assignment__board_member__specialties")
    )
    if any(review.decision == Decision.REQUEST_CHANGES for review in reviews):
        return PolicyOutcome(False, "A reviewer asked for changes.")
    approvers = [r.assignment.board_member for r in reviews if r.decision == Decision.APPROVE]
    if len(approvers) < quorum:
        return PolicyOutcome(False, f"{len(approvers)} of {quorum} approvals so far.")
    specialty_id = revision.article.specialty_id
    if not any(specialty_id in {s.pk for s in member.specialties.all()} for member in approvers):
        return PolicyOutcome(False, f"No approver holds the specialty {revision.article.specialty}.")
    return PolicyOutcome(True, f"{len(approvers)} approvals, the quorum of {quorum} met.")
