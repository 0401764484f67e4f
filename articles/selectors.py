"""Reads for readers. The approval gate stands here and nowhere else."""

from collections.abc import Callable
from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from articles.models import Article, Reference, Revision, Specialty
from articles.prepared import PreparedQuery


def published_articles() -> QuerySet[Article]:
    """Return the articles readers may see, each with the revision they may see."""
    return Article.objects.published().select_related("approved_revision", "specialty")


# Every uncached article page reads its article, so this query is compiled once (articles.prepared); it is built
# from published_articles() all the same, so the approval gate stays in one place. Its row holds every field of
# the article, then of its approved revision, then of its specialty.
_LOADED_MODELS = ((Article, ""), (Revision, "approved_revision__"), (Specialty, "specialty__"))
_PUBLISHED_ARTICLE = PreparedQuery(
    lambda slug: (
        published_articles()
        .filter(slug=slug)
        .order_by()  # the slug is unique
        .values_list(
            *(prefix + field.attname for model, prefix in _LOADED_MODELS for field in model._meta.concrete_fields)
        )
    ),
    slug="\x00slug placeholder",
)


def _loaded_instances(row: tuple[Any, ...], db: str) -> list[Any]:
    """Return the article, revision and specialty in ``row``, each loaded as the ORM loads one (no field deferred)."""
    instances, start = [], 0
    for model, _ in _LOADED_MODELS:
        fields = model._meta.concrete_fields
        names = [field.attname for field in fields]
        instances.append(model.from_db(db, names, row[start : start + len(fields)]))
        start += len(fields)
    return instances


def published_revision(*, slug: str, with_references: bool = True) -> Revision | None:
    """Return the approved revision of the article at ``slug``, or None if readers may not see it.

    One query for the article, its specialty and its approved revision, and one for the references unless
    ``with_references`` is False (a caller that has them already, the references of a revision never change).
    """
    rows = _PUBLISHED_ARTICLE.rows(slug=slug)
    if not rows:
        return None
    article, revision, specialty = _loaded_instances(rows[0], _PUBLISHED_ARTICLE.using)
    assert isinstance(revision, Revision)
    article.specialty = specialty
    article.approved_revision = revision
    revision.article = article
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
