"""Who may do what to content. Pure predicates; ``reviewboard.permissions`` builds on them."""

AUTHORS_GROUP = "Authors"
EDITORS_GROUP = "Editors"


def _in_group(user, name: str) -> bool:
    if not user.is_authenticated:
        return False
    cache = getattr(user, "_group_names", None)
    if cache is None:
        cache = user._group_names = set(user.groups.values_list("name", flat=True))
    return name in cache


def user_is_editor(user) -> bool:
    return user.is_authenticated and user.is_active and (user.is_superuser or _in_group(user, EDITORS_GROUP))


def user_is_author_role(user) -> bool:
    return user.is_authenticated and user.is_active and _in_group(user, AUTHORS_GROUP)


def user_is_article_author(user, article) -> bool:
    return user.is_authenticated and article.pk is not None and article.authors.filter(pk=user.pk).exists()


def user_can_create_article(user) -> bool:
    return user_is_author_role(user) or user_is_editor(user)


def user_can_edit_article(user, article) -> bool:
    return user.is_active and (user_is_article_author(user, article) or user_is_editor(user))
