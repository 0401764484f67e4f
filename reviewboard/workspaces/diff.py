"""What changed between two revisions, for people: per field and section, only what changed, rendered as the
reader sees it with insertions and deletions marked, and the source text's word diff beside it.

One component for authors, reviewers, editors and the admin (``workspaces/_diff.html``): ``revision_diff``
returns a ``RevisionDiff``, a list of ``FieldDiff`` with the changed and unchanged ones apart.
"""

import difflib
import re
from dataclasses import dataclass

import nh3
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.rendering import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, ALLOWED_URL_SCHEMES, render_body, render_markdown

# Words and the whitespace between them, so that joining the tokens gives back the text.
_TOKEN = re.compile(r"\s+|[^\s]+")
# In rendered HTML: a tag, an entity, a run of whitespace, a word, or one mark of punctuation (so that "causes"
# becoming "causes," marks the comma alone).
_HTML_TOKEN = re.compile(r"<[^>]*>|&#?\w+;|\s+|\w+|[^\w\s<]")

ADDED, REMOVED, CHANGED, SAME = "added", "removed", "changed", "same"
STATUS_LABELS = {ADDED: "Added", REMOVED: "Removed", CHANGED: "Changed", SAME: "Unchanged"}


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(text or "")


def word_diff(old: str, new: str) -> SafeString:
    """Return ``new`` as HTML, with words removed from ``old`` in <del> and added ones in <ins>."""
    before, after = _tokens(old), _tokens(new)
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    parts: list[str] = []
    for operation, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        removed = escape("".join(before[a_start:a_end]))
        added = escape("".join(after[b_start:b_end]))
        if operation == "equal":
            parts.append(added)
            continue
        if operation in ("delete", "replace"):
            parts.append(f"<del>{removed}</del>")
        if operation in ("insert", "replace"):
            parts.append(f"<ins>{added}</ins>")
    # Every piece of text above went through escape(); only our own tags are raw.
    return mark_safe("".join(parts))  # noqa: S308


def _is_tag(token: str) -> bool:
    return token.startswith("<")


def _marked(tokens: list[str], mark: str, *, keep_tags: bool) -> str:
    """Wrap the runs of text among ``tokens`` in <mark>; keep the tags (inserted) or drop them (deleted)."""
    parts: list[str] = []
    run: list[str] = []

    def flush() -> None:
        text = "".join(run)
        core = text.strip()
        if core:  # the spaces around a change stay outside its mark
            start = text.index(core)
            parts.append(f"{text[:start]}<{mark}>{core}</{mark}>{text[start + len(core) :]}")
        elif text:
            parts.append(text)
        run.clear()

    for token in tokens:
        if _is_tag(token):
            flush()
            if keep_tags:
                parts.append(token)
        else:
            run.append(token)
    flush()
    return "".join(parts)


