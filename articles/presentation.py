"""How a revision's text is shown: its sections and grouped references, the same for readers, previews and reviewers."""

from dataclasses import dataclass
from urllib.parse import urlsplit

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from articles.models import ReferenceKind, Revision
from articles.rendering import render_body


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


def section_tree(sections: list[dict]) -> list[dict]:
    """Return the sections as the page nests them: each section with its sub-sections (level 2) under it."""
    tree: list[dict] = []
    for section in sections:
        rendered = {
            "heading": section.get("heading", ""),
            # render_body escapes raw HTML and sanitises its output, so it is safe to mark.
            "html": mark_safe(render_body(section.get("body", ""))),  # noqa: S308
            "subsections": [],
        }
        if section.get("level") == 2 and tree:
            tree[-1]["subsections"].append(rendered)
        else:
            tree.append(rendered)
    return tree


def body_html(sections: list[dict], references: list) -> str:
    """Return sections and references as HTML: the reader page's body, for any content, saved or not."""
    context = {"sections": section_tree(sections), "reference_groups": group_references(references)}
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


def _citation_ld(reference) -> dict:
    work: dict = {"@type": "ScholarlyArticle", "name": reference.title}
    if reference.authors:
        work["author"] = reference.authors
    if reference.source:
        work["isPartOf"] = reference.source
    if reference.year:
        work["datePublished"] = str(reference.year)
    if reference.doi:
        work["sameAs"] = f"https://doi.org/{reference.doi}"
    elif urlsplit(reference.url.strip()).scheme.lower() in ("http", "https"):
        work["url"] = reference.url
    return work


_REVISION_CITATIONS: dict[tuple, list] = {}


def revision_citations_ld(revision: Revision) -> list[dict]:
    """Return the schema.org ``citation`` of ``revision``'s references, built once per revision and process."""
    key = (revision.pk, revision.created_at)
    citations = _REVISION_CITATIONS.get(key)
    if citations is None:
        citations = [_citation_ld(reference) for reference in revision.references.all()]
        if len(_REVISION_CITATIONS) >= _REVISION_BODIES_MAX:
            _REVISION_CITATIONS.clear()
        _REVISION_CITATIONS[key] = citations
    return citations
