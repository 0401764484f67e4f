"""Reads for readers. The approval gate stands here and nowhere else."""

from collections.abc import Callable
from typing import Any

from django.db.models import F, Prefetch, QuerySet, prefetch_related_objects

from articles.compiled import CompiledRead
from articles.models import Article, Reference, Revision, published_condition
from articles.stored_models import StoredPage, StoredPageKind


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
def _no_approvers(revision: Revision) -> list[Any]:
    return []


_approvers_source: Callable[[Revision], list[Any]] = _no_approvers


def register_approvers_source(source: Callable[[Revision], list[Any]]) -> None:
    """Set the function that returns the board members who approved a revision."""
    global _approvers_source
    _approvers_source = source


def revision_approvers(*, revision: Revision) -> list[Any]:
    """Return the board members whose reviews approved ``revision`` (credentials, specialties)."""
    return _approvers_source(revision)


def _current_stored_pages(*, fingerprint: str) -> QuerySet[StoredPage]:
    """Return the stored pages readers may be shown: of a published article, rendered from its row as it stands."""
    return StoredPage.objects.filter(
        published_condition("article__"),
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


def stored_cards(*, article_ids: list[int], fingerprint: str) -> dict[int, str]:
    """Return the current stored cards of the published articles among ``article_ids``, by article id: one query."""
    rows = (
        _current_stored_pages(fingerprint=fingerprint)
        .filter(article_id__in=article_ids, kind=StoredPageKind.CARD, origin="")
        .values_list("article_id", "html")
    )
    return dict(rows)
