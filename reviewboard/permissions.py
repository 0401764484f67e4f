"""Who may do what in the workflow: predicates ``user_can_<verb>``, the purposes they serve, and the
``access_<thing>`` helpers that fetch and authorize for every surface and service.

Predicates answer yes or no from the person and the object only; whether the object's state allows
the action is its state machine's business, and a different error (``InvalidTransition``). The refusal
policy (404, 403, 409) is written down in ``articles.exceptions``.
"""

from dataclasses import dataclass

from django.db.models import QuerySet

from articles.exceptions import ActionForbidden, NotFound
from articles.followup_models import FollowUpQuestion
from articles.models import Article

# Re-exported (``as``): one module to import the workflow's permissions from.
from articles.permissions import (
    AUTHOR_VIEW as AUTHOR_VIEW,
    EDIT as EDIT,
    Person as Person,
    Purpose as Purpose,
    access_article as access_article,
    user_can_create_article as user_can_create_article,
    user_can_edit_article as user_can_edit_article,
    user_is_article_author as user_is_article_author,
    user_is_author_role as user_is_author_role,
    user_is_editor as user_is_editor,
)
from reviewboard.models import LIVE_STATUSES, BoardMember, ReviewAssignment
from reviewboard.review_models import CommentThread


def board_member_of(user: Person) -> BoardMember | None:
    """Return the active board member ``user`` is, or None."""
    if not user.is_authenticated or not user.is_active:
        return None
    try:
        member = user.board_member
    except BoardMember.DoesNotExist:
        return None
    return member if member.active else None


def user_is_board_member(user: Person) -> bool:
    return board_member_of(user) is not None


def user_can_submit(user: Person, article: Article) -> bool:
    """Submit, resubmit and withdraw: the article's authors."""
    return bool(user.is_active and user_is_article_author(user, article))


def user_can_withdraw(user: Person, article: Article) -> bool:
    return user_can_submit(user, article)


def user_can_revise(user: Person, article: Article) -> bool:
    return user_can_edit_article(user, article)


def user_can_assign(user: Person, article: Article) -> bool:
    return user_is_editor(user)


def user_can_decide(user: Person, article: Article) -> bool:
    """Reject, retract, reopen and open a re-review: editor decisions."""
    return user_is_editor(user)


def user_can_respond(user: Person, assignment: ReviewAssignment) -> bool:
    """Accept, decline or review: only the invited board member."""
    member = board_member_of(user)
    return member is not None and assignment.board_member_id == member.pk


def user_can_view_assignment(user: Person, assignment: ReviewAssignment) -> bool:
    return user_can_respond(user, assignment) or user_is_editor(user)


def user_can_see_confidential_comments(user: Person) -> bool:
    return user_is_editor(user)


def user_can_rate_reviews(user: Person) -> bool:
    """Editors rate reviews (1-5), wherever they do it: their article page, the API, the admin."""
    return user_is_editor(user)


def user_can_retry_notifications(user: Person) -> bool:
    """Editors and admins may make failed or waiting notifications due again."""
    return user_is_editor(user)


def _editor_role(user: Person) -> bool:
    return user_is_editor(user)


def _anyone(user: Person, obj: object) -> bool:
    return True


# Article purposes. The author's side: its authors see it (and editors); the editors' side: editors only,
# refused before any lookup, so nobody learns from the editors' surfaces which addresses exist.
SUBMIT = Purpose("submit", user_can_edit_article, user_can_submit, "Only the article's authors can submit it.")
WITHDRAW = Purpose("withdraw", user_can_edit_article, user_can_withdraw, "Only the article's authors can withdraw it.")
REVISE = Purpose(
    "revise", user_can_edit_article, user_can_revise, "Only the article's authors or an editor can revise it."
)
EDITORIAL = Purpose(
    "editorial",
    _anyone,
    _anyone,
    "Only editors can do this.",
    role=_editor_role,
    role_refusal="Only editors can do this.",
)
ASSIGN = Purpose(
    "assign", _anyone, user_can_assign, "Only editors can assign reviewers.", role=_editor_role,
    role_refusal="Only editors can assign reviewers.",
)  # fmt: skip
DECIDE = Purpose(
    "decide", _anyone, user_can_decide, "Only editors can decide on articles.", role=_editor_role,
    role_refusal="Only editors can reject, retract, reopen or re-review an article.",
)  # fmt: skip


# Assignments: the invited board member and editors see one; only the member answers it; only editors cancel it.
ASSIGNMENT_VIEW = "view"
ASSIGNMENT_RESPOND = "respond"
ASSIGNMENT_CANCEL = "cancel"
_ASSIGNMENT_PURPOSES = {
    ASSIGNMENT_VIEW: (user_can_view_assignment, "You cannot see this assignment."),
    ASSIGNMENT_RESPOND: (user_can_respond, "Only the invited board member can answer this invitation."),
    ASSIGNMENT_CANCEL: (lambda user, assignment: user_is_editor(user), "Only editors can unassign reviewers."),
}


def _assignments(*, lock: bool) -> QuerySet[ReviewAssignment]:
    if lock:
        # No joins, for the reason ``articles.permissions._articles`` gives.
        return ReviewAssignment.objects.select_for_update()
    return ReviewAssignment.objects.select_related("revision__article__specialty", "board_member__user", "review_round")


