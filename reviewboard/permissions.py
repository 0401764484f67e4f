"""Who may do what in the workflow: predicates ``user_can_<verb>`` and ``access_<thing>`` helpers.

Predicates answer yes or no from the user and the object only; whether the article's state allows
the action is the transition's business, and a different error.
"""

from articles.exceptions import ActionForbidden
from articles.permissions import (  # noqa: F401  (re-exported: one module to import from)
    user_can_create_article,
    user_can_edit_article,
    user_is_article_author,
    user_is_editor,
)
from reviewboard.models import BoardMember, ReviewAssignment


def board_member_of(user) -> BoardMember | None:
    if not user.is_authenticated:
        return None
    try:
        member = user.board_member
    except BoardMember.DoesNotExist:
        return None
    return member if member.active and user.is_active else None


def user_can_submit(user, article) -> bool:
    return user.is_active and user_is_article_author(user, article)


def user_can_withdraw(user, article) -> bool:
    return user_can_submit(user, article)


def user_can_revise(user, article) -> bool:
    return user_can_edit_article(user, article)


def user_can_assign(user, article) -> bool:
    return user_is_editor(user)


def user_can_decide(user, article) -> bool:
    """Reject, retract and reopen are editor decisions."""
    return user_is_editor(user)


def user_can_respond(user, assignment: ReviewAssignment) -> bool:
    """Accept, decline or review: only the invited board member."""
    member = board_member_of(user)
    return member is not None and assignment.board_member_id == member.pk


def user_can_view_assignment(user, assignment: ReviewAssignment) -> bool:
    return user_can_respond(user, assignment) or user_is_editor(user)


def user_can_see_confidential_comments(user) -> bool:
    return user_is_editor(user)


def access_assignment(user, assignment_id: int) -> ReviewAssignment:
    """Return the assignment if ``user`` may see it; raise ActionForbidden otherwise."""
    assignment = (
        ReviewAssignment.objects.select_related("revision__article", "board_member__user")
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None or not user_can_view_assignment(user, assignment):
        raise ActionForbidden("There is no such review assignment for you.")
    return assignment


def require(allowed: bool, message: str) -> None:
    """Raise ActionForbidden with ``message`` unless ``allowed``."""
    if not allowed:
        raise ActionForbidden(message)
