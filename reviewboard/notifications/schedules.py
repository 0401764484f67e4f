"""What beat asks for each day: review reminders, escalations and periodic re-reviews.

Each event carries a dedupe key (the unique ``OutboxEvent.dedupe_key``), so running a task twice
on the same day publishes nothing new.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from articles.models import Article, ArticleState
from reviewboard import events
from reviewboard.models import ReviewAssignment


def publish_review_reminders(*, today=None) -> int:
    """Publish due-soon, overdue and escalation events for open assignments; return how many."""
    today = today or timezone.localdate()
    soon = today + timedelta(days=settings.REVIEW_REMIND_DAYS_BEFORE)
    escalate_before = today - timedelta(days=settings.REVIEW_ESCALATE_AFTER_DAYS)
    published = 0
    assignments = ReviewAssignment.objects.open().filter(due_date__lte=soon).select_related("revision")
    with transaction.atomic():
        for assignment in assignments:
            article_id = assignment.revision.article_id
            kinds = ["review_due_soon" if assignment.due_date >= today else "review_overdue"]
            if assignment.due_date <= escalate_before:
                kinds.append("review_escalated")
            for kind in kinds:
                event = events.publish(
                    kind,
                    article_id=article_id,
                    actor_id=None,
                    assignment_id=assignment.pk,
                    dedupe_key=f"{kind}:{assignment.pk}:{today.isoformat()}",
                )
                published += event is not None
    return published


def publish_rereviews_due(*, today=None) -> int:
    """Publish ``rereview_due`` for approved articles older than the re-review age, once a month each.

    The article's state is left alone: readers keep the approved text; an editor opens the round.
    """
    today = today or timezone.localdate()
    cutoff = timezone.now() - timedelta(days=settings.REREVIEW_AFTER_DAYS)
    published = 0
    articles = Article.objects.filter(state=ArticleState.APPROVED, approved_at__lte=cutoff).values_list("pk", flat=True)
    with transaction.atomic():
        for article_id in articles:
            event = events.publish(
                "rereview_due",
                article_id=article_id,
                actor_id=None,
                dedupe_key=f"rereview_due:{article_id}:{today:%Y-%m}",
            )
            published += event is not None
    return published
