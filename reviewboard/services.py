"""Every workflow action. Each one fetches and locks through an access helper (which checks who may),
applies the transition (which checks the state), saves, logs it, and queues its side effects for after
the commit (``events.publish``)."""

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django_fsm import can_proceed

from articles import text
from articles.exceptions import ActionForbidden, InvalidTransition, ValidationFailed
from articles.models import Article, ArticleState, Revision
from articles.services import change_note_approve, revision_content, revision_write
from articles.validation import revision_errors
from reviewboard import events
from reviewboard.models import (
    AssignmentStatus,
    BoardMember,
    ConflictOfInterest,
    Decision,
    Review,
    ReviewAssignment,
    ReviewRound,
    RoundOutcome,
    TransitionLogEntry,
)
from reviewboard.permissions import (
    ASSIGN,
    ASSIGNMENT_CANCEL,
    ASSIGNMENT_RESPOND,
    DECIDE,
    REVISE,
    SUBMIT,
    WITHDRAW,
    access_article,
    access_assignment,
    board_member_of,
    user_can_rate_reviews,
    user_is_editor,
)
from reviewboard.policy import approval_outcome, reviewers_still_needed
from reviewboard.review_models import (
    ChecklistAnswer,
    ChecklistAnswerChoice,
    ChecklistItem,
    CommentThread,
    ReviewRating,
    ThreadStatus,
)
from reviewboard.selectors import checklist_items, open_round, reviewer_suggestions, visible_threads
from reviewboard.services_threads import thread_reply, threads_reanchor

S = ArticleState

# Why a transition its state allows still cannot happen: the article's own conditions, in words.
CONDITION_REFUSALS = {
    "submit": "The article has no revision to submit yet.",
    "resubmit": (
        "Reviewers asked for changes to this revision: edit the article to address their feedback, "
        "then resubmit the new revision."
    ),
}
PAST_TENSE = {
    "submit": "submitted",
    "resubmit": "resubmitted",
    "withdraw": "withdrawn",
    "start_review": "sent to review",
    "request_changes": "returned for changes",
    "approve": "approved",
    "reject": "rejected",
    "revise": "revised",
    "retract": "retracted",
    "reopen": "reopened",
}
# The transitions that end the open review round, and how it ended.
ROUND_OUTCOMES: dict[str, str] = {
    "approve": RoundOutcome.APPROVED,
    "request_changes": RoundOutcome.CHANGES_REQUESTED,
    "reject": RoundOutcome.REJECTED,
    "withdraw": RoundOutcome.WITHDRAWN,
}
ROUND_END_NOTES: dict[str, str] = {
    RoundOutcome.APPROVED: "The review round ended: the article was approved.",
    RoundOutcome.CHANGES_REQUESTED: "The review round ended: a reviewer asked for changes.",
    RoundOutcome.REJECTED: "The review round ended: the editors rejected the article.",
    RoundOutcome.WITHDRAWN: "The review round ended: the authors withdrew the article.",
}


def transition_refusal(article: Article, name: str) -> str | None:
    """Return why transition ``name`` cannot happen to ``article`` now, or None if it can."""
    method = getattr(article, name)
    if can_proceed(method):
        return None
    if can_proceed(method, check_conditions=False) and name in CONDITION_REFUSALS:
        return CONDITION_REFUSALS[name]
    return f"The article is {article.get_state_display().lower()}: it cannot be {PAST_TENSE.get(name, name)} now."


