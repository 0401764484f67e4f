"""The text of a revision paragraph by paragraph, with the comment threads beside the passages they are on.

One component for the review page, the editor's page and the author's page (``workspaces/_commented_text.html``).
What a person may see and do comes from ``permissions.thread_rights``; the threads from ``selectors.visible_threads``.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article, Reference, Revision
from articles.rendering import render_markdown
from reviewboard.anchors import Paragraph, revision_paragraphs
from reviewboard.permissions import Person, ThreadRights, thread_rights, user_can_resolve
from reviewboard.review_models import AnchorField, CommentThread
from reviewboard.selectors import name_people, names_shown_to, visible_threads


@dataclass
class Passage:
    paragraph: Paragraph
    html: SafeString
    threads: list[CommentThread] = field(default_factory=list)


@dataclass
class Block:
    label: str
    html_id: str
    passages: list[Passage] = field(default_factory=list)


@dataclass
class CommentedText:
    revision: Revision
    rights: ThreadRights
    blocks: list[Block]
    elsewhere: list[CommentThread]
    open_count: int
    total: int
    open_threads: list[CommentThread] = field(default_factory=list)


def _label(paragraph: Paragraph, revision: Revision) -> tuple[str, str]:
    if paragraph.field == AnchorField.SECTION:
        heading = (revision.sections or [])[paragraph.index].get("heading", "") or f"Section {paragraph.index + 1}"
        return heading, f"text-section-{paragraph.index}"
    if paragraph.field == AnchorField.REFERENCE:
        return "References", "text-references"
    return AnchorField(paragraph.field).label, f"text-{paragraph.field}"


def _html(paragraph: Paragraph) -> SafeString:
    if paragraph.field == AnchorField.REFERENCE:
        # The reader's page gives each reference the id ref-N, which its citations link to.
        return mark_safe(f'<p id="ref-{paragraph.index}">[{paragraph.index}] {escape(paragraph.text)}</p>')  # noqa: S308
    # render_markdown escapes raw HTML and sanitises its output.
    return mark_safe(render_markdown(paragraph.source))  # noqa: S308


def commented_text(*, user: Person, article: Article, revision: Revision) -> CommentedText:
    """Return ``revision`` as blocks of passages with the threads ``user`` may see beside them.

    Threads anchored to another revision (their passage changed since) are listed apart, with their text.
    """
    rights = thread_rights(user, article)
    threads = list(visible_threads(user=user, article=article, rights=rights))
    names = names_shown_to(user=user, article=article, rights=rights)
    for thread in threads:
        thread.can_resolve = user_can_resolve(user, thread, rights)  # type: ignore[attr-defined]  # for the template
        name_people(thread, names)
        comments = list(thread.comments.all())
        thread.last_author_id = comments[-1].author_id if comments else None  # type: ignore[attr-defined]
    by_key: dict[tuple, list[CommentThread]] = defaultdict(list)
    elsewhere = []
    for thread in threads:
        if thread.anchor_revision_id == revision.pk:
            by_key[(thread.field, thread.anchor_index, thread.anchor_paragraph)].append(thread)
        else:
            elsewhere.append(thread)
    blocks: dict[str, Block] = {}
    for paragraph in revision_paragraphs(revision):
        label, html_id = _label(paragraph, revision)
        block = blocks.setdefault(html_id, Block(label, html_id))
        block.passages.append(Passage(paragraph, _html(paragraph), by_key.pop(paragraph.key, [])))
    # A thread whose place no longer exists in this revision's rendering is listed apart, never dropped.
    for stray in by_key.values():
        elsewhere.extend(stray)
    elsewhere.sort(key=lambda t: (not t.is_open, t.created_at, t.pk))
    return CommentedText(
        revision=revision,
        rights=rights,
        blocks=list(blocks.values()),
        elsewhere=elsewhere,
        open_count=sum(1 for t in threads if t.is_open),
        total=len(threads),
        open_threads=[t for t in threads if t.is_open],
    )


def reviewed_text(*, user: Person, article: Article) -> CommentedText | None:
    """Return the text of the article's last submitted revision with its threads, or None if it was never submitted."""
    if article.submitted_revision_id is None:
        return None
    revision = (
        Revision.objects.filter(pk=article.submitted_revision_id)
        .prefetch_related(Prefetch("references", queryset=Reference.objects.order_by("number")))
        .get()
    )
    return commented_text(user=user, article=article, revision=revision)
