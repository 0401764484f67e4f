"""Readers' follow-up questions about a published article, waiting in the editors' intake queue."""

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone
from django_fsm import FSMField, transition

from articles.models import Article, TransitionsOnlyMixin
from articles.text import QUESTION

QUESTION_MAX_LENGTH = QUESTION.max_length


class FollowUpStatus(models.TextChoices):
    OPEN = "open", "Open"
    CONVERTED = "converted", "Turned into an article"
    CLOSED = "closed", "Closed"


class FollowUpQuestion(TransitionsOnlyMixin, models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="follow_up_questions")
    question = models.TextField(max_length=QUESTION_MAX_LENGTH)
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    status = FSMField(
        max_length=20, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN, db_index=True, protected=True
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    converted_article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.PROTECT, related_name="source_questions"
    )
    closed_reason = models.CharField(max_length=500, blank=True)

    state_field_name = "status"

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status=FollowUpStatus.CONVERTED) | models.Q(converted_article__isnull=False),
                name="followup_converted_has_article",
            ),
            models.CheckConstraint(
                condition=~models.Q(status=FollowUpStatus.CLOSED) | ~models.Q(closed_reason=""),
                name="followup_closed_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Question #{self.pk} on {self.article.slug} ({self.get_status_display()})"

    # Transitions: they change the object in memory only; the intake's services save them.

    @transition(field=status, source=FollowUpStatus.OPEN, target=FollowUpStatus.CONVERTED)
    def convert(self, *, article: Article, by: User) -> None:
        """Record that the question became the draft ``article``."""
        self.converted_article = article
        self.handled_by = by
        self.handled_at = timezone.now()

    @transition(field=status, source=FollowUpStatus.OPEN, target=FollowUpStatus.CLOSED)
    def close(self, *, reason: str, by: User) -> None:
        """Close the question without an article, recording why."""
        self.closed_reason = reason
        self.handled_by = by
        self.handled_at = timezone.now()
