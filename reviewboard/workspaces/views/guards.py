"""Role gates for the workspaces, and one way to call a service and report its domain errors."""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from articles.exceptions import ActionForbidden, DomainError, ValidationFailed
from articles.permissions import user_is_author_role
from reviewboard.permissions import board_member_of, user_can_create_article, user_is_editor


def _role_required(predicate: Callable, message: str):
    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not predicate(request.user):
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


editor_required = _role_required(user_is_editor, "The editor workspace is for editors.")
board_member_required = _role_required(
    lambda user: board_member_of(user) is not None, "The review workspace is for board members."
)
author_required = _role_required(
    lambda user: user_is_author_role(user) or user_can_create_article(user), "The author workspace is for authors."
)


def error_messages(error: DomainError) -> list[str]:
    return error.errors if isinstance(error, ValidationFailed) else [error.message]


def perform(request, service: Callable, success: str, **kwargs) -> bool:
    """Call ``service``; report success or its domain error as a message. Return whether it worked.

    An ActionForbidden the view's own checks did not foresee still answers 403, not 500.
    """
    try:
        service(actor=request.user, **kwargs)
    except ActionForbidden as error:
        raise PermissionDenied(error.message) from error
    except DomainError as error:
        for message in error_messages(error):
            messages.error(request, message)
        return False
    messages.success(request, success)
    return True