def _transition(
    *,
    article: Article,
    name: str,
    actor: User,
    reason: str = "",
    reason_required: bool = False,
    revision: Revision | None = None,
    **kwargs: Any,
) -> None:
    """Apply transition ``name``, save and log it, and open or close the review round. Caller holds the row lock."""
    refusal = transition_refusal(article, name)
    if refusal is not None:
        raise InvalidTransition(refusal)
    reason = text.clean_text(
        reason,
        text.REASON,
        field="reason",
        required=reason_required,
        required_message=f"Give a reason to {name.replace('_', ' ')}.",
    )
    from_state = article.state
    getattr(article, name)(**kwargs)
    article.save()
    if name == "approve":
        assert article.approved_revision is not None and article.approved_at is not None  # approve sets them
        change_note_approve(revision=article.approved_revision, when=article.approved_at)
    TransitionLogEntry.objects.create(
        article=article,
        revision=revision or article.current_revision,
        actor=actor,
        transition=name,
        from_state=from_state,
        to_state=article.state,
        reason=reason,
    )
    events.publish(
        name, article_id=article.pk, actor_id=actor.pk, from_state=from_state, to_state=article.state, reason=reason
    )
    if name in ("submit", "resubmit"):
        number = (article.review_rounds.aggregate(top=Max("number"))["top"] or 0) + 1
        assert article.submitted_revision is not None  # submit and resubmit set it
        ReviewRound.objects.create(article=article, revision=article.submitted_revision, number=number)
        threads_reanchor(article=article, revision=article.submitted_revision)
    elif name in ROUND_OUTCOMES:
        _end_round(article=article, outcome=ROUND_OUTCOMES[name], actor=actor)


def _cancel(assignment: ReviewAssignment, *, actor: User, reason: str) -> None:
    """Cancel an open assignment and tell its board member. Caller holds the article's row lock."""
    assignment.cancel(reason=reason)
    assignment.save(update_fields=["status", "decline_reason"])
    events.publish(
        "assignment_cancelled",
        article_id=assignment.revision.article_id,
        actor_id=actor.pk,
        assignment_id=assignment.pk,
        reason=reason,
    )


def _end_round(*, article: Article, outcome: str, actor: User) -> None:
    """Close the article's open round with ``outcome``; its open assignments are cancelled and announced."""
    review_round = open_round(article=article)
    if review_round is None:
        return
    review_round.close(outcome=outcome)
    review_round.save(update_fields=["closed_at", "outcome"])
    # Its reviewers learn the outcome, and may then read one another's comments to the authors.
    events.publish("round_closed", article_id=article.pk, actor_id=actor.pk, round_id=review_round.pk, outcome=outcome)
    for assignment in review_round.assignments.open().select_related("revision").select_for_update(of=("self",)):
        _cancel(assignment, actor=actor, reason=ROUND_END_NOTES[outcome])


# Authors


def _letter_replies(given: Sequence[object], *, errors: text.FieldErrors) -> list[tuple[int, int, str]]:
    """Return (position, thread id, cleaned reply) for each of ``given`` (``{"thread": id, "body": text}``).

    Each problem is recorded by the reply's position: the field beside which the surface shows it.
    """
    replies: list[tuple[int, int, str]] = []
    seen: set[int] = set()
    for position, entry in enumerate(given):
        if not isinstance(entry, Mapping):
            errors.add("thread_replies", "Each reply names its thread and says something.", "type", position)
            continue
        try:
            thread_id = int(str(entry.get("thread")))
        except (TypeError, ValueError):
            errors.add("thread_replies.thread", "Name the comment thread this reply answers.", "type", position)
            thread_id = 0
        body = errors.text(
            entry.get("body", ""),
            text.THREAD_COMMENT,
            field="thread_replies.body",
            index=position,
            required=True,
            required_message="Write your reply to this comment, or leave the thread out.",
        )
        if thread_id in seen:
            errors.add("thread_replies.thread", "Write one reply per thread.", "duplicate", position)
        seen.add(thread_id)
        replies.append((position, thread_id, body))
    return replies


