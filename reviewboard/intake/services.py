"""The editors' intake queue: turn a reader's follow-up question into a new article, or close it."""

from django.db import transaction
from django.utils import timezone

from articles.exceptions import ActionForbidden, InvalidTransition, ValidationFailed
from articles.models import Article, FollowUpQuestion, FollowUpStatus, Specialty
from articles.permissions import user_is_author_role, user_is_editor
from articles.services import RevisionContent, article_create
from reviewboard.intake import receivers  # noqa: F401  (connects the follow-up signal)

CLOSE_REASON_MAX_LENGTH = 500


def _locked_open_question(question: FollowUpQuestion, actor) -> FollowUpQuestion:
    """Re-read the question under a row lock and check the actor may handle it now."""
    question = FollowUpQuestion.objects.select_for_update().get(pk=question.pk)
    if not user_is_editor(actor):
        raise ActionForbidden("Only editors handle readers' follow-up questions.")
    if question.status != FollowUpStatus.OPEN:
        raise InvalidTransition(f"This question was already handled ({question.get_status_display().lower()}).")
    return question


def _first_draft(question: FollowUpQuestion, title: str) -> RevisionContent:
    quoted = "\n".join(f"> {line}" for line in question.question.splitlines())
    return RevisionContent(
        title=title,
        summary_patient="",
        summary_professional="",
        sections=[{"heading": "The reader's question", "body": quoted}],
    )


def question_convert(
    *, question: FollowUpQuestion, actor, author, slug: str, specialty: Specialty, title: str = ""
) -> Article:
    """Start a draft article from a reader's question, written by ``author``; mark the question converted."""
    title = (title or question.question).strip()
    if len(title) > 200:
        title = title[:199].rstrip() + "…"
    with transaction.atomic():
        question = _locked_open_question(question, actor)
        if not user_is_author_role(author):
            raise ValidationFailed(["Choose an author from the Authors group."])
        article = article_create(
            actor=actor,
            slug=slug,
            specialty=specialty,
            content=_first_draft(question, title),
            change_note=f"Started from reader question #{question.pk}",
        )
        # article_create makes its actor the author; the editor hands the article to the author.
        article.authors.set([author])
        question.status = FollowUpStatus.CONVERTED
        question.converted_article = article
        question.handled_by = actor
        question.handled_at = timezone.now()
        question.save(update_fields=["status", "converted_article", "handled_by", "handled_at"])
    return article


def question_close(*, question: FollowUpQuestion, actor, reason: str) -> FollowUpQuestion:
    """Close a reader's question without an article, recording why."""
    reason = reason.strip()
    if not reason:
        raise ValidationFailed(["Say why the question is closed."])
    if len(reason) > CLOSE_REASON_MAX_LENGTH:
        raise ValidationFailed([f"The reason is longer than {CLOSE_REASON_MAX_LENGTH} characters."])
    with transaction.atomic():
        question = _locked_open_question(question, actor)
        question.status = FollowUpStatus.CLOSED
        question.closed_reason = reason
        question.handled_by = actor
        question.handled_at = timezone.now()
        question.save(update_fields=["status", "closed_reason", "handled_by", "handled_at"])
    return question