def html_diff(old_html: str, new_html: str) -> SafeString:
    """Return ``new_html`` with the text removed from ``old_html`` in <del> and the text added in <ins>.

    Both are sanitised renderings (articles.rendering); the result keeps the new one's structure and goes
    through the same allow-list, with <ins> and <del> added.
    """
    before, after = _HTML_TOKEN.findall(old_html), _HTML_TOKEN.findall(new_html)
    matcher = difflib.SequenceMatcher(a=before, b=after, autojunk=False)
    parts = []
    for operation, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        if operation == "equal":
            parts.append("".join(after[b_start:b_end]))
            continue
        if operation in ("delete", "replace"):
            parts.append(_marked(before[a_start:a_end], "del", keep_tags=False))
        if operation in ("insert", "replace"):
            parts.append(_marked(after[b_start:b_end], "ins", keep_tags=True))
    cleaned = nh3.clean(
        "".join(parts),
        tags=ALLOWED_TAGS | {"ins", "del"},
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # noqa: S308  (sanitised just above)


@dataclass
class FieldDiff:
    """One field, section or reference: its rendered diff, its source text's diff, and how it changed."""

    label: str
    html: SafeString
    source_html: SafeString
    status: str

    @property
    def changed(self) -> bool:
        return self.status != SAME

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


class RevisionDiff(list):
    """The fields of a comparison in reading order; ``changed`` and ``unchanged`` hold them apart."""

    @property
    def changed(self) -> list[FieldDiff]:
        return [field for field in self if field.changed]

    @property
    def unchanged(self) -> list[FieldDiff]:
        return [field for field in self if not field.changed]


@dataclass(frozen=True)
class _Part:
    """A comparable piece of a revision: its key for alignment, label, source text and rendering."""

    key: str
    label: str
    source: str
    html: str


def _reference_text(reference) -> str:
    parts = [f"[{reference.number}] {reference.get_kind_display()}: {reference.title}"]
    parts += [value for value in (reference.authors, reference.source) if value]
    if reference.year:
        parts.append(str(reference.year))
    parts += [f"{name} {value}" for name, value in (("DOI", reference.doi), ("PMID", reference.pmid)) if value]
    if reference.url:
        parts.append(reference.url)
    return ". ".join(parts)


def _section_part(position: int, section: dict) -> _Part:
    heading, body = section.get("heading", ""), section.get("body", "")
    html = f"<p><strong>{escape(heading)}</strong></p>{render_body(body)}"
    label = f"Section {position}: {heading}" if heading else f"Section {position}"
    return _Part(heading.strip().lower(), label, f"{heading}\n\n{body}", html)


def _reference_part(reference) -> _Part:
    text = _reference_text(reference)
    return _Part(reference.title.strip().lower(), f"Reference {reference.number}", text, f"<p>{escape(text)}</p>")


def _fields(revision) -> list[_Part]:
    if revision is None:
        return []
    return [
        _Part("title", "Title", revision.title, f"<p>{escape(revision.title)}</p>"),
        _Part(
            "summary_patient",
            "Summary for patients and caregivers",
            revision.summary_patient,
            render_markdown(revision.summary_patient),
        ),
        _Part(
            "summary_professional",
            "Summary for healthcare professionals",
            revision.summary_professional,
            render_markdown(revision.summary_professional),
        ),
    ]


def _compare(old: _Part | None, new: _Part | None) -> FieldDiff:
    if old is None:
        assert new is not None  # noqa: S101  (_aligned pairs at least one side)
        return FieldDiff(new.label, html_diff("", new.html), word_diff("", new.source), ADDED)
    if new is None:
        return FieldDiff(old.label, html_diff(old.html, ""), word_diff(old.source, ""), REMOVED)
    status = SAME if old.source == new.source else CHANGED
    if status == SAME:
        return FieldDiff(new.label, mark_safe(new.html), mark_safe(escape(new.source)), SAME)  # noqa: S308
    return FieldDiff(new.label, html_diff(old.html, new.html), word_diff(old.source, new.source), status)


def _aligned(old: list[_Part], new: list[_Part]) -> list[tuple[_Part | None, _Part | None]]:
    """Pair the parts of two lists by key (a heading, a reference's title), so that an insertion shifts nothing."""
    matcher = difflib.SequenceMatcher(a=[p.key for p in old], b=[p.key for p in new], autojunk=False)
    pairs: list[tuple[_Part | None, _Part | None]] = []
    for operation, a_start, a_end, b_start, b_end in matcher.get_opcodes():
        olds, news = old[a_start:a_end], new[b_start:b_end]
        if operation in ("equal", "replace"):
            common = min(len(olds), len(news))
            pairs += list(zip(olds[:common], news[:common], strict=True))
            pairs += [(part, None) for part in olds[common:]]
            pairs += [(None, part) for part in news[common:]]
        elif operation == "delete":
            pairs += [(part, None) for part in olds]
        else:
            pairs += [(None, part) for part in news]
    return pairs


def revision_diff(old, new) -> RevisionDiff:
    """Compare two revisions field by field, section by section and reference by reference (``old`` None: all new)."""
    diff = RevisionDiff()
    before, after = _fields(old), _fields(new)
    if old is None:
        before = []
    for position, part in enumerate(after):
        diff.append(_compare(before[position] if before else None, part))
    old_sections = [_section_part(i, s) for i, s in enumerate(old.sections or [], start=1)] if old else []
    new_sections = [_section_part(i, s) for i, s in enumerate(new.sections or [], start=1)]
    diff += [_compare(a, b) for a, b in _aligned(old_sections, new_sections)]
    old_references = [_reference_part(r) for r in old.references.all()] if old else []
    new_references = [_reference_part(r) for r in new.references.all()]
    diff += [_compare(a, b) for a, b in _aligned(old_references, new_references)]
    return diff
