"""Reads for the editors' intake queue."""

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from articles.followup_models import FollowUpQuestion, FollowUpStatus
from articles.permissions import AUTHORS_GROUP


def open_questions() -> QuerySet[FollowUpQuestion]:
    """Return the questions waiting for an editor, oldest first."""
    return FollowUpQuestion.objects.filter(status=FollowUpStatus.OPEN).select_related("article__approved_revision")


def recently_handled_questions(*, limit: int = 20) -> QuerySet[FollowUpQuestion]:
    """Return the questions handled most recently, newest first."""
    return (
        FollowUpQuestion.objects.exclude(status=FollowUpStatus.OPEN)
        .select_related("article__approved_revision", "handled_by", "converted_article")
        .order_by("-handled_at", "-pk")[:limit]
    )


def assignable_authors():
    """Return the active users in the Authors group, by name."""
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=AUTHORS_GROUP)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )
