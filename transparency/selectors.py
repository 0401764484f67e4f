"""Reads for the public pages about the people and the record behind the articles: only what readers may see."""

from django.db.models import QuerySet

from articles.models import Article
from articles.selectors import published_articles
from reviewboard.models import AssignmentStatus, BoardMember, Decision, Review
from reviewboard.selectors import public_board


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


__all__ = ["articles_reviewed_by", "public_board", "public_member"]
