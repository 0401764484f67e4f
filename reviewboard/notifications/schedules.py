"""What beat asks for each day: review reminders, escalations and periodic re-reviews.

Each event carries a dedupe key (the unique ``OutboxEvent.dedupe_key``), so running a task twice
on the same day publishes nothing new.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from articles.exceptions import DomainError
from articles.models import Article
from reviewboard import events, services
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


def open_rereviews_due() -> int:
    """Open a review round on every approved article older than the re-review age; return how many.

    Readers keep the approved text while the board reviews it again; editors are told through the
    ``rereview_due`` event the service publishes. One article's refusal never stops the others.
    """
    due = Article.objects.review_overdue().order_by("approved_at")
    actor = services.system_actor()
    opened = 0
    for article in due.iterator():
        try:
            services.article_rereview_open(article=article, actor=actor)
        except DomainError:
            continue  # its state changed since the query: nothing to open
        opened += 1
    return opened