def article_submit(
    *,
    article: Article,
    actor: User,
    response_letter: str = "",
    thread_replies: Sequence[object] | None = None,
) -> Article:
    """Submit the article's current revision for review (a draft, or a revision written after changes).

    A resubmission carries the authors' ``response_letter`` to the new round, with ``thread_replies``
    (``[{"thread": id, "body": text}]``): a reply to open comment threads, each posted in its thread
    (``thread_reply``) and listed with the letter. The reviewers of the previous round are invited again at
    once (the editors may change the list). Nothing is saved unless all of it is.
    """
    errors = text.FieldErrors()
    letter = errors.text(response_letter, text.RESPONSE_LETTER, field="response_letter")
    replies = _letter_replies(list(thread_replies or []), errors=errors)
    errors.raise_if_any()
    with transaction.atomic():
        article = access_article(actor, purpose=SUBMIT, pk=article.pk, lock=True)
        name = "resubmit" if article.state == S.CHANGES_REQUESTED else "submit"
        refusal = transition_refusal(article, name)
        if refusal is not None:
            raise InvalidTransition(refusal)
        assert article.current_revision is not None  # the transition's condition
        problems = revision_errors(article.current_revision)
        if problems:
            raise ValidationFailed(problems)
        threads = _open_threads_answered(article=article, actor=actor, name=name, replies=replies)
        previous = article.review_rounds.order_by("-number").first()
        _transition(article=article, name=name, actor=actor)
        if name == "resubmit":
            review_round = open_round(article=article)
            assert review_round is not None  # the resubmission opened it
            if letter:
                review_round.response_letter = letter
                review_round.save(update_fields=["response_letter"])
            for _position, thread_id, body in replies:
                thread_reply(thread=threads[thread_id], actor=actor, body=body, review_round=review_round)
            if previous is not None:
                _reinvite(article=article, previous=previous)
    return article


def _open_threads_answered(
    *, article: Article, actor: User, name: str, replies: list[tuple[int, int, str]]
) -> dict[int, CommentThread]:
    """Return the open threads ``replies`` answer, by id; refuse replies to any other. Caller holds the row lock."""
    if not replies:
        return {}
    if name != "resubmit":
        raise ValidationFailed.one(
            "thread_replies", "Replies go with the response letter of a resubmission only.", "not_allowed"
        )
    threads = {
        thread.pk: thread for thread in visible_threads(user=actor, article=article).filter(status=ThreadStatus.OPEN)
    }
    errors = text.FieldErrors()
    for position, thread_id, _body in replies:
        if thread_id and thread_id not in threads:
            errors.add(
                "thread_replies.thread",
                f"There is no open comment thread {thread_id} on this article for you.",
                "not_found",
                position,
            )
    errors.raise_if_any()
    return threads


def _reinvite(*, article: Article, previous: ReviewRound) -> list[ReviewAssignment]:
    """Invite the board members who reviewed ``previous`` to the open round; skip any who cannot review now.

    Caller holds the article's row lock. The invitations come from the editorial system, so the editors
    see them as the product's, and may cancel or add to them.
    """
    reviewers = (
        BoardMember.objects.filter(assignments__review_round=previous, assignments__status=AssignmentStatus.COMPLETED)
        .select_related("user")
        .distinct()
        .order_by("pk")
    )
    invited = []
    for member in reviewers:
        try:
            with transaction.atomic():
                invited.append(_assign(article=article, board_member=member, actor=system_actor(), due_date=None))
        except ValidationFailed:
            continue  # no longer active, or a conflict declared since: the editors assign someone else
    return invited


def article_withdraw(*, article: Article, actor: User, reason: str) -> Article:
    """Take a submitted or in-review article back to draft; the round ends and its open reviews are cancelled."""
    with transaction.atomic():
        article = access_article(actor, purpose=WITHDRAW, pk=article.pk, lock=True)
        _transition(article=article, name="withdraw", actor=actor, reason=reason, reason_required=True)
    return article


def article_revise(*, article: Article, actor: User, reason: str = "") -> Article:
    """Open a new draft of an approved article; readers keep the approved revision meanwhile."""
    with transaction.atomic():
        article = access_article(actor, purpose=REVISE, pk=article.pk, lock=True)
        _transition(article=article, name="revise", actor=actor, reason=reason)
    return article


# Editors


def _default_due_date() -> date:
    return timezone.localdate() + timedelta(days=settings.REVIEW_DUE_DAYS)


