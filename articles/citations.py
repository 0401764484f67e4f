"""References in a clinical citation style: AMA (the default) or Vancouver, as the site's CITATION_STYLE says.

AMA 11th edition for a journal article: "Caviness JN, Brown P. Myoclonus: current concepts and recent advances.
*Lancet Neurol*. 2004;3(10):598-607. doi:10.1016/S1474-4422(04)00880-4". More than six authors: the first three
and "et al". Vancouver (ICMJE): the same order without italics, up to six authors then "et al.", and
"doi: ..." after the pages. A reference without a journal (a guideline, a book) names its publisher instead.
"""

import re

from django.conf import settings
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

AMA, VANCOUVER = "ama", "vancouver"
STYLES = (AMA, VANCOUVER)
_AUTHOR_SEPARATOR = re.compile(r"\s*[;,]\s*")


def _authors(authors: str, style: str) -> str:
    names = [name for name in _AUTHOR_SEPARATOR.split(authors.strip().rstrip(".")) if name]
    if style == AMA and len(names) > 6:
        return ", ".join(names[:3]) + ", et al"
    if style == VANCOUVER and len(names) > 6:
        return ", ".join(names[:6]) + ", et al"
    return ", ".join(names)


def _sentence(text: str) -> str:
    """Return ``text`` ending with one full stop (or its own question or exclamation mark)."""
    text = text.strip()
    return text if text.endswith((".", "?", "!")) else text + "."


def citation_style() -> str:
    style = getattr(settings, "CITATION_STYLE", AMA)
    return style if style in STYLES else AMA


def format_citation(reference, style: str | None = None) -> SafeString:
    """Return ``reference`` (a Reference or an object with its fields) as one citation, in HTML, escaped."""
    style = style or citation_style()
    parts: list[str] = []
    if reference.authors:
        parts.append(escape(_sentence(_authors(reference.authors, style))))
    parts.append(escape(_sentence(reference.title)))
    source = (reference.source or "").strip()
    year = str(reference.year) if reference.year else ""
    volume, issue, pages = (getattr(reference, name, "") or "" for name in ("volume", "issue", "pages"))
    if source:
        name = source.rstrip(".")
        parts.append(format_html("<em>{}</em>.", name) if style == AMA else escape(name + "."))
    locator = year
    if volume:
        locator += f";{volume}"
        if issue:
            locator += f"({issue})"
    elif issue:
        locator += f";({issue})"
    if pages:
        locator += f":{pages}"
    if locator:
        parts.append(escape(locator + "."))
    if reference.doi:
        parts.append(escape(f"doi:{reference.doi}" if style == AMA else f"doi: {reference.doi}"))
    elif reference.pmid:
        parts.append(escape(f"PMID: {reference.pmid}."))
    return mark_safe(" ".join(parts))  # noqa: S308  (every part is escaped or format_html)
