"""Markdown to sanitised HTML, with numbered citations linked to the reference list.

Citations are found in the parsed text only (never inside code, link text or attributes), so
``items[1]`` in code stays code and a ``[1]`` in a link's title leaves the link intact.
"""

import functools
import re

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

# "[1]" or "[2, 4]": one or more reference numbers in brackets, not followed by "(" (a link).
CITATION = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\](?!\()")
# Sections sit under the page's h1 and the section's own h2: body headings start at h3.
TOP_BODY_HEADING = 3

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "ul", "ol", "li", "a", "sup", "code", "pre", "blockquote",
    "h3", "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "class"}, "sup": {"class"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def _citation_token(numbers: list[int]) -> Token:
    token = Token("html_inline", "", 0)
    links = ", ".join(f'<a class="citation" href="#ref-{n}">{n}</a>' for n in numbers)
    token.content = f'<sup class="citation">{links}</sup>'
    return token


def _split_citations(text: str) -> list[Token]:
    tokens, position = [], 0
    for match in CITATION.finditer(text):
        if match.start() > position:
            tokens.append(Token("text", "", 0, content=text[position : match.start()]))
        tokens.append(_citation_token([int(n) for n in match.group(1).split(",")]))
        position = match.end()
    if position < len(text):
        tokens.append(Token("text", "", 0, content=text[position:]))
    return tokens


def _citations_rule(state) -> None:
    """Turn citation text into links to the reference list, outside links and code."""
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children, link_depth = [], 0
        for token in block.children:
            link_depth += {"link_open": 1, "link_close": -1}.get(token.type, 0)
            if token.type == "text" and link_depth == 0 and CITATION.search(token.content):
                children.extend(_split_citations(token.content))
            else:
                children.append(token)
        block.children = children


def _heading_rule(state) -> None:
    """Render body headings no higher than h3, so they nest under the page's own headings."""
    for token in state.tokens:
        if token.type in ("heading_open", "heading_close"):
            level = max(int(token.tag[1]), TOP_BODY_HEADING)
            token.tag = f"h{min(level, 6)}"


_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_markdown.core.ruler.push("citations", _citations_rule)
_markdown.core.ruler.push("body_headings", _heading_rule)


def cited_numbers(markdown_text: str) -> list[int]:
    """Return every reference number cited in the text, in order of appearance."""
    return [int(n) for match in CITATION.finditer(markdown_text) for n in match.group(1).split(",")]


def renumber_citations(markdown_text: str, numbers: dict[int, int]) -> str:
    """Return the text with every cited reference number ``n`` replaced by ``numbers[n]`` (others kept)."""

    def replace(match: re.Match) -> str:
        cited = [int(n) for n in match.group(1).split(",")]
        return "[" + ", ".join(str(numbers.get(n, n)) for n in cited) + "]"

    return CITATION.sub(replace, markdown_text)


def sanitise(html: str) -> str:
    """Return the HTML with anything outside the allow-list removed."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


# A pure function of its text, so a memo is safe whatever changes in the database; the reader page renders the
# same (immutable) revisions' text on every uncached request. Bounded: a few hundred sections and summaries.
@functools.lru_cache(maxsize=512)
def render_markdown(markdown_text: str) -> str:
    """Render Markdown to sanitised HTML; raw HTML in the source is escaped, never passed on."""
    return sanitise(_markdown.render(markdown_text))


# A passage for one audience: a line "::: patient" (or "::: professional"), the passage, and a line ":::".
AUDIENCE_PASSAGE = re.compile(r"^:::[ \t]*(patient|professional)[ \t]*\n(.*?)^:::[ \t]*$\n?", re.MULTILINE | re.DOTALL)
PASSAGE_AUDIENCES = {"patient": "For patients and caregivers", "professional": "For healthcare professionals"}


def render_body(markdown_text: str) -> str:
    """Render a section's Markdown to sanitised HTML, each audience's passages in an element marked for it.

    The reader page shows the passages of the reader's audience and hides the others (the audience switch
    changes which, without a reload); every passage is sanitised like the rest of the text.
    """
    parts, position = [], 0
    for match in AUDIENCE_PASSAGE.finditer(markdown_text):
        parts.append(render_markdown(markdown_text[position : match.start()]))
        audience = match.group(1)
        parts.append(
            f'<div class="audience-passage" data-for="{audience}">'
            f'<p class="audience-passage__label">{PASSAGE_AUDIENCES[audience]}</p>'
            f"{render_markdown(match.group(2))}</div>"
        )
        position = match.end()
    parts.append(render_markdown(markdown_text[position:]))
    return "".join(parts)