def _assign(*, article: Article, board_member: BoardMember, actor: User, due_date: date | None) -> ReviewAssignment:
    """Invite one board member to review the open round's revision. Caller holds the row lock."""
    review_round = open_round(article=article)
    if not article.accepts_reviewers or review_round is None:
        raise InvalidTransition(
            f"Reviewers are assigned to submitted articles; this one is {article.get_state_display().lower()}."
        )
    name = board_member.display_name
    if not board_member.active or not board_member.user.is_active:
        raise ValidationFailed.one("board_member", f"{name} is not an active board member.", "inactive")
    if article.authors.filter(pk=board_member.user_id).exists():
        raise ValidationFailed.one(
            "board_member", f"{name} is an author of this article and cannot review it.", "author"
        )
    if article.conflicts.filter(board_member=board_member).exists():
        raise ValidationFailed.one(
            "board_member", f"{name} declared a conflict of interest with this article.", "conflict"
        )
    if due_date is not None and due_date < timezone.localdate():
        raise ValidationFailed.one("due_date", "The due date is in the past.", "past")
    try:
        with transaction.atomic():
            assignment = ReviewAssignment.objects.create(
                review_round=review_round,
                revision_id=review_round.revision_id,
                board_member=board_member,
                due_date=due_date or _default_due_date(),
                assigned_by=actor,
            )
    except IntegrityError:
        raise ValidationFailed.one("board_member", f"{name} is already a reviewer in this round.", "assigned") from None
    events.publish("reviewer_invited", article_id=article.pk, actor_id=actor.pk, assignment_id=assignment.pk)
    if article.state == S.SUBMITTED:
        _transition(article=article, name="start_review", actor=actor)
    return assignment


def assignment_create(
    *, article: Article, board_member: BoardMember, actor: User, due_date: date | None = None
) -> ReviewAssignment:
    """Assign a board member to the revision under review; the first assignment opens review."""
    with transaction.atomic():
        article = access_article(actor, purpose=ASSIGN, pk=article.pk, lock=True)
        return _assign(article=article, board_member=board_member, actor=actor, due_date=due_date)


def assignments_auto(*, article: Article, actor: User, count: int | None = None) -> list[ReviewAssignment]:
    """Assign the best eligible board members: specialty first, then lowest open load.

    Without ``count``, assigns as many as the round still needs for the quorum; at least one of them
    holds the article's specialty when any eligible member does.
    """
    with transaction.atomic():
        article = access_article(actor, purpose=ASSIGN, pk=article.pk, lock=True)
        return _auto_assign(article=article, actor=actor, count=count)


def _auto_assign(*, article: Article, actor: User, count: int | None) -> list[ReviewAssignment]:
    """Assign the best eligible members. Caller holds the row lock and has checked permission."""
    review_round = open_round(article=article)
    if not article.accepts_reviewers or review_round is None:
        raise InvalidTransition(
            f"Reviewers are assigned to submitted articles; this one is {article.get_state_display().lower()}."
        )
    wanted = count if count is not None else reviewers_still_needed(review_round=review_round)
    eligible = [s for s in reviewer_suggestions(article=article) if s.eligible]
    if wanted and not eligible:
        raise ValidationFailed.one("", "No eligible board member is free to review this article.", "nobody_free")
    return [
        _assign(article=article, board_member=s.board_member, actor=actor, due_date=None) for s in eligible[:wanted]
    ]


def article_rereview_open(*, article: Article, actor: User, reason: str = "Periodic re-review") -> Article:
    """Open a review round on an approved article's text; readers keep the approved revision meanwhile.

    The approved revision's content becomes a new revision, submitted and, where board members are
    free, assigned to them. With nobody eligible the round waits in "submitted" for an editor.
    """
    with transaction.atomic():
        article = access_article(actor, purpose=DECIDE, pk=article.pk, lock=True)
        if article.state != S.APPROVED:
            raise InvalidTransition(
                f"Only approved articles are re-reviewed; this one is {article.get_state_display().lower()}."
            )
        _transition(article=article, name="revise", actor=actor, reason=reason)
        assert article.approved_revision is not None  # an approved article has one
        revision_write(
            article=article, actor=actor, content=revision_content(article.approved_revision), change_note=reason
        )
        _transition(article=article, name="submit", actor=actor, reason=reason)
        try:
            with transaction.atomic():
                _auto_assign(article=article, actor=actor, count=None)
        except ValidationFailed:
            pass  # nobody is free now: the submitted round waits for an editor, who is notified
        events.publish("rereview_due", article_id=article.pk, actor_id=actor.pk, reason=reason)
    return article


