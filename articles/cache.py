"""The reader pages' cache: the rendered article page per slug and audience, and the list per query and page.

List pages are cached for anonymous readers only (no session cookie); article pages, rendered for an anonymous
reader whoever asks, serve signed-in readers too, with their own account links put in. Entries are looked up before
any SQL, so a cached page still answers while the database is unreachable; a page past its freshness but not
invalidated answers too, then, for READER_CACHE_STALE_SECONDS (stale-if-error). Each entry holds the HTML with its
ETag and Last-Modified, and the generation it was rendered under. Invalidation bumps a generation after commit: the
article's own and the list's (one increment retires every cached list page). A render that read the database before
an invalidation is stored under the old generation and so is never served; a plain delete could not promise that.
Each web process also keeps a copy of the pages it read, retired with them (articles.local_pages). With a read
replica, the same order keeps a page rendered from a replica that lags out of the cache (articles.replica).
"""

import dataclasses
import hashlib
import logging
import re
import time
from typing import Any, NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save

from articles import local_pages, replica, signals
from articles.fingerprint import fingerprint
from articles.models import Article

logger = logging.getLogger(__name__)

DEFAULT_CACHE_SECONDS = 300
DEFAULT_STALE_SECONDS = 3600
LIST_GENERATION_KEY = "reader:list:generation"
# What a reader page shows of an article itself; a save that changes none of them leaves the pages be.
READER_FIELDS = ("slug", "state", "approved_revision_id", "approved_at", "retracted_at", "specialty_id")
_PAGE_PARAMETER = re.compile(r"^(?:[1-9][0-9]{0,5}|last)$")


@dataclasses.dataclass(frozen=True)
class CachedPage:
    html: bytes  # UTF-8, as sent: encoding the 16 kB article page cost each hit 11 µs
    etag: str
    last_modified: int  # a POSIX timestamp, as HTTP dates count whole seconds
    origin: str  # scheme and host the page was rendered for: canonical links carry them
    generation: int
    fresh_until: float = 0.0  # a POSIX time, set when stored


@dataclasses.dataclass(frozen=True)
class PageSlot:
    """Where one reader page lives in the cache, and the generation that must match for it to be served."""

    key: str
    generation_key: str


def cache_seconds() -> int:
    """Return how long a reader page stays cached; 0 turns the cache off."""
    return int(getattr(settings, "READER_CACHE_SECONDS", DEFAULT_CACHE_SECONDS))


def stale_seconds() -> int:
    """Return how long past its freshness a page may still answer while the database is unreachable."""
    return int(getattr(settings, "READER_CACHE_STALE_SECONDS", DEFAULT_STALE_SECONDS))


def _now() -> float:
    return time.time()


def is_anonymous(request) -> bool:
    """Return whether ``request`` comes without a session cookie: a reader, not anyone signed in."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES


def serves_from_cache(request) -> bool:
    """Return whether ``request`` may read and fill the cache with a page rendered for it (the list), decided
    without touching the database.

    Anyone with a session cookie may be signed in and is never served, nor the source of, such a page.
    """
    return cache_seconds() > 0 and is_anonymous(request)


def origin_of(request) -> str:
    return f"{request.scheme}://{request.get_host()}"


def make_etag(*parts) -> str:
    """Return a strong ETag (quoted) for the given parts and the fingerprint of what renders the pages."""
    digest = hashlib.sha256("\x1f".join(map(str, (fingerprint(), *parts))).encode()).hexdigest()
    return f'"{digest[:32]}"'


def normalise_query(query: str) -> str:
    """Return the search words as the list searches them: at most 200 characters, spaces collapsed."""
    return " ".join(query[:200].split())


def article_slot(*, slug: str, audience: str) -> PageSlot:
    return PageSlot(
        key=f"reader:article:{fingerprint()}:{slug}:{audience}",
        generation_key=_article_generation_key(slug),
    )


def list_slot(*, query: str, page: str) -> PageSlot | None:
    """Return the slot of a list page, or None for a page parameter not worth caching (it answers 404)."""
    page = page or "1"
    if not _PAGE_PARAMETER.match(page):
        return None
    digest = hashlib.sha256(normalise_query(query).encode()).hexdigest()[:32]
    return PageSlot(key=f"reader:list:{fingerprint()}:{digest}:{page}", generation_key=LIST_GENERATION_KEY)


def _article_generation_key(slug: str) -> str:
    return f"reader:article:generation:{slug}"


def _get_many(keys: list[str]) -> dict[str, Any]:
    """Return the cached values of ``keys``: one round trip (MGET on Redis), through the cache's public API."""
    return cache.get_many(keys)


class Lookup(NamedTuple):
    fresh: CachedPage | None  # current and within READER_CACHE_SECONDS: serve it
    stale: CachedPage | None  # current but past its freshness: serve it only if the database is unreachable
    generation: int | None  # to store a fresh render under; None when the cache cannot be used


