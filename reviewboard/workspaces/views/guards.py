"""Role gates for the workspaces, and one way to call a service and report its domain errors.

``NotFound`` and ``ActionForbidden`` are Django's Http404 and PermissionDenied: they are never caught
here and answer 404 and 403. What a person can fix (invalid input, a state that changed) becomes a message.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from articles.exceptions import InvalidTransition, ValidationFailed
from reviewboard.permissions import user_can_create_article, user_is_board_member, user_is_editor


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
board_member_required = _role_required(user_is_board_member, "The review workspace is for board members.")
author_required = _role_required(user_can_create_article, "The author workspace is for authors.")


def perform(request, service: Callable, success: str, **kwargs) -> bool:
    """Call ``service``; report success, or the problems the person can fix, as messages. Return whether it worked."""
    try:
        service(actor=request.user, **kwargs)
    except (ValidationFailed, InvalidTransition) as error:
        for message in error.messages if isinstance(error, ValidationFailed) else [error.message]:
            messages.error(request, message)
        return False
    messages.success(request, success)
    return True