def system_actor() -> User:
    """Return the user scheduled work acts as: allowed to decide, unable to log in, sent no mail.

    It is a superuser outside the Editors group, so the editors' notifications never reach it.
    """
    user, created = get_user_model().objects.get_or_create(
        username="editorial-system",
        defaults={"first_name": "Editorial", "last_name": "system", "is_superuser": True},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def _assignment_refusal(assignment: ReviewAssignment, transition: str) -> str | None:
    """Return why ``transition`` cannot happen to the assignment now, or None if it can."""
    if can_proceed(getattr(assignment, transition)):
        return None
    if transition == "complete" and assignment.status == AssignmentStatus.INVITED:
        return "Accept the invitation before you submit a review."
    return f"This assignment is already {assignment.get_status_display().lower()}."


def _lock_assignment(assignment: ReviewAssignment, actor: User, purpose: str) -> tuple[Article, ReviewAssignment]:
    """Lock the article, then the assignment (always in that order), checking ``actor`` may use it for ``purpose``."""
    article = Article.objects.select_for_update(of=("self",)).get(pk=assignment.revision.article_id)
    return article, access_assignment(actor, assignment.pk, purpose=purpose, lock=True)


def assignment_cancel(*, assignment: ReviewAssignment, actor: User, reason: str = "") -> ReviewAssignment:
    """Cancel an open assignment (unassign the reviewer); the reviewer is told."""
    reason = text.clean_text(reason, text.SHORT_REASON, field="reason")
    with transaction.atomic():
        _, assignment = _lock_assignment(assignment, actor, ASSIGNMENT_CANCEL)
        if refusal := _assignment_refusal(assignment, "cancel"):
            raise InvalidTransition(refusal)
        _cancel(assignment, actor=actor, reason=reason or "An editor unassigned the review.")
    return assignment


def article_reject(*, article: Article, actor: User, reason: str) -> Article:
    """Reject the submission, with a reason; the round ends and its open reviews are cancelled."""
    with transaction.atomic():
        article = access_article(actor, purpose=DECIDE, pk=article.pk, lock=True)
        _transition(article=article, name="reject", actor=actor, reason=reason, reason_required=True)
    return article


def article_retract(*, article: Article, actor: User, reason: str) -> Article:
    """Withdraw an approved article from readers, with a reason that its retraction notice shows them (COPE)."""
    notice = text.clean_text(reason, text.REASON, field="reason")  # required: _transition says so after the state
    with transaction.atomic():
        article = access_article(actor, purpose=DECIDE, pk=article.pk, lock=True)
        _transition(
            article=article,
            name="retract",
            actor=actor,
            reason=notice,
            reason_required=True,
            when=timezone.now(),
            notice=notice,
        )
    return article


def article_reopen(*, article: Article, actor: User, reason: str) -> Article:
    """Bring a rejected or retracted article back to draft, with a reason."""
    with transaction.atomic():
        article = access_article(actor, purpose=DECIDE, pk=article.pk, lock=True)
        _transition(article=article, name="reopen", actor=actor, reason=reason, reason_required=True)
    return article


def reminders_publish(
    *, assignments: Iterable[ReviewAssignment], actor_id: int | None, today: date | None = None, escalate: bool = False
) -> tuple[int, int]:
    """Publish a due-soon or overdue reminder (and, with ``escalate``, the editors' escalation) per open assignment.

    Each event carries a dedupe key of kind, assignment and day, so a board member reminded from the
    admin is not reminded again by the daily schedule. Return (published, already sent today).
    """
    today = today or timezone.localdate()
    escalate_before = today - timedelta(days=settings.REVIEW_ESCALATE_AFTER_DAYS)
    published = skipped = 0
    with transaction.atomic():
        for assignment in assignments:
            kinds = ["review_due_soon" if assignment.due_date >= today else "review_overdue"]
            if escalate and assignment.due_date <= escalate_before:
                kinds.append("review_escalated")
            for kind in kinds:
                event = events.publish(
                    kind,
                    article_id=assignment.revision.article_id,
                    actor_id=actor_id,
                    assignment_id=assignment.pk,
                    dedupe_key=f"{kind}:{assignment.pk}:{today.isoformat()}",
                )
                published += event is not None
                skipped += event is None
    return published, skipped


def reviewers_remind(*, articles: QuerySet[Article], actor: User) -> tuple[int, int]:
    """Remind the reviewers of the articles' open assignments now; editors only. Return (published, skipped)."""
    if not user_is_editor(actor):
        raise ActionForbidden("Only editors can remind reviewers.")
    assignments = ReviewAssignment.objects.open().filter(revision__article__in=articles).select_related("revision")
    return reminders_publish(assignments=assignments.order_by("pk"), actor_id=actor.pk)


# Board members


def assignment_accept(*, assignment: ReviewAssignment, actor: User) -> ReviewAssignment:
    """Accept a review invitation."""
    with transaction.atomic():
        article, assignment = _lock_assignment(assignment, actor, ASSIGNMENT_RESPOND)
        if refusal := _assignment_refusal(assignment, "accept"):
            raise InvalidTransition(refusal)
        assignment.accept()
        assignment.save(update_fields=["status", "responded_at"])
        events.publish("invitation_accepted", article_id=article.pk, actor_id=actor.pk, assignment_id=assignment.pk)
    return assignment


def _declare_conflict(*, member: BoardMember, article: Article, reason: str) -> ConflictOfInterest:
    conflict, _ = ConflictOfInterest.objects.get_or_create(
        board_member=member, article=article, defaults={"reason": reason}
    )
    return conflict


def _conflict_reason(reason: str, *, declared: bool) -> str:
    """Return the reason cleaned; one is required when a conflict of interest is declared."""
    return text.clean_text(
        reason,
        text.SHORT_REASON,
        field="reason",
        required=declared,
        required_message="Give a reason to declare a conflict of interest.",
    )


def assignment_decline(
    *, assignment: ReviewAssignment, actor: User, reason: str = "", conflict_of_interest: bool = False
) -> ReviewAssignment:
    """Decline a review invitation, declaring a conflict of interest if there is one."""
    reason = _conflict_reason(reason, declared=conflict_of_interest)
    with transaction.atomic():
        article, assignment = _lock_assignment(assignment, actor, ASSIGNMENT_RESPOND)
        if refusal := _assignment_refusal(assignment, "decline"):
            raise InvalidTransition(refusal)
        if conflict_of_interest:
            _declare_conflict(member=assignment.board_member, article=article, reason=reason)
        assignment.decline(reason=reason)
        assignment.save(update_fields=["status", "decline_reason", "responded_at"])
        events.publish("invitation_declined", article_id=article.pk, actor_id=actor.pk, assignment_id=assignment.pk)
    return assignment


def conflict_declare(*, article: Article, actor: User, reason: str) -> ConflictOfInterest:
    """Declare a conflict of interest with an article; any open assignment of the member on it is declined."""
    reason = _conflict_reason(reason, declared=True)
    with transaction.atomic():
        member = board_member_of(actor)
        if member is None:
            raise ActionForbidden("Only active board members declare conflicts of interest.")
        article = Article.objects.select_for_update(of=("self",)).get(pk=article.pk)
        conflict = _declare_conflict(member=member, article=article, reason=reason)
        open_assignments = ReviewAssignment.objects.open().filter(board_member=member, revision__article=article)
        for assignment in open_assignments.select_for_update(of=("self",)):
            assignment.decline(reason=reason)
            assignment.save(update_fields=["status", "decline_reason", "responded_at"])
            events.publish("invitation_declined", article_id=article.pk, actor_id=actor.pk, assignment_id=assignment.pk)
    return conflict


def _checklist_answers(
    items: list[ChecklistItem], given: Mapping[object, Mapping[str, object]], *, decision: str, errors: text.FieldErrors
) -> list[ChecklistAnswer]:
    """Return the answers to ``items`` (unsaved) from ``given`` (by item id), recording each problem by item position.

    Every required item is answered; an approval with "no" to a required item explains it in a note.
    """
    by_id = {str(key): value for key, value in given.items()}
    known = {str(item.pk) for item in items}
    for unknown in sorted(set(by_id) - known):
        errors.add("checklist", f"There is no checklist item {unknown} for this article.", "unknown_item")
    answers = []
    for position, item in enumerate(items):
        raw = by_id.get(str(item.pk)) or {}
        answer = raw.get("answer") or ""
        note = errors.text(raw.get("note", ""), text.CHECKLIST_NOTE, field="checklist.note", index=position)
        if answer not in ChecklistAnswerChoice.values:
            if answer or item.required:
                errors.add(
                    "checklist.answer", f"Answer “{item.text}”: yes, no or not applicable.", "required", position
                )
            continue
        if decision == Decision.APPROVE and item.required and answer == ChecklistAnswerChoice.NO and not note:
            errors.add(
                "checklist.note",
                f"You answered “no” to “{item.text}”: say why in a note before you approve.",
                "note_required",
                position,
            )
        answers.append(
            ChecklistAnswer(
                item=item, item_text=item.text, required=item.required, position=position, answer=answer, note=note
            )
        )
    return answers


def review_submit(
    *,
    assignment: ReviewAssignment,
    actor: User,
    decision: str,
    comments_to_author: str = "",
    confidential_comments: str = "",
    checklist: Mapping[object, Mapping[str, object]] | None = None,
) -> Review:
    """Record a board member's decision on the exact revision assigned, with the checklist's answers; apply the policy.

    A request for changes returns the article to its authors at once; approvals approve it when
    the approval policy is met. A recommendation to reject is for the editors to act on. ``checklist``
    maps each checklist item's id to its answer ("yes", "no", "na") and note.
    """
    errors = text.FieldErrors()
    if decision not in Decision.values:
        errors.add("decision", f"Choose a decision: {', '.join(Decision.labels).lower()}.", "required")
    items = list(checklist_items(specialty_id=assignment.revision.article.specialty_id))
    answers = _checklist_answers(items, checklist or {}, decision=decision, errors=errors)
    to_author = errors.text(
        comments_to_author,
        text.COMMENTS_TO_AUTHOR,
        field="comments_to_author",
        required=decision in (Decision.REQUEST_CHANGES, Decision.RECOMMEND_REJECTION),
        required_message="Tell the authors what to change: comments to the author are required.",
    )
    confidential = errors.text(confidential_comments, text.CONFIDENTIAL_COMMENTS, field="confidential_comments")
    errors.raise_if_any()
    with transaction.atomic():
        article, assignment = _lock_assignment(assignment, actor, ASSIGNMENT_RESPOND)
        if refusal := _assignment_refusal(assignment, "complete"):
            raise InvalidTransition(refusal)
        review_round = assignment.review_round
        if article.state != S.UNDER_REVIEW or not review_round.is_open:
            raise InvalidTransition("This revision is no longer under review.")
        review = Review.objects.create(
            assignment=assignment, decision=decision, comments_to_author=to_author, confidential_comments=confidential
        )
        for answer in answers:
            answer.review = review
        ChecklistAnswer.objects.bulk_create(answers)
        assignment.complete()
        assignment.save(update_fields=["status", "completed_at"])
        events.publish("review_submitted", article_id=article.pk, actor_id=actor.pk, review_id=review.pk)

        revision = assignment.revision
        if decision == Decision.REQUEST_CHANGES:
            _transition(article=article, name="request_changes", actor=actor, revision=revision)
        elif decision == Decision.APPROVE:
            outcome = approval_outcome(review_round=review_round)
            if outcome.met:
                _transition(
                    article=article,
                    name="approve",
                    actor=actor,
                    revision=revision,
                    reason=outcome.reason,
                    reviewed=revision,
                    when=timezone.now(),
                )
    return review


def review_rate(*, review: Review, actor: User, rating: object) -> ReviewRating:
    """Rate a review from 1 to 5 (editors only; seen by editors only); rating again replaces the rating."""
    if not user_can_rate_reviews(actor):
        raise ActionForbidden("Only editors rate reviews.")
    try:
        value = int(str(rating))
    except (TypeError, ValueError):
        value = 0
    if not 1 <= value <= 5:
        raise ValidationFailed.one("rating", "Rate the review from 1 (poor) to 5 (excellent).", "invalid")
    with transaction.atomic():
        review = Review.objects.select_related("assignment").get(pk=review.pk)
        result, _ = ReviewRating.objects.update_or_create(
            review=review, defaults={"rating": value, "rated_by": actor, "rated_at": timezone.now()}
        )
    return result
