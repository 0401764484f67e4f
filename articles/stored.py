"""Reader pages rendered once and stored: the article page per audience, and the card in the list and search.

An approved revision never changes, so what readers see of it is rendered when it is approved (a task queued after
the commit, ``render_stored_pages``) and kept in ``StoredPage``; a reader's request reads it back in one indexed
query (articles.selectors.stored_page), which also checks that readers may still see it: the article is
published, still has that approved revision, has not been saved since the render (``updated_at``: every door that
changes an article saves it), and the running code has the fingerprint it was rendered under (articles.fingerprint).
A missing or stale page is rendered by the request that wants it, stored and served, so a deploy never serves an
old page and needs no warm-up. Every page is rendered for an anonymous reader, whoever asked; a signed-in reader
gets the same page with their own account links put in (``with_account``).

The pages are rendered by the reader views' own functions (articles.views), whatever their templates show.
Filled from a replica, a stored row names the article row it was rendered from, which the primary and any replica
check before serving it, so lag can never make a stored page show what readers may not see (articles.replica).
"""

import dataclasses
import functools
import hashlib
import io
import logging
from collections.abc import Callable
from datetime import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.db import DatabaseError, transaction
from django.db.models import F
from django.db.models.signals import post_save
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.urls import get_script_prefix, get_urlconf, resolve, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from articles import cache as reader_cache, search
from articles.fingerprint import fingerprint
from articles.models import Article, Byline, Specialty
from articles.reader_http import RenderedPage
from articles.selectors import published_articles, reader_generation, stored_cards, stored_page, stored_search
from articles.stored_models import ReaderGeneration, StoredPage, StoredPageKind, StoredSearch

logger = logging.getLogger(__name__)

CARD_TEMPLATE = "articles/_article_card.html"
ACCOUNT_TEMPLATE = "articles/_account.html"
# The reader pages' account links sit between these (articles/_account.html); no user text can hold them, as
# markdown escapes raw HTML and the templates escape the rest.
ACCOUNT_START = b"<!--reader-account-->"
ACCOUNT_END = b"<!--/reader-account-->"

PageRenderer = Callable[..., RenderedPage | HttpResponse]


@dataclasses.dataclass(frozen=True)
class PageSource:
    """The article row a page was rendered from: it is served only while the article still matches it."""

    article_id: int
    revision_id: int
    article_updated_at: datetime

    @classmethod
    def of(cls, article: Article) -> "PageSource":
        assert article.approved_revision_id is not None  # only published articles have stored pages
        return cls(article.pk, article.approved_revision_id, article.updated_at)


def anonymous_request(*, origin: str, path: str) -> WSGIRequest:
    """Return an anonymous reader's GET of ``path`` at ``origin``: what every stored page is rendered for."""
    parts = urlsplit(origin)
    environ = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "HTTP_HOST": parts.netloc,
        "SERVER_NAME": parts.hostname or "localhost",
        "SERVER_PORT": str(parts.port or (443 if parts.scheme == "https" else 80)),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": parts.scheme or "http",
        "wsgi.input": io.BytesIO(),
    }
    proxy_header = settings.SECURE_PROXY_SSL_HEADER
    if proxy_header and parts.scheme == "https":
        environ[proxy_header[0]] = proxy_header[1]
    request = WSGIRequest(environ)
    request.user = AnonymousUser()
    return request


def article_page(request, *, slug: str, kind: str, render: PageRenderer) -> RenderedPage | HttpResponse:
    """Return the stored page ``kind`` of the article at ``slug``; render, store and return it if none is current.

    ``render(request, slug=..., kind=...)`` renders the page for an anonymous request and returns a RenderedPage
    with its ``source``, or the HttpResponse for an article readers may not see (returned as it is).
    """
    origin = reader_cache.origin_of(request)
    found = stored_page(slug=slug, kind=kind, origin=origin, fingerprint=fingerprint())
    if found is not None:
        html, etag, last_modified = found
        return RenderedPage(html=html, etag=etag, last_modified=last_modified)
    rendered = render(anonymous_request(origin=origin, path=request.path_info), slug=slug, kind=kind)
    if isinstance(rendered, RenderedPage) and rendered.source is not None:
        store(rendered, kind=kind, origin=origin)
    return rendered


def store(page: RenderedPage, *, kind: str, origin: str) -> None:
    """Keep ``page`` as the stored page ``kind`` of its article at ``origin``: one upsert; a failure only logs."""
    assert page.source is not None
    _upsert([_page_row(page, kind=kind, origin=origin)])


