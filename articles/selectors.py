"""Reads for readers. The approval gate stands here and nowhere else."""

from collections.abc import Callable

from django.db.models import Prefetch, QuerySet

from articles.models import Article, Reference, Revision


def published_articles() -> QuerySet[Article]:
    """Return the articles readers may see, each with the revision they may see."""
    return Article.objects.published().select_related("approved_revision", "specialty")


def published_revision(*, slug: str) -> Revision | None:
    """Return the approved revision of the article at ``slug``, or None if readers may not see it."""
    article = published_articles().filter(slug=slug).first()
    if article is None:
        return None
    return (
        Revision.objects.filter(pk=article.approved_revision_id)
        .select_related("article__specialty")
        .prefetch_related(Prefetch("references", queryset=Reference.objects.order_by("number")))
        .get()
    )


def article_revisions(*, article: Article) -> QuerySet[Revision]:
    """Return the article's revisions, newest first."""
    return article.revisions.order_by("-number").select_related("created_by")


# Who approved a revision is the review board's knowledge, and ``articles`` never imports
# ``reviewboard``: the board registers its selector here when the app is ready.
def _no_approvers(revision: Revision) -> list:
    return []


_approvers_source: Callable[[Revision], list] = _no_approvers


def register_approvers_source(source: Callable[[Revision], list]) -> None:
    """Set the function that returns the board members who approved a revision."""
    global _approvers_source
    _approvers_source = source


def revision_approvers(*, revision: Revision) -> list:
    """Return the board members whose reviews approved ``revision`` (credentials, specialties)."""
    return _approvers_source(revision)
