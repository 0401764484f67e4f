"""Reads for readers. The approval gate stands here and nowhere else."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, OuterRef, Prefetch, Q, QuerySet, Subquery, prefetch_related_objects
from django.db.models.functions import Now

from articles.compiled import CompiledRead
from articles.models import Article, ChangeNote, Reference, Revision, published_condition
from articles.people import person_name
from articles.stored_models import ReaderGeneration, StoredPage, StoredPageKind, StoredSearch


def published_articles() -> QuerySet[Article]:
    """Return the articles readers may see, each with the revision they may see."""
    return Article.objects.published().select_related("approved_revision", "specialty")


def published_revision(*, slug: str, with_references: bool = True) -> Revision | None:
    """Return the approved revision of the article at ``slug``, or None if readers may not see it.

    One query for the article, its specialty and its approved revision, and one for the references unless
    ``with_references`` is False (a caller that has them already, the references of a revision never change).
    """
    article = published_articles().filter(slug=slug).first()
    if article is None:
        return None
    revision = article.approved_revision
    assert revision is not None  # published_articles() holds approved articles only
    revision.article = article  # the same row: no second query for it
    if with_references:
        prefetch_related_objects([revision], Prefetch("references", queryset=Reference.objects.order_by("number")))
    return revision


def article_revisions(*, article: Article) -> QuerySet[Revision]:
    """Return the article's revisions, newest first."""
    return article.revisions.order_by("-number").select_related("created_by")


# Who approved a revision is the review board's knowledge, and ``articles`` never imports
# ``reviewboard``: the board registers its selector here when the app is ready.
def _no_approvers(revision_ids: list[int]) -> dict[int, list[Any]]:
    return {}


_approvers_source: Callable[[list[int]], dict[int, list[Any]]] = _no_approvers


def register_approvers_source(source: Callable[[list[int]], dict[int, list[Any]]]) -> None:
    """Set the function that returns, by revision id, the board members who approved each revision."""
    global _approvers_source
    _approvers_source = source


def revision_approvers(*, revision: Revision) -> list[Any]:
    """Return the board members whose reviews approved ``revision`` (credentials, specialties)."""
    return _approvers_source([revision.pk]).get(revision.pk, [])


def revisions_approvers(*, revision_ids: list[int]) -> dict[int, list[Any]]:
    """Return, by revision id, the board members whose reviews approved each revision (one query for all)."""
    return _approvers_source(revision_ids) if revision_ids else {}


@dataclass(frozen=True)
class ApprovedVersion:
    """One approved revision of an article, as its public history shows it."""

    revision_id: int
    number: int
    approved_at: datetime
    note: str
    is_correction: bool
    reviewers: list[Any]


def approved_history(*, article: Article) -> list[ApprovedVersion]:
    """Return the article's approved revisions, newest first, each with its note for readers and its reviewers.

    Only approved revisions: a note is dated when its revision is approved, and drafts' notes have no date.
    """
    rows = list(
        ChangeNote.objects.filter(article=article, approved_at__isnull=False)
        .order_by("-approved_at", "-pk")
        .values_list("revision_id", "revision__number", "approved_at", "text", "is_correction")
    )
    approvers = revisions_approvers(revision_ids=[row[0] for row in rows])
    return [
        ApprovedVersion(revision_id, number, approved_at, note, correction, approvers.get(revision_id, []))
        for revision_id, number, approved_at, note, correction in rows
        if approved_at is not None  # the filter's, for the type checker
    ]


def approved_revision_by_number(*, article: Article, number: int) -> Revision | None:
    """Return the article's revision ``number`` if it was approved at some time, else None (drafts never)."""
    return (
        Revision.objects.filter(article=article, number=number, reader_note__approved_at__isnull=False)
        .prefetch_related(Prefetch("references", queryset=Reference.objects.order_by("number")))
        .first()
    )


@dataclass(frozen=True)
class AuthorByline:
    name: str
    credentials: str


def article_bylines(*, article: Article) -> list[AuthorByline]:
    """Return the article's authors as readers see them: name and credentials, by name."""
    users = article.authors.select_related("byline").order_by("last_name", "first_name", "pk")
    bylines = []
    for user in users:
        byline = getattr(user, "byline", None) if hasattr(user, "byline") else None
        bylines.append(AuthorByline(person_name(user), byline.credentials if byline else ""))
    return bylines


def corrections_and_retractions() -> tuple[list[ChangeNote], QuerySet[Article]]:
    """Return the published corrections (approved notes flagged as such, of articles readers see) and retractions."""
    corrections = (
        ChangeNote.objects.filter(is_correction=True, approved_at__isnull=False, article__in=published_articles())
        .select_related("article__approved_revision", "revision")
        .order_by("-approved_at", "-pk")
    )
    retractions = (
        Article.objects.filter(retracted_at__isnull=False, approved_revision__isnull=False)
        .select_related("approved_revision", "specialty")
        .order_by("-retracted_at", "-pk")
    )
    return list(corrections), retractions


def retracted_article(*, slug: str) -> Article | None:
    """Return the article at ``slug`` if it was published and is retracted now: what its notice names."""
    return (
        Article.objects.filter(slug=slug, retracted_at__isnull=False, approved_revision__isnull=False)
        .select_related("approved_revision")
        .first()
    )


