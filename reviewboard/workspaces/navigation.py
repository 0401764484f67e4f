"""The workspace frame's navigation: every page a signed-in person may open, by role, with the inbox's unread count."""

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from articles.permissions import user_can_create_article
from reviewboard.notifications.models import Message
from reviewboard.permissions import board_member_of, user_is_editor


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool = False
    count: int | None = None


def _section(resolver_match) -> str:
    """Return which part of the workspaces the page belongs to, from its URL's name."""
    if resolver_match is None:
        return ""
    namespace, name = resolver_match.namespace, resolver_match.url_name or ""
    if namespace == "workspaces":
        for prefix in ("author", "board", "editor", "password"):
            if name.startswith(prefix):
                return "account" if prefix == "password" else prefix
        return ""
    return {
        "identity": "account",
        "dashboard": "dashboard",
        "intake": "intake",
        "notifications": "inbox",
        "admin": "admin",
    }.get(namespace, "")


def workspace_navigation(request) -> list[NavItem]:
    """Return the frame's links for ``request.user``: only what their roles may open."""
    user = request.user
    if not user.is_authenticated:
        return []
    here = _section(getattr(request, "resolver_match", None))
    # One query for what the frame needs of the person: their board membership and their unread messages.
    unread_count = (
        Message.objects.inbox_of(OuterRef("pk")).unread().values("recipient").annotate(n=Count("pk")).values("n")
    )
    person = (
        get_user_model()
        .objects.select_related("board_member")
        .annotate(unread=Coalesce(Subquery(unread_count), 0))
        .get(pk=user.pk)
    )
    editor = user_is_editor(user)
    items = []
    if editor:
        items.append(NavItem("Editorial desk", reverse("workspaces:editor"), here == "editor"))
    if board_member_of(person) is not None:
        items.append(NavItem("My reviews", reverse("workspaces:board"), here == "board"))
    if user_can_create_article(user):
        items.append(NavItem("My articles", reverse("workspaces:author"), here == "author"))
    if editor:
        items.append(NavItem("Dashboard", reverse("dashboard:index"), here == "dashboard"))
        items.append(NavItem("Reader questions", reverse("intake:queue"), here == "intake"))
    items.append(NavItem("Inbox", reverse("notifications:inbox"), here == "inbox", person.unread))
    if user.is_staff:
        items.append(NavItem("Admin", reverse("admin:index"), here == "admin"))
    items.append(NavItem("Account", reverse("identity:security"), here == "account"))
    return items
