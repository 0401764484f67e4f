"""Who may do what to content: pure predicates, and ``access_article``, the one way to fetch an article for a person.

``reviewboard.permissions`` builds the workflow's predicates and purposes on these.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import QuerySet

from articles.exceptions import ActionForbidden, NotFound
from articles.models import Article

AUTHORS_GROUP = "Authors"
EDITORS_GROUP = "Editors"
GROUP_NAMES_CACHE = "editorial_group_names"  # an attribute of the user object: its groups, read once

# Whoever asks: a signed-in user, or an anonymous reader. Services' actors are signed-in users.
Person = User | AnonymousUser


def group_names(user: Person) -> frozenset[str]:
    """Return the names of ``user``'s groups, read once per user object."""
    if not user.is_authenticated:
        return frozenset()
    names: frozenset[str] | None = getattr(user, GROUP_NAMES_CACHE, None)
    if names is None:
        names = frozenset(user.groups.values_list("name", flat=True))
        setattr(user, GROUP_NAMES_CACHE, names)
    return names


def user_is_editor(user: Person) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and (getattr(user, "is_superuser", False) or EDITORS_GROUP in group_names(user))
    )


def user_is_author_role(user: Person) -> bool:
    return bool(user.is_authenticated and user.is_active and AUTHORS_GROUP in group_names(user))


def user_is_article_author(user: Person, article: Article) -> bool:
    return bool(user.is_authenticated and article.pk is not None and article.authors.filter(pk=user.pk).exists())


def user_can_create_article(user: Person) -> bool:
    return user_is_author_role(user) or user_is_editor(user)


def user_can_edit_article(user: Person, article: Article) -> bool:
    return bool(user.is_active and (user_is_article_author(user, article) or user_is_editor(user)))


@dataclass(frozen=True)
class Purpose:
    """Why a person fetches an article, and so who may.

    ``role``: the surface's gate, checked before any lookup (refused with ``role_refusal``, 403).
    ``may_see``: who may know the article exists for this purpose; anyone else gets NotFound (404).
    ``may_do``: who may do it; anyone who may see it but not do it gets ActionForbidden (403).
    """

    name: str
    may_see: Callable[[Person, Article], bool]
    may_do: Callable[[Person, Article], bool]
    refusal: str
    role: Callable[[Person], bool] | None = None
    role_refusal: str = ""


# The author's side: the article's authors, and editors, who may act on any article.
AUTHOR_VIEW = Purpose("author_view", user_can_edit_article, user_can_edit_article, "Only its authors see it here.")
EDIT = Purpose(
    "edit", user_can_edit_article, user_can_edit_article, "Only the article's authors or an editor can edit it."
)


def _articles(*, lock: bool) -> QuerySet[Article]:
    if lock:
        # No joins: a SELECT ... FOR UPDATE that waits for the lock re-reads the article's row as committed,
        # but would read joined rows (a revision written meanwhile) from its older snapshot.
        return Article.objects.select_for_update()
    return Article.objects.select_related("current_revision", "approved_revision", "specialty")


def access_article(
    user: Person, *, purpose: Purpose, slug: str | None = None, pk: int | None = None, lock: bool = False
) -> Article:
    """Return the article at ``slug`` (or ``pk``) if ``user`` may use it for ``purpose``; raise otherwise.

    With ``lock``, the article's row is locked until the transaction ends (callers are in one).
    """
    if purpose.role is not None and not purpose.role(user):
        raise ActionForbidden(purpose.role_refusal or purpose.refusal)
    if (slug is None) == (pk is None):
        raise TypeError("access_article takes a slug or a pk")
    lookup = {"slug": slug} if slug is not None else {"pk": pk}
    article = _articles(lock=lock).filter(**lookup).first()
    if article is None or not purpose.may_see(user, article):
        raise NotFound("There is no such article for you.")
    if not purpose.may_do(user, article):
        raise ActionForbidden(purpose.refusal)
    return article
