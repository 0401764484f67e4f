"""The approval policy: which reviews count, and when do they approve a revision?

Both answers come from the review round: the reviews of the round's completed assignments count,
and a board member who holds a live assignment in the round cannot be invited to it again. A
withdrawal ends the round, so a resubmission starts afresh and earlier reviewers may be invited again.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import QuerySet

from reviewboard.models import AssignmentStatus, Decision, Review, ReviewAssignment, ReviewRound


@dataclass(frozen=True)
class PolicyOutcome:
    met: bool
    reason: str


def counted_reviews(*, review_round: ReviewRound) -> QuerySet[Review]:
    """Return the reviews that count toward the round's decision."""
    return Review.objects.filter(
        assignment__review_round=review_round, assignment__status=AssignmentStatus.COMPLETED
    ).select_related("assignment__board_member")


def round_member_ids(*, review_round: ReviewRound) -> set[int]:
    """Return the board members who hold a live (open or completed) assignment in the round."""
    return set(
        ReviewAssignment.objects.live().filter(review_round=review_round).values_list("board_member_id", flat=True)
    )


def reviewers_still_needed(*, review_round: ReviewRound) -> int:
    """Return how many more reviewers the round needs to be able to reach the quorum."""
    live: int = ReviewAssignment.objects.live().filter(review_round=review_round).count()
    return max(int(settings.REVIEW_QUORUM) - live, 0)


def approval_outcome(*, review_round: ReviewRound) -> PolicyOutcome:
    """Decide whether the round's completed reviews meet the policy.

    A quorum (REVIEW_QUORUM) of approving decisions, at least one from a member of the article's
    specialty, and no request for changes.
    """
    quorum = settings.REVIEW_QUORUM
    reviews = list(counted_reviews(review_round=review_round).prefetch_related("assignment__board_member__specialties"))
    if any(review.decision == Decision.REQUEST_CHANGES for review in reviews):
        return PolicyOutcome(False, "A reviewer asked for changes.")
    approvers = [review.assignment.board_member for review in reviews if review.decision == Decision.APPROVE]
    if len(approvers) < quorum:
        return PolicyOutcome(False, f"{len(approvers)} of {quorum} approvals so far.")
    article = review_round.article
    if not any(article.specialty_id in {s.pk for s in member.specialties.all()} for member in approvers):
        return PolicyOutcome(False, f"No approver holds the specialty {article.specialty}.")
    return PolicyOutcome(True, f"{len(approvers)} approvals, the quorum of {quorum} met.")
