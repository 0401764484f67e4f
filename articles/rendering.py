"""Markdown to sanitised HTML, with numbered citations linked to the reference list."""

import re

import nh3
from markdown_it import MarkdownIt

# "[1]" or "[2, 4]": one or more reference numbers in brackets, not followed by "(" (a link).
CITATION = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\](?!\()")

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "a", "sup", "code", "pre", "blockquote",
    "h3", "h4", "table", "thead", "tbody", "tr", "th", "td", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "class"}, "sup": {"class"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def cited_numbers(markdown_text: str) -> list[int]:
    """Return every reference number cited in the text, in order of appearance."""
    return [int(n) for match in CITATION.finditer(markdown_text) for n in match.group(1).split(",")]


def _link_citation(match: re.Match) -> str:
    links = ", ".join(
        f'<a class="citation" href="#ref-{n}">{n}</a>' for n in (int(x) for x in match.group(1).split(","))
    )
    return f'<sup class="citation">{links}</sup>'


def sanitise(html: str) -> str:
    """Return the HTML with anything outside the allow-list removed."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def render_markdown(markdown_text: str) -> str:
    """Render Markdown to sanitised HTML; raw HTML in the source is escaped, never passed on."""
    html = _markdown.render(markdown_text)
    html = CITATION.sub(_link_citation, html)
    return sanitise(html)