def lookup(slot: PageSlot, *, origin: str) -> Lookup:
    """Return the page cached in ``slot`` if no invalidation retired it, and the generation to store under.

    Read the generation before the database, so that an invalidation during the render retires it. A fresh page
    this process already read from Redis is served from its own copy (articles.local_pages), without a round trip.
    """
    kept = local_pages.get(slot.key)
    if kept is not None and kept.origin == origin and _now() < kept.fresh_until:
        return Lookup(kept, None, kept.generation)
    epoch = local_pages.epoch()  # before the read: a retirement heard meanwhile keeps its page out of the copies
    try:
        found = _get_many([slot.generation_key, slot.key])
        generation = found.get(slot.generation_key)
        if generation is None:
            # A new (or evicted) generation starts from the clock, never at a value an older entry holds.
            cache.add(slot.generation_key, time.time_ns(), timeout=None)
            return Lookup(None, None, cache.get(slot.generation_key))
    except Exception:  # the cache is an optimisation: a reader is answered from the database instead
        logger.warning("reader cache unavailable for lookup", exc_info=True)
        return Lookup(None, None, None)
    page = _page_from_entry(found.get(slot.key))
    if page is None or page.generation != generation or page.origin != origin:
        return Lookup(None, None, generation)
    if _now() < page.fresh_until:
        local_pages.put(slot.key, page, epoch=epoch)
        return Lookup(page, None, generation)
    return Lookup(None, page, generation)


def _page_from_entry(entry) -> CachedPage | None:
    # Entries are plain dicts, so that one written by an older release reads as a miss, not an error.
    try:
        return CachedPage(**entry) if isinstance(entry, dict) else None
    except TypeError:
        return None


def store(slot: PageSlot, page: CachedPage) -> None:
    """Keep ``page``: fresh for READER_CACHE_SECONDS, then READER_CACHE_STALE_SECONDS more for outages."""
    page = dataclasses.replace(page, fresh_until=_now() + cache_seconds())
    try:
        cache.set(slot.key, dataclasses.asdict(page), timeout=cache_seconds() + stale_seconds())
    except Exception:
        logger.warning("reader cache unavailable for store", exc_info=True)


def _bump(key: str) -> None:
    try:
        cache.incr(key)
    except ValueError:  # missing or evicted: any new value the entries do not hold will do
        cache.set(key, time.time_ns(), timeout=None)


def invalidate_articles(*, slugs) -> None:
    """Retire the cached pages of the articles at ``slugs`` (every audience) and every cached list page.

    Call after the change has committed. The replica's watermark is raised first: a reader who reads the new
    generation then reads a watermark that holds the change (articles.replica).
    """
    replica.advance_watermark()
    try:
        for slug in slugs:
            _bump(_article_generation_key(slug))
        _bump(LIST_GENERATION_KEY)
    except Exception:
        # Readers may see the old page until it expires (READER_CACHE_SECONDS): say so loudly.
        logger.error("reader cache invalidation failed for %s", sorted(slugs), exc_info=True)
    local_pages.retired()
    keys = [f"article-{slug}" for slug in sorted(slugs)] + ["articles"]  # articles.reader_http's surrogate keys
    for receiver, error in signals.reader_pages_retired.send_robust(sender=Article, surrogate_keys=keys):
        if error is not None:
            logger.error("purging %s from the CDN failed in %r", keys, receiver, exc_info=error)


# Every door that changes an article (services, admin, shell) saves the model: hear the saves.


# An attribute of the instance being saved: what readers were shown of it before the save.
VALUES_BEFORE_SAVE = "reader_values_before_save"


def shown_fields_changed(article: Article, *, raw: bool, fields=READER_FIELDS) -> bool:
    """Return whether the save of ``article`` (in a post_save receiver) changed any of ``fields`` (of READER_FIELDS)
    as readers could see them: False for a new article never approved, which no reader page shows."""
    before = getattr(article, VALUES_BEFORE_SAVE, None)
    if before is None:
        return raw or article.approved_revision_id is not None
    shown_before = dict(zip(READER_FIELDS, before, strict=True))
    return any(shown_before[field] != getattr(article, field) for field in fields)


def _before_article_saved(sender, instance: Article, raw=False, **kwargs):
    """Remember what readers were shown of the article, from the database (the instance may be stale)."""
    before = None
    if instance.pk is not None and not raw:
        before = Article.objects.filter(pk=instance.pk).values_list(*READER_FIELDS).first()  # one indexed row
    setattr(instance, VALUES_BEFORE_SAVE, before)


def _after_article_saved(sender, instance: Article, created=False, raw=False, **kwargs):
    """After commit, retire the article's cached pages if a reader-visible field changed."""
    if not shown_fields_changed(instance, raw=raw):
        return
    before = getattr(instance, VALUES_BEFORE_SAVE, None)
    slugs = {instance.slug} | ({before[0]} if before else set())
    transaction.on_commit(lambda: invalidate_articles(slugs=slugs), robust=True)


def _after_article_deleted(sender, instance: Article, **kwargs):
    transaction.on_commit(lambda: invalidate_articles(slugs={instance.slug}), robust=True)


def connect_invalidation() -> None:
    """Connect the receivers that retire cached reader pages when an article changes."""
    pre_save.connect(_before_article_saved, sender=Article, dispatch_uid="reader-cache-before-save")
    post_save.connect(_after_article_saved, sender=Article, dispatch_uid="reader-cache-after-save")
    post_delete.connect(_after_article_deleted, sender=Article, dispatch_uid="reader-cache-after-delete")