def _upsert(rows: list[StoredPage]) -> None:
    try:
        StoredPage.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["article", "kind", "origin"],
            update_fields=[
                "revision",
                "article_updated_at",
                "fingerprint",
                "html",
                "etag",
                "last_modified",
                "expires_at",
                "rendered_at",
            ],
        )
    except DatabaseError:
        # The page was rendered and is served all the same; the next request renders it again.
        logger.warning("could not store reader pages", exc_info=True)


def cards(article_ids: list[int]) -> list[str]:
    """Return the cards of the published articles among ``article_ids`` as HTML, in the same order.

    One query for the stored cards; the missing or stale ones are rendered from one more query and stored.
    """
    found = stored_cards(article_ids=article_ids, fingerprint=fingerprint())
    missing = [article_id for article_id in article_ids if article_id not in found]
    if missing:
        rendered = []
        for article in published_articles().filter(pk__in=missing):
            html = render_card(article)
            found[article.pk] = html
            rendered.append(_row(PageSource.of(article), kind=StoredPageKind.CARD, origin="", html=html))
        _upsert(rendered)
    return [found[article_id] for article_id in article_ids if article_id in found]


# A search's result is stored when it matches more than a list page of articles (the searches that cost the database
# a ranking of many documents; one that matches a few is answered from the GIN index at once) and at most this many.
STORED_SEARCH_MIN_MATCHES = 21
STORED_SEARCH_MAX_MATCHES = 2000
# What a search's result depends on: which articles are published, their approved revisions and approval dates.
SEARCHED_FIELDS = ("approved_revision_id", "approved_at", "retracted_at")


def search_page(query: str, *, offset: int, limit: int) -> tuple[list[int], int]:
    """Return the ids of ``limit`` published articles matching ``query`` from ``offset``, best first, and how many
    match in all: from the stored result of the search when there is a current one (one query), else from the
    search itself (articles.search.search_page: one query more), storing the result of a search that matched many.

    The ids of a page past the stored ones (a search matching more than STORED_SEARCH_MAX_MATCHES) are never stored.
    """
    query = reader_cache.normalise_query(query)
    key = search_key(query)
    # The generation is read before the search: a change committed meanwhile leaves its result unserved.
    found = stored_search(key=key)
    if found.article_ids is not None:
        return found.article_ids[offset : offset + limit], len(found.article_ids)
    generation = found.generation
    page, total = search.search_page(query, offset=offset, limit=limit)
    if generation is not None and STORED_SEARCH_MIN_MATCHES <= total <= STORED_SEARCH_MAX_MATCHES:
        article_ids = list(search.search_published(query).values_list("pk", flat=True)[:STORED_SEARCH_MAX_MATCHES])
        _store_search(key=key, query=query, generation=generation, article_ids=article_ids)
    return page, total


def search_key(query: str) -> str:
    """Return the key a search's result is stored under: the same for the same words, however spaced."""
    return hashlib.sha256(reader_cache.normalise_query(query).encode()).hexdigest()


def _store_search(*, key: str, query: str, generation: int, article_ids: list[int]) -> None:
    try:
        StoredSearch.objects.bulk_create(
            [
                StoredSearch(
                    key=key,
                    query=query,
                    generation=generation,
                    article_ids=",".join(map(str, article_ids)),
                )
            ],
            update_conflicts=True,
            unique_fields=["key"],
            update_fields=["query", "generation", "article_ids", "stored_at"],
        )
    except DatabaseError:
        logger.warning("could not store the result of a search", exc_info=True)


def advance_reader_generation() -> None:
    """Move the reader generation on after the caller's transaction commits: every stored search result is retired.

    After the commit, in a statement of its own, not inside the caller's transaction: there, the one row would be
    locked until the commit, so two transactions that each save several articles could wait on each other for it.
    A search that reads the generation before the change commits is stored under the old one and never served; one
    that reads it between the commit and this update may be served for that moment, as a cached page is until its
    invalidation, and its cards still come through the approval gate (articles.selectors.stored_cards).
    """
    transaction.on_commit(_advance_reader_generation, robust=True)


def _advance_reader_generation() -> None:
    if not ReaderGeneration.objects.filter(pk=1).update(value=F("value") + 1):
        # The row is missing (a database emptied by hand or by a test): create it, then move it on.
        ReaderGeneration.objects.bulk_create([ReaderGeneration(pk=1, value=0)], ignore_conflicts=True)
        ReaderGeneration.objects.filter(pk=1).update(value=F("value") + 1)
    current = reader_generation()
    if current is not None:
        StoredSearch.objects.filter(generation__lt=current).delete()


