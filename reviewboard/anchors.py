"""Passages of a revision that comments are anchored to: its fields split into paragraphs, as readers see them.

A paragraph's text is its Markdown rendered and stripped of tags, with runs of white space as one space:
what a person selects on the page. A passage is a stretch of that text, by offsets.
"""

import html
import re
from dataclasses import dataclass

from django.utils.html import strip_tags

from articles.models import Reference, Revision
from articles.rendering import render_markdown
from reviewboard.review_models import AnchorField

_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of one field: where it is, its Markdown source and its text as readers see it."""

    field: str
    index: int
    number: int
    source: str
    text: str

    @property
    def key(self) -> tuple[str, int, int]:
        return (self.field, self.index, self.number)

    @property
    def html_id(self) -> str:
        return f"passage-{self.field}-{self.index}-{self.number}"


def plain(markdown_text: str) -> str:
    """Return Markdown as the words readers see, white space collapsed."""
    return _SPACE.sub(" ", html.unescape(strip_tags(render_markdown(markdown_text)))).strip()


def normal_quote(quote: str) -> str:
    """Return a selected passage with its white space collapsed, as it is matched against the text."""
    return _SPACE.sub(" ", quote).strip()


def split_paragraphs(source: str) -> list[str]:
    """Return the Markdown paragraphs (blocks between blank lines) of ``source``."""
    return [block.strip() for block in _BLANK_LINE.split(source.replace("\r\n", "\n")) if block.strip()]


def reference_text(reference: Reference) -> str:
    """Return a reference as one line of text, as the reference list shows it."""
    parts = [reference.title, reference.authors, reference.source, str(reference.year or "")]
    return _SPACE.sub(" ", ". ".join(part.strip() for part in parts if part and part.strip())).strip()


def field_paragraphs(revision: Revision, field: str, index: int = 0) -> list[Paragraph]:
    """Return the paragraphs of one field of ``revision`` (empty if it has no such field)."""
    if field in (AnchorField.SUMMARY_PATIENT, AnchorField.SUMMARY_PROFESSIONAL):
        blocks = split_paragraphs(getattr(revision, field))
    elif field == AnchorField.SECTION:
        sections = revision.sections or []
        blocks = split_paragraphs(sections[index].get("body", "")) if 0 <= index < len(sections) else []
    elif field == AnchorField.REFERENCE:
        reference = next((r for r in revision.references.all() if r.number == index), None)
        return [] if reference is None else [Paragraph(field, index, 0, "", reference_text(reference))]
    else:
        return []
    return [Paragraph(field, index, number, block, plain(block)) for number, block in enumerate(blocks)]


def revision_paragraphs(revision: Revision) -> list[Paragraph]:
    """Return every paragraph of ``revision`` in reading order: summaries, sections, references."""
    paragraphs = field_paragraphs(revision, AnchorField.SUMMARY_PATIENT)
    paragraphs += field_paragraphs(revision, AnchorField.SUMMARY_PROFESSIONAL)
    for index in range(len(revision.sections or [])):
        paragraphs += field_paragraphs(revision, AnchorField.SECTION, index)
    for reference in sorted(revision.references.all(), key=lambda r: r.number):
        paragraphs += field_paragraphs(revision, AnchorField.REFERENCE, reference.number)
    return paragraphs


@dataclass(frozen=True)
class Anchor:
    index: int
    paragraph: int
    start: int


def find_passage(
    revision: Revision, *, field: str, index: int, heading: str, quote: str, whole_paragraph: bool
) -> Anchor | None:
    """Return where ``quote`` stands unchanged in ``revision``'s same field, or None.

    A section is the one with the same heading, else the one at the same place. A whole-paragraph
    passage must still be a whole paragraph; a selected one may have moved within its field.
    """
    if field == AnchorField.SECTION:
        headings = [section.get("heading", "") for section in revision.sections or []]
        same_place = 0 <= index < len(headings) and headings[index] == heading
        if not same_place and heading in headings:
            # Moved: the nearest section with the heading (two sections may share one).
            index = min((i for i, h in enumerate(headings) if h == heading), key=lambda i: abs(i - index))
    for paragraph in field_paragraphs(revision, field, index):
        if whole_paragraph and paragraph.text == quote:
            return Anchor(index, paragraph.number, 0)
        if not whole_paragraph and quote in paragraph.text:
            return Anchor(index, paragraph.number, paragraph.text.index(quote))
    return None


def section_heading(revision: Revision, field: str, index: int) -> str:
    """Return the heading of section ``index`` of ``revision`` ("" for any other field)."""
    sections = revision.sections or []
    if field == AnchorField.SECTION and 0 <= index < len(sections):
        return str(sections[index].get("heading", ""))
    return ""