def feed_articles(*, limit: int) -> tuple[list[Article], list[Article]]:
    """Return the newest published articles (with their approved revision's note for readers) and retractions.

    Published articles carry ``reader_note`` and ``is_correction`` from their approved revision's note;
    retracted articles carry their approved revision's title and the notice, never their text.
    """
    note = ChangeNote.objects.filter(revision_id=OuterRef("approved_revision_id"))
    published: list[Article] = list(
        published_articles()
        .annotate(
            reader_note=Subquery(note.values("text")[:1]), is_correction=Subquery(note.values("is_correction")[:1])
        )
        .order_by("-approved_at", "pk")[:limit]
    )
    retracted = list(
        Article.objects.filter(retracted_at__isnull=False, approved_revision__isnull=False)
        .select_related("approved_revision", "specialty")
        .order_by("-retracted_at", "pk")[:limit]
    )
    return published, retracted


def pending_change_note(*, article: Article) -> tuple[bool, ChangeNote | None]:
    """Return whether the article's current revision takes a note for readers now, and its note if written.

    It does while the current revision is a new one of a published article, not yet approved.
    """
    revision_id = article.current_revision_id
    if article.approved_revision_id is None or revision_id is None or revision_id == article.approved_revision_id:
        return False, None
    note = ChangeNote.objects.filter(revision_id=revision_id).first()
    if note is not None and note.approved_at is not None:
        return False, None
    return True, note


def _current_stored_pages(*, fingerprint: str) -> QuerySet[StoredPage]:
    """Return the stored pages readers may be shown: of a published article, rendered from its row as it stands."""
    return StoredPage.objects.filter(
        published_condition("article__"),
        Q(expires_at__isnull=True) | Q(expires_at__gt=Now()),
        revision_id=F("article__approved_revision_id"),
        article_updated_at=F("article__updated_at"),
        fingerprint=fingerprint,
    )


# Every uncached article page runs it: compiled to SQL once (articles.compiled), built by the ORM all the same.
_STORED_PAGE = CompiledRead(
    lambda slug, kind, origin, fingerprint: (
        _current_stored_pages(fingerprint=fingerprint)
        .filter(article__slug=slug, kind=kind, origin=origin)
        .order_by()
        .values_list("html", "etag", "last_modified")[:1]
    ),
    slug="\x00slug",
    kind="\x00kind",
    origin="\x00origin",
    fingerprint="\x00fingerprint",
)


def stored_page(*, slug: str, kind: str, origin: str, fingerprint: str) -> tuple[str, str, int] | None:
    """Return the HTML, ETag and Last-Modified of the current stored page of the article at ``slug``, or None.

    One query on two unique indexes (the article's slug; the page's article, kind and origin). None also when
    readers may not see the article: the caller renders, and the render decides between 404 and 410.
    """
    rows = _STORED_PAGE.rows(slug=slug, kind=kind, origin=origin, fingerprint=fingerprint)
    return rows[0] if rows else None


# Every list page and search runs it: compiled once, like the stored page's query.
_STORED_SEARCH = CompiledRead(
    lambda key: (
        ReaderGeneration.objects.filter(pk=1)
        .annotate(
            article_ids=Subquery(
                StoredSearch.objects.filter(key=key, generation=OuterRef("value")).values("article_ids")[:1]
            )
        )
        .order_by()
        .values_list("value", "article_ids")
    ),
    key="\x00key",
)


@dataclass(frozen=True)
class StoredSearchLookup:
    generation: int | None  # the current reader generation; None when its row is missing (a database emptied)
    article_ids: list[int] | None  # the search's stored result, best match first, if stored under that generation


def stored_search(*, key: str) -> StoredSearchLookup:
    """Return the current reader generation and the result stored under it for the search ``key``: one query."""
    rows = _STORED_SEARCH.rows(key=key)
    if not rows:
        return StoredSearchLookup(generation=None, article_ids=None)
    generation, article_ids = rows[0]
    if article_ids is None:
        return StoredSearchLookup(generation=generation, article_ids=None)
    return StoredSearchLookup(generation=generation, article_ids=[int(pk) for pk in article_ids.split(",") if pk])


def reader_generation() -> int | None:
    """Return the current reader generation, or None when its row is missing (a database just emptied)."""
    return ReaderGeneration.objects.filter(pk=1).values_list("value", flat=True).first()


def stored_cards(*, article_ids: list[int], fingerprint: str) -> dict[int, str]:
    """Return the current stored cards of the published articles among ``article_ids``, by article id: one query."""
    if not article_ids:
        return {}
    article_ids = list(dict.fromkeys(article_ids))  # each once: the query names each id once
    return dict(_cards_query(len(article_ids)).rows(fingerprint=fingerprint, **_numbered(article_ids)))


# The cards' query for each number of ids (a list page has at most its page size): compiled once each.
_CARDS_QUERIES: dict[int, CompiledRead] = {}
# Placeholders for the ids: integers no article has (ids are positive), each different.
_ID_PLACEHOLDER = -(2**62)


def _numbered(article_ids: list[int]) -> dict[str, int]:
    return {f"id{position}": article_id for position, article_id in enumerate(article_ids)}


def _cards_query(count: int) -> CompiledRead:
    query = _CARDS_QUERIES.get(count)
    if query is None:
        names = [f"id{position}" for position in range(count)]
        query = _CARDS_QUERIES[count] = CompiledRead(
            lambda fingerprint, **ids: (
                _current_stored_pages(fingerprint=fingerprint)
                .filter(article_id__in=[ids[name] for name in names], kind=StoredPageKind.CARD, origin="")
                .order_by()
                .values_list("article_id", "html")
            ),
            fingerprint="\x00fingerprint",
            **{name: _ID_PLACEHOLDER - position for position, name in enumerate(names)},
        )
    return query
