"""Comment threads on the text under review: open, reply, resolve, reopen, and carry them to the next revision.

Each service cleans its text by its ``TextRule``, fetches through ``access_article`` / ``access_thread``
(which decide who may), checks the passage against the revision, writes, and publishes its event.
"""

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from articles import text
from articles.exceptions import InvalidTransition, ValidationFailed
from articles.models import Article, Revision
from reviewboard import events
from reviewboard.anchors import field_paragraphs, find_passage, normal_quote, section_heading
from reviewboard.models import ReviewRound
from reviewboard.permissions import (
    THREAD_OPEN,
    THREAD_REPLY,
    THREAD_RESOLVE,
    access_article,
    access_thread,
)
from reviewboard.review_models import AnchorField, CommentThread, ThreadComment, ThreadStatus
from reviewboard.selectors import open_round


def _whole_number(value: object, *, field: str, errors: text.FieldErrors, label: str) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        errors.add(field, f"{label} must be a whole number.", "type")
        return 0
    if number < 0:
        errors.add(field, f"{label} must not be negative.", "invalid")
        return 0
    return number


def thread_open(
    *,
    article: Article,
    actor: User,
    field: str,
    index: object,
    paragraph: object,
    body: str,
    quote: str = "",
    confidential: bool = False,
) -> CommentThread:
    """Open a thread on a passage of the revision under review: a whole paragraph, or a quoted part of it."""
    errors = text.FieldErrors()
    if field not in AnchorField.values:
        errors.add("field", "Choose a summary, a section or a reference to comment on.", "invalid")
    index = _whole_number(index, field="index", errors=errors, label="The section or reference")
    number = _whole_number(paragraph, field="paragraph", errors=errors, label="The paragraph")
    body = errors.text(body, text.THREAD_COMMENT, field="body", required=True, required_message="Write your comment.")
    quote = normal_quote(errors.text(quote, text.QUOTED_PASSAGE, field="quote"))
    errors.raise_if_any()
    with transaction.atomic():
        article = access_article(actor, purpose=THREAD_OPEN, pk=article.pk, lock=True)
        review_round = open_round(article=article)
        if review_round is None:
            raise InvalidTransition(
                "Comments are written on a revision under review; "
                f"this article is {article.get_state_display().lower()}."
            )
        revision = review_round.revision
        paragraphs = field_paragraphs(revision, field, index)
        if number >= len(paragraphs):
            raise ValidationFailed.one(
                "paragraph", "There is no such paragraph in the revision under review.", "missing"
            )
        passage = paragraphs[number]
        whole = not quote or quote == passage.text
        if whole:
            quote, start = passage.text, 0
        elif quote in passage.text:
            start = passage.text.index(quote)
        else:
            raise ValidationFailed.one(
                "quote", "The quoted passage is not in this paragraph: select it again, or leave it empty.", "not_found"
            )
        thread = CommentThread.objects.create(
            article=article,
            revision=revision,
            field=field,
            index=index,
            paragraph=number,
            quote=quote,
            whole_paragraph=whole,
            start=start,
            end=start + len(quote),
            anchor_revision=revision,
            anchor_index=index,
            anchor_paragraph=number,
            anchor_start=start,
            confidential=bool(confidential),
            opened_by=actor,
        )
        ThreadComment.objects.create(thread=thread, author=actor, body=body)
        events.publish(
            "thread_opened",
            article_id=article.pk,
            actor_id=actor.pk,
            thread_id=thread.pk,
            confidential=thread.confidential,
        )
    return thread


def thread_reply(
    *, thread: CommentThread, actor: User, body: str, review_round: ReviewRound | None = None
) -> ThreadComment:
    """Answer a thread; its earlier writers are told.

    ``review_round``: the round whose response letter this reply goes with (``services.article_submit``).
    """
    body = text.clean_text(body, text.THREAD_COMMENT, field="body", required=True, required_message="Write your reply.")
    with transaction.atomic():
        thread = access_thread(actor, thread.pk, purpose=THREAD_REPLY, lock=True)
        if review_round is not None and review_round.article_id != thread.article_id:
            raise ValueError("A letter's reply goes to a thread of the letter's article.")
        comment = ThreadComment.objects.create(thread=thread, author=actor, body=body, review_round=review_round)
        events.publish(
            "thread_reply",
            article_id=thread.article_id,
            actor_id=actor.pk,
            thread_id=thread.pk,
            comment_id=comment.pk,
            confidential=thread.confidential,
        )
    return comment


def thread_resolve(*, thread: CommentThread, actor: User) -> CommentThread:
    """Mark a thread resolved."""
    with transaction.atomic():
        thread = access_thread(actor, thread.pk, purpose=THREAD_RESOLVE, lock=True)
        if thread.status != ThreadStatus.OPEN:
            raise InvalidTransition("This thread is already resolved.")
        thread.resolve(by=actor, when=timezone.now())
        thread.save(update_fields=["status", "resolved_by", "resolved_at"])
        events.publish("thread_resolved", article_id=thread.article_id, actor_id=actor.pk, thread_id=thread.pk)
    return thread


def thread_reopen(*, thread: CommentThread, actor: User) -> CommentThread:
    """Open a resolved thread again."""
    with transaction.atomic():
        thread = access_thread(actor, thread.pk, purpose=THREAD_RESOLVE, lock=True)
        if thread.status == ThreadStatus.OPEN:
            raise InvalidTransition("This thread is already open.")
        thread.reopen()
        thread.save(update_fields=["status", "resolved_by", "resolved_at"])
        events.publish("thread_reopened", article_id=thread.article_id, actor_id=actor.pk, thread_id=thread.pk)
    return thread


def threads_reanchor(*, article: Article, revision: Revision) -> tuple[int, int]:
    """Move each open thread of ``article`` to ``revision`` where its passage stands unchanged; leave the others.

    A thread whose passage changed stays anchored to the revision it last matched, with its quoted text:
    it is shown "on an earlier revision" and is never lost. Caller holds the article's row lock.
    Return (moved, left).
    """
    moved = left = 0
    threads = (
        CommentThread.objects.filter(article=article, status=ThreadStatus.OPEN)
        .exclude(anchor_revision=revision)
        .select_related("anchor_revision")
    )
    for thread in threads:
        anchor = find_passage(
            revision,
            field=thread.field,
            index=thread.anchor_index,
            heading=section_heading(thread.anchor_revision, thread.field, thread.anchor_index),
            quote=thread.quote,
            whole_paragraph=thread.whole_paragraph,
        )
        if anchor is None:
            left += 1
            continue
        thread.anchor_revision = revision
        thread.anchor_index, thread.anchor_paragraph, thread.anchor_start = anchor.index, anchor.paragraph, anchor.start
        thread.save(update_fields=["anchor_revision", "anchor_index", "anchor_paragraph", "anchor_start"])
        moved += 1
    return moved, left
