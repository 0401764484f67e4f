"""The action registry: what a person may do to an article now, and the service that does it.

``available_actions(user, article)`` is the one answer to "which buttons?": it combines the state
machine (the article's available transitions, conditions included) with the purposes' permission
predicates. The workspaces, the admin and the API all show what it returns, and the services check
the very same two things when the action is performed, so a button is shown exactly when it can succeed.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from articles.exceptions import ValidationFailed
from articles.models import Article
from articles.permissions import EDIT, Person, Purpose
from articles.validation import revision_errors
from reviewboard import services
from reviewboard.permissions import ASSIGN, DECIDE, REVISE, SUBMIT, WITHDRAW


@dataclass(frozen=True)
class Action:
    """One thing a person can do to an article, as every surface offers it."""

    name: str
    label: str
    purpose: Purpose
    # The article's transition that performs it, or None for an action that is not a transition.
    transition: str | None
    help_text: str
    reason_required: bool = False
    reason_allowed: bool = False
    # Whether the action carries the authors' response letter to the reviewers (a resubmission).
    letter: bool = False
    # Actions that take something away from someone (readers, reviewers, authors) are set apart and confirmed.
    destructive: bool = False
    # For an action that is not a transition: whether the article's state allows it now.
    state_allows: Callable[[Article], bool] | None = None
    # For an action the content must be ready for (submission): whether it is now. The service checks it again.
    ready: Callable[[Article], bool] | None = None
    # The service that performs a transition action: ``service(article=, actor=[, reason=])``.
    service: Callable[..., Article] | None = None
    # What the person is told once it is done.
    done: str = ""

    def is_available(self, user: Person, article: Article) -> bool:
        """Return whether ``user`` may do this to ``article`` now, and it would succeed."""
        return self.is_permitted(user, article) and (self.ready is None or self.ready(article))

    def is_permitted(self, user: Person, article: Article) -> bool:
        """Return whether ``user`` may do this to ``article`` in its state, whether or not its content is ready."""
        if self.purpose.role is not None and not self.purpose.role(user):
            return False
        if not (self.purpose.may_see(user, article) and self.purpose.may_do(user, article)):
            return False
        if self.transition is not None:
            return services.transition_refusal(article, self.transition) is None
        return self.state_allows is None or self.state_allows(article)


def _is_editable(article: Article) -> bool:
    return article.is_editable


def _accepts_reviewers(article: Article) -> bool:
    return article.accepts_reviewers


def _ready_to_submit(article: Article) -> bool:
    return article.current_revision is not None and not revision_errors(article.current_revision)


ACTIONS: dict[str, Action] = {
    action.name: action
    for action in [
        Action(
            "edit", "Edit the draft", EDIT, None, "Every save keeps the earlier revisions.", state_allows=_is_editable
        ),
        Action(
            "submit",
            "Submit for review",
            SUBMIT,
            "submit",
            "Send the current revision to the editors.",
            ready=_ready_to_submit,
            service=services.article_submit,
            done="Submitted. The editors will assign reviewers.",
        ),
        Action(
            "resubmit",
            "Resubmit for review",
            SUBMIT,
            "resubmit",
            "Send the revision written after the reviewers' feedback.",
            ready=_ready_to_submit,
            letter=True,
            service=services.article_submit,
            done="Resubmitted. The reviewers of the last round are invited again.",
        ),
        Action(
            "withdraw",
            "Withdraw",
            WITHDRAW,
            "withdraw",
            "Take the submission back to draft; open reviews are cancelled.",
            reason_required=True,
            destructive=True,
            service=services.article_withdraw,
            done="Withdrawn: the article is a draft again.",
        ),
        Action(
            "revise",
            "Start a new revision",
            REVISE,
            "revise",
            "Open a new draft; readers keep seeing the approved revision.",
            reason_allowed=True,
            service=services.article_revise,
            done="A new draft is open; readers keep seeing the approved revision.",
        ),
        Action(
            "assign",
            "Assign a reviewer",
            ASSIGN,
            None,
            "Invite a board member to review the revision.",
            state_allows=_accepts_reviewers,
        ),
        Action(
            "auto_assign",
            "Assign automatically",
            ASSIGN,
            None,
            "Invite the best free board members: specialty first, then lowest load.",
            state_allows=_accepts_reviewers,
        ),
        Action(
            "reject",
            "Reject",
            DECIDE,
            "reject",
            "Decline the submission; open reviews are cancelled.",
            reason_required=True,
            destructive=True,
            service=services.article_reject,
            done="The article is rejected.",
        ),
        Action(
            "retract",
            "Retract",
            DECIDE,
            "retract",
            "Withdraw the approved article from readers. Your reason is published in the retraction notice they see.",
            reason_required=True,
            destructive=True,
            service=services.article_retract,
            done="The article is retracted: readers see a retraction notice.",
        ),
        Action(
            "reopen",
            "Reopen",
            DECIDE,
            "reopen",
            "Bring the article back to draft.",
            reason_required=True,
            service=services.article_reopen,
            done="The article is a draft again.",
        ),
    ]
}


def available_actions(user: Person, article: Article) -> list[Action]:
    """Return what ``user`` may do to ``article`` now, in the order the surfaces offer them."""
    return [action for action in ACTIONS.values() if action.is_available(user, article)]


def action_names(user: Person, article: Article) -> set[str]:
    """Return the names of ``available_actions``: for templates' ``{% if "submit" in actions %}``."""
    return {action.name for action in available_actions(user, article)}


def perform(
    name: str,
    *,
    article: Article,
    actor: Person,
    reason: str = "",
    response_letter: str = "",
    thread_replies: Sequence[object] | None = None,
) -> Article:
    """Perform the transition action ``name`` through its service, which checks everything again."""
    action = ACTIONS.get(name)
    if action is None or action.service is None:
        raise KeyError(f"{name!r} is not an action performed by a transition")
    if action.letter:
        return action.service(
            article=article, actor=actor, response_letter=response_letter, thread_replies=thread_replies
        )
    if response_letter:
        raise ValidationFailed.one("response_letter", "A response letter goes with a resubmission only.", "not_allowed")
    if thread_replies:
        raise ValidationFailed.one(
            "thread_replies", "Replies go with the response letter of a resubmission only.", "not_allowed"
        )
    if action.reason_required or action.reason_allowed:
        return action.service(article=article, actor=actor, reason=reason)
    return action.service(article=article, actor=actor)
