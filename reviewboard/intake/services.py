"""The editors' intake queue: turn a reader's follow-up question into a new article, or close it."""

from django.contrib.auth.models import User
from django.db import transaction
from django_fsm import can_proceed

from articles import text
from articles.exceptions import InvalidTransition, ValidationFailed
from articles.followup_models import FollowUpQuestion
from articles.models import Article, Specialty
from articles.permissions import user_is_author_role
from articles.services import RevisionContent, article_create
from reviewboard.intake import receivers  # noqa: F401  (connects the follow-up signal)
from reviewboard.permissions import access_question


def _locked_open_question(question: FollowUpQuestion, actor: User, transition: str) -> FollowUpQuestion:
    """Re-read the question under a row lock, checking the actor may handle it and ``transition`` may happen."""
    question = access_question(actor, question.pk, lock=True)
    if not can_proceed(getattr(question, transition)):
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


def _working_title(question: str) -> str:
    """Return the question's first line, cut to a title's length: a reader's question may span lines."""
    first_line = next((line.strip() for line in question.splitlines() if line.strip()), "")
    if len(first_line) > text.TITLE.max_length:
        first_line = first_line[: text.TITLE.max_length - 1].rstrip() + "…"
    return first_line


def question_convert(
    *, question: FollowUpQuestion, actor: User, author, slug: str, specialty: Specialty, title: str = ""
) -> Article:
    """Start a draft article from a reader's question, written by ``author``; mark the question converted."""
    with transaction.atomic():
        question = _locked_open_question(question, actor, "convert")
        title = text.clean_text(title, text.TITLE, field="title") or _working_title(question.question)
        if not user_is_author_role(author):
            raise ValidationFailed.one("author", "Choose an author from the Authors group.", "not_author")
        article = article_create(
            actor=actor,
            slug=slug,
            specialty=specialty,
            content=_first_draft(question, title),
            change_note=f"Started from reader question #{question.pk}",
        )
        # article_create makes its actor the author; the editor hands the article to the author.
        article.authors.set([author])
        question.convert(article=article, by=actor)
        question.save(update_fields=["status", "converted_article", "handled_by", "handled_at"])
    return article


def question_close(*, question: FollowUpQuestion, actor: User, reason: str) -> FollowUpQuestion:
    """Close a reader's question without an article, recording why."""
    reason = text.clean_text(reason, text.SHORT_REASON, field="reason", required=True)
    with transaction.atomic():
        question = _locked_open_question(question, actor, "close")
        question.close(reason=reason, by=actor)
        question.save(update_fields=["status", "closed_reason", "handled_by", "handled_at"])
    return question
