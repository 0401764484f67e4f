"""Who must have a second factor, and whether this request's person lacks one: the one decision.

``MFA_REQUIRED_ROLES`` names the roles ("editor", "board_member", "admin", "author") whose members must
have a second factor (TOTP or a security key; recovery codes alone are no factor) before any workspace,
the admin, the API or the token page opens. The middleware and the API's token authentication ask
``second_factor_missing``; nothing else decides it.
"""

from django.conf import settings
from django.http import HttpRequest

from articles.permissions import Person, user_is_author_role, user_is_editor
from reviewboard.permissions import board_member_of

ROLES = ("editor", "board_member", "admin", "author")
# The session remembers that its person has a factor (set at sign-in and at set-up), so pages cost no query.
SESSION_KEY = "identity.second_factor"
SSO_SESSION_KEY = "identity.sso"  # set while a single sign-on completes
FACTOR_TYPES = ("totp", "webauthn")


def roles_of(user: Person) -> set[str]:
    """Return the roles of ``user`` that ``MFA_REQUIRED_ROLES`` may name."""
    if not user.is_authenticated or not user.is_active:
        return set()
    roles = set()
    if getattr(user, "is_superuser", False) or getattr(user, "is_staff", False):
        roles.add("admin")
    if user_is_editor(user):
        roles.add("editor")
    if user_is_author_role(user):
        roles.add("author")
    if board_member_of(user) is not None:
        roles.add("board_member")
    return roles


def second_factor_required(user: Person) -> bool:
    """Return whether one of ``user``'s roles requires a second factor (asking only about the roles named)."""
    required = set(settings.MFA_REQUIRED_ROLES)
    if not required or not user.is_authenticated or not user.is_active:
        return False
    checks = {
        "admin": lambda: bool(getattr(user, "is_superuser", False) or getattr(user, "is_staff", False)),
        "editor": lambda: user_is_editor(user),
        "author": lambda: user_is_author_role(user),
        "board_member": lambda: board_member_of(user) is not None,
    }
    return any(checks[role]() for role in ROLES if role in required)


def has_second_factor(user: Person) -> bool:
    """Return whether ``user`` has a TOTP authenticator or a security key."""
    from allauth.mfa.models import Authenticator

    if not user.is_authenticated:
        return False
    return Authenticator.objects.filter(user_id=user.pk, type__in=FACTOR_TYPES).exists()


def remember_second_factor(request: HttpRequest, user: Person) -> None:
    """Note in the session whether ``user`` has a second factor now."""
    if has_second_factor(user):
        request.session[SESSION_KEY] = user.pk
    else:
        request.session.pop(SESSION_KEY, None)


def second_factor_missing(request: HttpRequest, user: Person | None = None) -> bool:
    """Return whether the person of ``request`` must set up a second factor before going on."""
    user = user if user is not None else request.user
    if not user.is_authenticated:
        return False
    session = getattr(request, "session", None)
    if session is not None and session.get(SESSION_KEY) == user.pk:
        return False
    if not second_factor_required(user):
        return False
    if has_second_factor(user):
        if session is not None:
            session[SESSION_KEY] = user.pk
        return False
    return True