# The list page's frame (articles/article_list.html: the header, the footer) holds these where each request's title
# and content go; no text can hold them, as the templates escape it.
LIST_TITLE_SLOT = "<!--list-title-->"
LIST_CONTENT_SLOT = "<!--list-content-->"


def list_page(context: dict) -> str:
    """Return the list page (or a search's) for ``context``, as an anonymous reader sees it: the frame rendered once
    per process, with this request's title and content (articles/_list_title.html, _list_content.html) put in."""
    before_title, before_content, after_content = list_frame(*_rendering_inputs())
    title = render_to_string("articles/_list_title.html", context).strip()
    content = render_to_string("articles/_list_content.html", context)
    return before_title + title + before_content + content + after_content


def _rendering_inputs() -> tuple[str, str, str]:
    """Return what a part of a reader page rendered once per process depends on besides its own arguments: the
    templates and static files (the fingerprint), and the URLconf and script prefix its links are reversed in."""
    return fingerprint(), get_urlconf() or settings.ROOT_URLCONF, get_script_prefix()


@functools.lru_cache(maxsize=8)
def list_frame(fingerprint: str, urlconf: str, script_prefix: str) -> tuple[str, str, str]:
    """Return the list page's frame, rendered for an anonymous reader, split at its two slots.

    What the frame shows depends on the templates and static files (``fingerprint``) and on the addresses it links
    to (the URLconf and the script prefix) alone: it is rendered once for each.
    """
    path = reverse("articles:list", urlconf=urlconf)
    request = anonymous_request(origin="http://frame.invalid", path=path)
    request.resolver_match = resolve(path, urlconf)  # the header marks the current page
    html = render_to_string(
        "articles/article_list.html",
        {"list_title": mark_safe(LIST_TITLE_SLOT), "list_content": mark_safe(LIST_CONTENT_SLOT)},  # noqa: S308
        request=request,
    )
    before_title, rest = html.split(LIST_TITLE_SLOT)
    before_content, after_content = rest.split(LIST_CONTENT_SLOT)
    return before_title, before_content, after_content


def render_card(article: Article) -> str:
    """Return the card of a published ``article`` (its approved revision and specialty loaded) as HTML."""
    return render_to_string(CARD_TEMPLATE, {"article": article})


def _row(
    source: PageSource, *, kind: str, origin: str, html: str, etag: str = "", last_modified: int = 0
) -> StoredPage:
    return StoredPage(
        article_id=source.article_id,
        kind=kind,
        origin=origin,
        revision_id=source.revision_id,
        article_updated_at=source.article_updated_at,
        fingerprint=fingerprint(),
        html=html,
        etag=etag,
        last_modified=last_modified,
    )


def _page_row(page: RenderedPage, *, kind: str, origin: str) -> StoredPage:
    assert page.source is not None
    row = _row(page.source, kind=kind, origin=origin, html=page.html, etag=page.etag, last_modified=page.last_modified)
    row.expires_at = page.valid_until
    return row


def with_account(html: bytes, *, signed_in: bool) -> bytes:
    """Return the stored page ``html`` with the account links for a reader ``signed_in`` or not in place of the
    anonymous ones."""
    start = html.find(ACCOUNT_START)
    end = html.find(ACCOUNT_END, start)
    if start < 0 or end < 0:
        return html
    links = account_links(signed_in, *_rendering_inputs())
    return html[:start] + links + html[end + len(ACCOUNT_END) :]


@functools.lru_cache(maxsize=16)
def account_links(signed_in: bool, fingerprint: str, urlconf: str, script_prefix: str) -> bytes:
    """Return the header's account links (articles/_account.html), rendered once per process for each kind of
    reader, each ``fingerprint`` of the templates and each URLconf and script prefix they link into."""
    return render_to_string(ACCOUNT_TEMPLATE, {"signed_in": signed_in}).strip().encode()


def site_origin() -> str:
    """Return the scheme and host of the site's own address (SITE_URL), which pages are rendered for ahead."""
    parts = urlsplit(settings.NOTIFICATIONS_SITE_URL)
    return f"{parts.scheme}://{parts.netloc}"


