"""How a revision's text is shown: its sections and grouped references, the same for readers, previews and reviewers."""

from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from articles.models import ReferenceKind, Revision
from articles.rendering import render_markdown


@dataclass
class ReferenceGroup:
    label: str
    references: list


def reference_groups(revision: Revision) -> list[ReferenceGroup]:
    """Group the references by kind, in the order of the kinds, each group by number."""
    return group_references(list(revision.references.all()))


def group_references(references: list) -> list[ReferenceGroup]:
    """Group ``references`` (saved or not) by kind, in the order of the kinds, each group by number."""
    groups = []
    for kind in ReferenceKind:
        members = sorted((r for r in references if r.kind == kind.value), key=lambda r: r.number)
        if members:
            groups.append(ReferenceGroup(label=kind.label, references=members))
    return groups


def body_html(sections: list[dict], references: list) -> str:
    """Return sections and references as HTML: the reader page's body, for any content, saved or not."""
    rendered = [
        # render_markdown escapes raw HTML and sanitises its output, so it is safe to mark.
        {"heading": section.get("heading", ""), "html": mark_safe(render_markdown(section.get("body", "")))}  # noqa: S308
        for section in sections
    ]
    context = {"sections": rendered, "reference_groups": group_references(references)}
    return mark_safe(render_to_string("articles/_revision_body.html", context))  # noqa: S308  (autoescaped)


# The rendered sections and references of a revision, by (id, created_at). Revisions and their references are
# immutable, so a revision's body never changes once rendered; created_at guards against a reused id (SQLite
# reuses the ids of deleted rows). Per process, bounded; the page around it (audience, reviewers, article)
# is rendered on every request.
_REVISION_BODIES: dict[tuple, str] = {}
_REVISION_BODIES_MAX = 256


def revision_body_html(revision: Revision) -> str:
    """Return the sections and references of ``revision`` as HTML, rendered once per revision and process."""
    key = (revision.pk, revision.created_at)
    body = _REVISION_BODIES.get(key)
    if body is None:
        body = body_html(revision.sections, list(revision.references.all()))
        if len(_REVISION_BODIES) >= _REVISION_BODIES_MAX:
            _REVISION_BODIES.clear()
        _REVISION_BODIES[key] = body
    return body
