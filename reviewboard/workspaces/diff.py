"""Word-level differences between two revisions, as HTML with <ins> and <del>."""

import difflib
import re
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

# Words and the whitespace between them, so that joining the tokens gives back the text.
_TOKEN = re.compile(r"\s+|[^\s]+")


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


@dataclass
class FieldDiff:
    label: str
    html: SafeString
    changed: bool


def _reference_text(reference) -> str:
    parts = [f"[{reference.number}] {reference.get_kind_display()}: {reference.title}"]
    parts += [value for value in (reference.authors, reference.source) if value]
    if reference.year:
        parts.append(str(reference.year))
    parts += [f"{name} {value}" for name, value in (("DOI", reference.doi), ("PMID", reference.pmid)) if value]
    if reference.url:
        parts.append(reference.url)
    return ". ".join(parts)


def revision_fields(revision) -> list[tuple[str, str]]:
    """Return the revision's content as (label, text) pairs, in reading order."""
    if revision is None:
        return []
    fields = [
        ("Title", revision.title),
        ("Summary for patients and caregivers", revision.summary_patient),
        ("Summary for healthcare professionals", revision.summary_professional),
    ]
    for position, section in enumerate(revision.sections or [], start=1):
        fields.append((f"Section {position}", f"{section.get('heading', '')}\n\n{section.get('body', '')}"))
    references = "\n".join(_reference_text(r) for r in revision.references.all())
    fields.append(("References", references))
    return fields


def revision_diff(old, new) -> list[FieldDiff]:
    """Compare two revisions field by field; ``old`` None means everything in ``new`` is added."""
    before, after_fields = dict(revision_fields(old)), revision_fields(new)
    after = dict(after_fields)
    labels = [label for label, _ in after_fields] + [label for label in before if label not in after]
    return [
        FieldDiff(
            label=label,
            html=word_diff(before.get(label, ""), after.get(label, "")),
            changed=before.get(label, "") != after.get(label, ""),
        )
        for label in labels
    ]