def fill_article(*, article_id: int, render: PageRenderer) -> int:
    """Render and store every stored page of a published article for the site's origin; return how many.

    Reads the primary (a task, outside any reader request).
    """
    article = published_articles().filter(pk=article_id).first()
    if article is None:
        return 0
    origin = site_origin()
    path = reverse("articles:detail", args=[article.slug])
    source = PageSource.of(article)
    rows = []
    for kind in (StoredPageKind.PATIENT, StoredPageKind.PROFESSIONAL):
        try:
            page = render(anonymous_request(origin=origin, path=path), slug=article.slug, kind=kind.value)
        except DisallowedHost:
            logger.warning("SITE_URL %s is not in ALLOWED_HOSTS: pages are rendered on first read", origin)
            break
        if isinstance(page, RenderedPage) and page.source == source:
            rows.append(_page_row(page, kind=kind, origin=origin))
    rows.append(_row(source, kind=StoredPageKind.CARD, origin="", html=render_card(article)))
    _upsert(rows)
    return len(rows)


def retire(*, article_ids) -> None:
    """Delete the stored pages of ``article_ids``. A stale page is never served anyway (the stamps of
    articles.selectors.stored_page); this frees the rows. Call after commit."""
    StoredPage.objects.filter(article_id__in=list(article_ids)).delete()


def reader_data_changed(*, article_ids) -> None:
    """Retire every stored and cached page of ``article_ids`` after a change to what their pages show that is not
    the article row itself (a reviewer's name, a specialty's). Call after the change has committed.

    The articles' ``updated_at`` moves on, so a page rendered from the data before the change, even one still being
    rendered now, is stamped with the old row and never served; the reader cache's invalidation then raises the
    replica's watermark past the change (articles.replica) and retires the cached pages.
    """
    ids = list(article_ids)
    if not ids:
        return
    with transaction.atomic():
        Article.objects.filter(pk__in=ids).update(updated_at=timezone.now())
        slugs = set(Article.objects.filter(pk__in=ids).values_list("slug", flat=True))
        retire(article_ids=ids)
    reader_cache.invalidate_articles(slugs=slugs)


def _after_article_saved(sender, instance: Article, raw=False, **kwargs):
    """After commit, retire the article's stored pages and, if readers may see it, render them anew (a task)."""
    if raw or instance.approved_revision_id is None:
        return  # never approved: no page of it was ever stored
    article_id, published = instance.pk, instance.approved_revision_id is not None and instance.retracted_at is None
    transaction.on_commit(lambda: _refresh(article_id, published), robust=True)


def _after_article_saved_searched(sender, instance: Article, raw=False, **kwargs):
    """After commit, retire the stored search results if the published articles changed for a search."""
    if reader_cache.shown_fields_changed(instance, raw=raw, fields=SEARCHED_FIELDS):
        advance_reader_generation()


def _refresh(article_id: int, published: bool) -> None:
    retire(article_ids=[article_id])
    if published:
        from articles.tasks import render_stored_pages  # the task imports the views, which import this module

        render_stored_pages.apply_async(args=[article_id], retry=False)  # lazily rendered if lost


def _after_specialty_saved(sender, instance: Specialty, raw=False, created=False, **kwargs):
    if not raw and not created:
        specialty_id = instance.pk
        transaction.on_commit(
            lambda: reader_data_changed(
                article_ids=Article.objects.filter(specialty_id=specialty_id).values_list("pk", flat=True)
            ),
            robust=True,
        )


# The user's fields a byline shows (articles.people.person_name); a login saves only ``last_login``.
SHOWN_USER_FIELDS = frozenset({"first_name", "last_name", "username"})


def _after_author_changed(user_id: int) -> None:
    transaction.on_commit(
        lambda: reader_data_changed(article_ids=Article.objects.filter(authors=user_id).values_list("pk", flat=True)),
        robust=True,
    )


def _after_user_saved(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    if created or raw or (update_fields is not None and not SHOWN_USER_FIELDS & set(update_fields)):
        return
    _after_author_changed(instance.pk)


def _after_byline_saved(sender, instance: Byline, raw=False, **kwargs):
    if not raw:
        _after_author_changed(instance.user_id)


def connect_retirement() -> None:
    """Connect the receivers that retire stored pages when what they show changes."""
    post_save.connect(_after_article_saved, sender=Article, dispatch_uid="stored-pages-after-article-save")
    post_save.connect(_after_article_saved_searched, sender=Article, dispatch_uid="stored-searches-after-article-save")
    post_save.connect(_after_user_saved, sender=settings.AUTH_USER_MODEL, dispatch_uid="stored-pages-author-saved")
    post_save.connect(_after_byline_saved, sender=Byline, dispatch_uid="stored-pages-byline-saved")
    post_save.connect(_after_specialty_saved, sender=Specialty, dispatch_uid="stored-pages-after-specialty-save")