def access_assignment(
    user: Person,
    assignment_id: int,
    *,
    purpose: str = ASSIGNMENT_VIEW,
    lock: bool = False,
    article: Article | None = None,
) -> ReviewAssignment:
    """Return the assignment if ``user`` may use it for ``purpose``; raise NotFound or ActionForbidden otherwise.

    With ``article``, the assignment must belong to one of its revisions. With ``lock``, the row is locked.
    """
    may_do, refusal = _ASSIGNMENT_PURPOSES[purpose]
    assignments = _assignments(lock=lock).filter(pk=assignment_id)
    if article is not None:
        assignments = assignments.filter(revision__article=article)
    assignment = assignments.first()
    if assignment is None or not user_can_view_assignment(user, assignment):
        raise NotFound("There is no such review assignment for you.")
    if not may_do(user, assignment):
        raise ActionForbidden(refusal)
    return assignment


def access_question(user: Person, question_id: int, *, lock: bool = False) -> FollowUpQuestion:
    """Return the reader's follow-up question for an editor to handle; ActionForbidden for anyone else."""
    if not user_is_editor(user):
        raise ActionForbidden("Only editors handle readers' follow-up questions.")
    questions = FollowUpQuestion.objects.select_related("article__approved_revision", "article__specialty")
    if lock:
        questions = FollowUpQuestion.objects.select_for_update()  # no joins, as for articles
    question = questions.filter(pk=question_id).first()
    if question is None:
        raise NotFound("There is no such question.")
    return question


# Comment threads on the text. What a person may do with the threads of one article is read once (``thread_rights``):
# the predicates below, the selectors, the services, the web and the API all ask it.


@dataclass(frozen=True)
class ThreadRights:
    """What one person may do with the comment threads of one article."""

    view: bool = False
    confidential: bool = False
    open: bool = False
    moderate: bool = False


def thread_rights(user: Person, article: Article) -> ThreadRights:
    """Return what ``user`` may do with ``article``'s threads.

    Editors, and board members with a live (invited, accepted or completed) review of any round, see
    every thread, confidential ones too, and resolve and reopen them; editors and the members of the
    open round open threads. The authors see and answer the threads that are not confidential: a
    confidential thread does not exist for them. An author is never treated as a reviewer of their own article.
    """
    if not user.is_authenticated or not user.is_active:
        return ThreadRights()
    if user_is_article_author(user, article):
        return ThreadRights(view=True)
    if user_is_editor(user):
        return ThreadRights(view=True, confidential=True, open=True, moderate=True)
    member = board_member_of(user)
    if member is None:
        return ThreadRights()
    live = ReviewAssignment.objects.filter(
        board_member=member, revision__article=article, status__in=LIVE_STATUSES
    ).values_list("review_round__closed_at", flat=True)
    rounds = list(live)
    if not rounds:
        return ThreadRights()
    in_open_round = any(closed is None for closed in rounds)
    return ThreadRights(view=True, confidential=True, open=in_open_round, moderate=True)


def user_can_view_threads(user: Person, article: Article) -> bool:
    return thread_rights(user, article).view


def user_can_open_thread(user: Person, article: Article) -> bool:
    return thread_rights(user, article).open


def user_can_view_thread(user: Person, thread: CommentThread, rights: ThreadRights | None = None) -> bool:
    rights = rights or thread_rights(user, thread.article)
    return rights.view and (rights.confidential or not thread.confidential)


def user_can_reply(user: Person, thread: CommentThread, rights: ThreadRights | None = None) -> bool:
    """Everyone who sees a thread answers it: the authors, the reviewers, the editors."""
    return user_can_view_thread(user, thread, rights)


def user_can_resolve(user: Person, thread: CommentThread, rights: ThreadRights | None = None) -> bool:
    """Resolve and reopen: editors, the article's reviewers, and whoever opened the thread."""
    rights = rights or thread_rights(user, thread.article)
    return user_can_view_thread(user, thread, rights) and (rights.moderate or thread.opened_by_id == user.pk)


THREAD_OPEN = Purpose(
    "comment",
    user_can_view_threads,
    user_can_open_thread,
    "Only editors and the board members reviewing this round comment on the text.",
)
THREADS_VIEW = Purpose(
    "threads", user_can_view_threads, user_can_view_threads, "Only the article's authors, reviewers and editors."
)
THREAD_VIEW = "view"
THREAD_REPLY = "reply"
THREAD_RESOLVE = "resolve"
_THREAD_PURPOSES = {
    THREAD_VIEW: (user_can_view_thread, "You cannot see this thread."),
    THREAD_REPLY: (user_can_reply, "You cannot answer this thread."),
    THREAD_RESOLVE: (user_can_resolve, "Only editors, the reviewers and the thread's author resolve or reopen it."),
}


def access_thread(user: Person, thread_id: int, *, purpose: str = THREAD_VIEW, lock: bool = False) -> CommentThread:
    """Return the thread if ``user`` may use it for ``purpose``: NotFound if they may not see it (a confidential
    thread, for an author), ActionForbidden if they see it but may not do this."""
    threads = CommentThread.objects.select_for_update() if lock else CommentThread.objects.select_related("article")
    thread = threads.filter(pk=thread_id).first()
    if thread is None:
        raise NotFound("There is no such comment thread for you.")
    rights = thread_rights(user, thread.article)
    if not user_can_view_thread(user, thread, rights):
        raise NotFound("There is no such comment thread for you.")
    may_do, refusal = _THREAD_PURPOSES[purpose]
    if not may_do(user, thread, rights):
        raise ActionForbidden(refusal)
    return thread


def require(allowed: bool, message: str) -> None:
    """Raise ActionForbidden with ``message`` unless ``allowed``."""
    if not allowed:
        raise ActionForbidden(message)


def user_can_edit_board_profile(user: Person, member: BoardMember) -> bool:
    """A board member edits their own public profile."""
    return bool(user.is_authenticated and user.is_active and member.user_id == user.pk)


def user_can_verify_board_member(user: Person, member: BoardMember) -> bool:
    """Editors record that they checked a member's credentials (never their own)."""
    return user_is_editor(user) and member.user_id != user.pk
