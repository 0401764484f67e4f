"""Serving the reader pages over HTTP: from the cache or freshly rendered, with ETag and Last-Modified,
and a friendly 503 instead of a 500 while the database cannot be reached (``articles.cache`` holds them)."""

import functools
import logging
from dataclasses import dataclass
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse
from django.utils.cache import (
    get_conditional_response,
    patch_cache_control,
    patch_vary_headers,
)
from django.utils.http import http_date, parse_http_date_safe

from articles import cache as reader_cache
from articles.cache import CachedPage

logger = logging.getLogger(__name__)

# Browsers may keep an anonymous reader page this long (seconds) before revalidating.
PUBLIC_MAX_AGE = 60
# A CDN or caching proxy in front (s-maxage): kept as long as the reader cache keeps it, then served while it
# revalidates, and for a day while the site is down; an approval purges it by its surrogate key (docs/operations.md).
STALE_WHILE_REVALIDATE = 60
STALE_IF_ERROR = 24 * 60 * 60
SURROGATE_KEY_HEADER = "Surrogate-Key"
LIST_SURROGATE_KEY = "articles"


def article_surrogate_key(slug: str) -> str:
    """Return the surrogate key of the article page at ``slug`` (every audience): what a purge names."""
    return f"article-{slug}"


@dataclass(frozen=True)
class RenderedPage:
    html: str
    etag: str
    last_modified: int
    source: Any = None  # the article row it was rendered from (articles.stored.PageSource), when it may be stored
    valid_until: Any = None  # a datetime when what it shows changes with time alone (its review falls due)


def session_names_a_person(request) -> bool:
    """Return whether ``request``'s session names a signed-in person: which account links the reader header shows.

    The reader pages are answered before the session and authentication middleware (articles.middleware), and what
    they show a signed-in reader is only the link to their workspace, which checks who they are itself. So the
    session is read through the configured engine's public API, and the person it names is not loaded.
    """
    key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    if not key:
        return False
    store = import_module(settings.SESSION_ENGINE).SessionStore(key)
    return SESSION_KEY in store


def unavailable_when_database_is_down(view):
    """Answer 503 (config.errors.database_unavailable), not a 500, while the database cannot be reached."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except (OperationalError, InterfaceError):
            from config.errors import database_unavailable

            logger.warning("database unreachable while serving %s", request.path, exc_info=True)
            return database_unavailable(request)

    return wrapper


def close_broken_connections() -> None:
    """Close connections that failed, so the next request connects afresh and the site recovers by itself.

    The WSGI handler does this between requests too; callers without it (the test client) rely on this.
    """
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()


def cached_or_rendered(request, slot, *, render) -> CachedPage | HttpResponse:
    """Return the current cached page in ``slot``, or call ``render`` and keep a page it returns.

    ``render`` returns a RenderedPage, or an HttpResponse (not found, gone) that is answered as it is. While the
    database is unreachable, a page past its freshness that no invalidation retired answers instead.
    """
    origin = reader_cache.origin_of(request)
    found = reader_cache.lookup(slot, origin=origin) if slot is not None else reader_cache.Lookup(None, None, None)
    if found.fresh is not None:
        return found.fresh
    try:
        rendered = render()
    except (OperationalError, InterfaceError):
        if found.stale is None:
            raise
        # Nothing retired this page since it was rendered: better a slightly old approved page than none.
        logger.warning("database unreachable: serving %s from the cache past its freshness", request.path)
        close_broken_connections()
        return found.stale
    if isinstance(rendered, HttpResponse):
        return rendered
    generation = found.generation
    page = CachedPage(
        html=rendered.html.encode(),  # once, here: every hit then sends the bytes as they are
        etag=rendered.etag,
        last_modified=rendered.last_modified,
        origin=origin,
        generation=generation or 0,
    )
    if generation is not None:
        reader_cache.store(slot, page)
    return page


def page_response(page: CachedPage, *, anonymous: bool, shared: bool, surrogate_key: str = "") -> HttpResponse:
    """Return the response for ``page``: validators and shared caching for anonymous readers only."""
    response = HttpResponse(page.html)
    patch_vary_headers(response, ["Cookie"])
    if not anonymous:
        patch_cache_control(response, private=True, no_cache=True)
        return response
    response["ETag"] = page.etag
    response["Last-Modified"] = http_date(page.last_modified)
    if shared:
        patch_cache_control(
            response,
            public=True,
            max_age=PUBLIC_MAX_AGE,
            s_maxage=max(reader_cache.cache_seconds(), PUBLIC_MAX_AGE),
            stale_while_revalidate=STALE_WHILE_REVALIDATE,
            stale_if_error=STALE_IF_ERROR,
        )
        if surrogate_key:
            response[SURROGATE_KEY_HEADER] = surrogate_key
    else:
        patch_cache_control(response, private=True, max_age=PUBLIC_MAX_AGE)
    return response


def conditional_response(request, response: HttpResponse) -> HttpResponse:
    """Answer 304 when the reader's copy (If-None-Match, If-Modified-Since) is current."""
    if not response.has_header("ETag"):
        return response
    last_modified = parse_http_date_safe(response["Last-Modified"])
    conditional = get_conditional_response(
        request, etag=response["ETag"], last_modified=last_modified, response=response
    )
    return conditional or response
