"""Reads for the public pages about the people and the record behind the articles: only what readers may see."""

from django.db.models import Prefetch, QuerySet

from articles.models import Article, Specialty
from articles.selectors import published_articles
from reviewboard.models import AssignmentStatus, BoardMember, Decision, Review


def public_board() -> QuerySet[BoardMember]:
    """Return the active board members readers see, by name, with their specialties and verifying editor."""
    return (
        BoardMember.objects.active()
        .select_related("user", "verified_by")
        .prefetch_related(Prefetch("specialties", queryset=Specialty.objects.order_by("name")))
        .order_by("user__last_name", "user__first_name", "pk")
    )


def public_member(*, slug: str) -> BoardMember | None:
    """Return the active board member whose profile is at ``slug``, or None."""
    return public_board().filter(slug=slug).first()


def articles_reviewed_by(*, member: BoardMember) -> QuerySet[Article]:
    """Return the published articles whose approved revision ``member`` approved, newest approval first.

    Only what readers may see: the published articles (articles.selectors, the approval gate), and only their
    approved revision, never a draft or a revision under review.
    """
    approved_revisions = Review.objects.filter(
        assignment__board_member=member,
        assignment__status=AssignmentStatus.COMPLETED,
        decision=Decision.APPROVE,
    ).values("assignment__revision_id")
    return published_articles().filter(approved_revision__in=approved_revisions).order_by("-approved_at", "pk")
