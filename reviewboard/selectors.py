"""Reads for the workflow's use cases."""

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from articles.models import Article
from reviewboard.models import (
    OPEN_STATUSES,
    AssignmentStatus,
    BoardMember,
    Decision,
    Review,
    ReviewAssignment,
    TransitionLogEntry,
)


@dataclass
class Suggestion:
    """A board member the automatic assigner considered, and why."""

    board_member: BoardMember
    open_load: int
    in_specialty: bool
    eligible: bool
    reasons: list[str] = field(default_factory=list)


def reviewer_suggestions(*, article: Article) -> list[Suggestion]:
    """Rank active board members for the article: eligible first, specialty, then lowest load."""
    author_ids = set(article.authors.values_list("pk", flat=True))
    conflicted = set(article.conflicts.values_list("board_member_id", flat=True))
    already = set(
        ReviewAssignment.objects.live()
        .filter(revision_id=article.current_revision_id)
        .values_list("board_member_id", flat=True)
    )
    members = (
        BoardMember.objects.active()
        .select_related("user")
        .annotate(open_load=Count("assignments", filter=Q(assignments__status__in=OPEN_STATUSES), distinct=True))
        .annotate(in_specialty=Count("specialties", filter=Q(specialties=article.specialty_id), distinct=True))
    )
    suggestions = []
    for member in members:
        reasons = []
        eligible = True
        in_specialty = member.in_specialty > 0
        reasons.append(f"specialty {article.specialty}" if in_specialty else "outside the specialty")
        reasons.append(f"{member.open_load} of {member.capacity} open reviews")
        if member.user_id in author_ids:
            eligible, reasons = False, [*reasons, "an author of this article"]
        if member.pk in conflicted:
            eligible, reasons = False, [*reasons, "declared a conflict of interest"]
        if member.pk in already:
            eligible, reasons = False, [*reasons, "already assigned to this revision"]
        if member.open_load >= member.capacity:
            eligible, reasons = False, [*reasons, "at capacity"]
        suggestions.append(Suggestion(member, member.open_load, in_specialty, eligible, reasons))
    suggestions.sort(key=lambda s: (not s.eligible, not s.in_specialty, s.open_load, s.board_member.pk))
    return suggestions


def article_timeline(*, article: Article) -> QuerySet[TransitionLogEntry]:
    """Return the article's transitions, oldest first."""
    return article.transitions.select_related("actor", "revision")


def open_assignments_for(*, board_member: BoardMember) -> QuerySet[ReviewAssignment]:
    """Return the member's invitations and accepted reviews, most urgent first."""
    return board_member.assignments.open().select_related("revision__article").order_by("due_date", "pk")


def approving_board_members(revision) -> list[BoardMember]:
    """Return the board members whose completed reviews approved ``revision``, by name."""
    reviews = (
        Review.objects.filter(
            assignment__revision=revision,
            assignment__status=AssignmentStatus.COMPLETED,
            decision=Decision.APPROVE,
        )
        .select_related("assignment__board_member__user")
        .prefetch_related("assignment__board_member__specialties")
        .order_by("assignment__board_member__user__last_name", "assignment__board_member__user__first_name", "pk")
    )
    return [review.assignment.board_member for review in reviews]


def author_feedback(*, article: Article) -> QuerySet[Review]:
    """Return the reviews of the article as its authors may see them: never the confidential comments."""
    return (
        Review.objects.filter(assignment__revision__article=article)
        .defer("confidential_comments")
        .select_related("assignment__revision")
        .order_by("-created_at")
    )
