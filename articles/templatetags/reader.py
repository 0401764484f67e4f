"""Template helpers for the reader pages."""

import functools
import json
from urllib.parse import quote, urlsplit

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

# The characters that could end the <script> element or start a comment inside it.
_SCRIPT_SAFE = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}


@register.simple_tag
def page_url(name: str) -> str:
    """Return the address of the page ``name``, which takes no arguments: ``{% url name %}`` without its cost.

    ``{% url %}`` reverses on every render, 25 µs a link, and every reader page has five in its header and
    footer. Such an address depends only on the URLconf and the script prefix, so it is reversed once for each.
    """
    return _reversed(name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())


@functools.lru_cache(maxsize=256)
def _reversed(name: str, urlconf, script_prefix: str) -> str:
    return reverse(name, urlconf=urlconf)


@register.simple_tag
def json_ld(value):
    """Return ``value`` as a schema.org JSON-LD block, escaped so no text can leave the element."""
    payload = json.dumps(value, cls=DjangoJSONEncoder, ensure_ascii=False).translate(_SCRIPT_SAFE)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(payload))  # noqa: S308


@register.filter
def doi_url(doi: str) -> str:
    """Return the resolver address of a DOI, whether given bare or as a URL."""
    doi = doi.strip()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "http://dx.doi.org/", "doi:"):
        if doi.lower().startswith(prefix):
            doi = doi[len(prefix) :]
            break
    return "https://doi.org/" + quote(doi, safe="/:;()._-")


@register.filter
def pubmed_url(pmid: str) -> str:
    """Return the PubMed address of a PMID."""
    return "https://pubmed.ncbi.nlm.nih.gov/" + quote(pmid.strip(), safe="") + "/"


@register.filter
def web_url(url: str) -> str:
    """Return ``url`` if it is an http(s) address, else "" (no javascript: or data: links)."""
    return url if urlsplit(url.strip()).scheme.lower() in ("http", "https") else ""


@register.filter
def clinical_citation(reference) -> str:
    """Return the reference as a citation in the site's style (articles.citations)."""
    from articles.citations import format_citation

    return format_citation(reference)


@register.simple_tag
def optional_page_url(name: str) -> str:
    """Return the address of the page ``name`` (no arguments) if the URLconf has it, else "".

    For links from the reader pages to pages of other apps (the board, corrections): ``articles`` serves
    its pages under its own URLconf too, where those are absent.
    """
    try:
        return page_url(name)
    except NoReverseMatch:
        return ""


@register.simple_tag
def optional_url(name: str, *args) -> str:
    """Return ``{% url name args %}`` if the URLconf has it, else ""."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""
