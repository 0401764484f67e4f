"""Readers' follow-up questions about a published article, waiting in the editors' intake queue."""

from django.conf import settings
from django.db import models

from articles.models import Article

QUESTION_MAX_LENGTH = 2000


class FollowUpStatus(models.TextChoices):
    OPEN = "open", "Open"
    CONVERTED = "converted", "Turned into an article"
    CLOSED = "closed", "Closed"


class FollowUpQuestion(models.Model):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="follow_up_questions")
    question = models.TextField(max_length=QUESTION_MAX_LENGTH)
    email = models.EmailField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=20, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN, db_index=True)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    converted_article = models.ForeignKey(
        Article, null=True, blank=True, on_delete=models.PROTECT, related_name="source_questions"
    )
    closed_reason = models.CharField(max_length=500, blank=True)

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

    def __str__(self):
        return f"Question #{self.pk} on {self.article.slug} ({self.get_status_display()})"
