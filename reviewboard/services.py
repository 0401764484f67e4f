"""Every workflow action. Each one locks the article row, checks permission, applies the
transition, saves, logs it, and queues its side effects for after the commit."""

from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import can_proceed

from articles.exceptions import ActionForbidden, InvalidTransition, ValidationFailed
from articles.models import Article, ArticleState
from articles.services import revision_content, revision_write
from articles.validation import revision_errors
from reviewboard import events
from reviewboard.models import (
    AssignmentStatus,
    BoardMember,
    ConflictOfInterest,
    Decision,
    Review,
    ReviewAssignment,
    TransitionLogEntry,
)
from reviewboard.permissions import (
    board_member_of,
    require,
    user_can_assign,
    user_can_decide,
    user_can_respond,
    user_can_revise,
    user_can_submit,
    user_can_withdraw,
)
from reviewboard.policy import approval_outcome
from reviewboard.selectors import reviewer_suggestions

S = ArticleState


def _lock(article: Article) -> Article:
    """Return a fresh copy of the article with its row locked until the transaction ends."""
    return Article.objects.select_for_update().get(pk=article.pk)


def _transition(
    *, article: Article, name: str, actor, reason: str = "", reason_required: bool = False, revision=None, **kwargs
) -> None:
    """Apply transition ``name``, save and log it. Caller holds the row lock."""
    method = getattr(article, name)
    if not can_proceed(method):
        raise InvalidTransition(
            f"You cannot {name.replace('_', ' ')} an article that is {article.get_state_display().lower()}."
        )
    reason = (reason or "").strip()
    if reason_required and not reason:
        raise ValidationFailed([f"Give a reason to {name.replace('_', ' ')}."])
    from_state = article.state
    method(**kwargs)
    article.save()
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


def _require_reason(reason: str, action: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed([f"Give a reason to {action}."])
    return reason


def _cancel_open_assignments(article: Article) -> None:
    ReviewAssignment.objects.open().filter(revision__article=article).update(status=AssignmentStatus.CANCELLED)


# Authors


def article_submit(*, article: Article, actor) -> Article:
    """Submit the article's current revision for review (a draft, or a revision after changes)."""
    with transaction.atomic():
        article = _lock(article)
        require(user_can_submit(actor, article), "Only the article's authors can submit it.")
        if article.state not in (S.DRAFT, S.CHANGES_REQUESTED):
            raise InvalidTransition(f"The article is already {article.get_state_display().lower()}.")
        if article.current_revision is None:
            raise InvalidTransition("The article has no revision to submit yet.")
        if (
            article.state == S.CHANGES_REQUESTED
            and Review.objects.filter(
                assignment__revision_id=article.current_revision_id, decision=Decision.REQUEST_CHANGES
            ).exists()
        ):
            raise InvalidTransition(
                "Reviewers asked for changes to this revision: edit the article to address their feedback, "
                "then resubmit the new revision."
            )
        errors = revision_errors(article.current_revision)
        if errors:
            raise ValidationFailed(errors)
        name = "submit" if article.state == S.DRAFT else "resubmit"
        _transition(article=article, name=name, actor=actor)
    return article


def article_withdraw(*, article: Article, actor, reason: str) -> Article:
    """Take a submitted or in-review article back to draft, cancelling its open reviews."""
    with transaction.atomic():
        article = _lock(article)
        require(user_can_withdraw(actor, article), "Only the article's authors can withdraw it.")
        _transition(article=article, name="withdraw", actor=actor, reason=reason, reason_required=True)
        _cancel_open_assignments(article)
    return article


def article_revise(*, article: Article, actor, reason: str = "") -> Article:
    """Open a new draft of an approved article; readers keep the approved revision meanwhile."""
    with transaction.atomic():
        article = _lock(article)
        require(user_can_revise(actor, article), "Only the article's authors or an editor can revise it.")
        _transition(article=article, name="revise", actor=actor, reason=reason)
    return article


# Editors


def _default_due_date() -> date:
    return timezone.localdate() + timedelta(days=settings.REVIEW_DUE_DAYS)


def _assign(*, article: Article, board_member: BoardMember, actor, due_date: date | None) -> ReviewAssignment:
    """Invite one board member to review the current revision. Caller holds the row lock."""
    if article.state not in (S.SUBMITTED, S.UNDER_REVIEW):
        raise InvalidTransition(
            f"Reviewers are assigned to submitted articles; this one is {article.get_state_display().lower()}."
        )
    if not board_member.active or not board_member.user.is_active:
        raise ValidationFailed([f"{board_member.display_name} is not an active board member."])
    if article.authors.filter(pk=board_member.user_id).exists():
        raise ValidationFailed([f"{board_member.display_name} is an author of this article and cannot review it."])
    if article.conflicts.filter(board_member=board_member).exists():
        raise ValidationFailed([f"{board_member.display_name} declared a conflict of interest with this article."])
    if due_date is not None and due_date < timezone.localdate():
        raise ValidationFailed(["The due date is in the past."])
    try:
        with transaction.atomic():
            assignment = ReviewAssignment.objects.create(
                revision_id=article.current_revision_id,
                board_member=board_member,
                due_date=due_date or _default_due_date(),
                assigned_by=actor,
            )
    except IntegrityError:
        raise ValidationFailed([f"{board_member.display_name} is already assigned to this revision."]) from None
    events.publish("reviewer_invited", article_id=article.pk, actor_id=actor.pk, assignment_id=assignment.pk)
    if article.state == S.SUBMITTED:
        _transition(article=article, name="start_review", actor=actor)
    return assignment


def assignment_create(
    *, article: Article, board_member: BoardMember, actor, due_date: date | None = None
) -> ReviewAssignment:
    """Assign a board member to the revision under review; the first assignment opens review."""
    with transaction.atomic():
        article = _lock(article)
        require(user_can_assign(actor, article), "Only editors can assign reviewers.")
        return _assign(article=article, board_member=board_member, actor=actor, due_date=due_date)


def assignments_auto(*, article: Article, actor, count: int | None = None) -> list[ReviewAssignment]:
    """Assign the best eligible board members: specialty first, then lowest open load.

    Without ``count``, assigns as many as the quorum still needs; at least one of them holds the
    article's specialty when any eligible member does.
    """
    with transaction.atomic():
        article = _lock(article)
        require(user_can_assign(actor, article), "Only editors can assign reviewers.")
        return _auto_assign(article=article, actor=actor, count=count)


def _auto_assign(*, article: Article, actor, count: int | None) -> list[ReviewAssignment]:
    """Assign the best eligible members. Caller holds the row lock and has checked permission."""
    live = ReviewAssignment.objects.live().filter(revision_id=article.current_revision_id).count()
    wanted = count if count is not None else max(settings.REVIEW_QUORUM - live, 0)
    eligible = [s for s in reviewer_suggestions(article=article) if s.eligible]
    if wanted and not eligible:
        raise ValidationFailed(["No eligible board member is free to review this article."])
    return [
        _assign(article=article, board_member=s.board_member, actor=actor, due_date=None) for s in eligible[:wanted]
    ]


def article_rereview_open(*, article: Article, actor, reason: str = "Periodic re-review") -> Article:
    """Open a review round on an approved article's text; readers keep the approved revision meanwhile.

    The approved revision's content becomes a new revision, submitted and, where board members are
    free, assigned to them. With nobody eligible the round waits in "submitted" for an editor.
    """
    with transaction.atomic():
        article = _lock(article)
        require(user_can_decide(actor, article), "Only editors can open a re-review.")
        if article.state != S.APPROVED:
            raise InvalidTransition(
                f"Only approved articles are re-reviewed; this one is {article.get_state_display().lower()}."
            )
        _transition(article=article, name="revise", actor=actor, reason=reason)
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


def system_actor():
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


def assignment_cancel(*, assignment: ReviewAssignment, actor, reason: str = "") -> ReviewAssignment:
    """Cancel an open assignment (unassign the reviewer)."""
    with transaction.atomic():
        _lock(assignment.revision.article)
        assignment = ReviewAssignment.objects.select_for_update().get(pk=assignment.pk)
        require(user_can_assign(actor, assignment.revision.article), "Only editors can unassign reviewers.")
        if not assignment.is_open:
            raise InvalidTransition(f"This assignment is already {assignment.get_status_display().lower()}.")
        assignment.status = AssignmentStatus.CANCELLED
        assignment.decline_reason = reason
        assignment.save(update_fields=["status", "decline_reason"])
        events.publish(
            "assignment_cancelled",
            article_id=assignment.revision.article_id,
            actor_id=actor.pk,
            assignment_id=assignment.pk,
        )
    return assignment


def article_reject(*, article: Article, actor, reason: str) -> Article:
    """Reject the submission, with a reason; open reviews are cancelled."""
    with transaction.atomic():
        article = _lock(article)
        require(user_can_decide(actor, article), "Only editors can reject an article.")
        _transition(article=article, name="reject", actor=actor, reason=reason, reason_required=True)
        _cancel_open_assignments(article)
    return article


def article_retract(*, article: Article, actor, reason: str) -> Article:
    """Withdraw an approved article from readers, with a reason."""
    with transaction.atomic():
        article = _lock(article)
        require(user_can_decide(actor, article), "Only editors can retract an article.")
        _transition(
            article=article, name="retract", actor=actor, reason=reason, reason_required=True, when=timezone.now()
        )
    return article


def article_reopen(*, article: Article, actor, reason: str) -> Article:
    """Bring a rejected or retracted article back to draft, with a reason."""
    with transaction.atomic():
        article = _lock(article)
        require(user_can_decide(actor, article), "Only editors can reopen an article.")
        _transition(article=article, name="reopen", actor=actor, reason=reason, reason_required=True)
    return article


# Board members


def _lock_assignment(assignment: ReviewAssignment, actor) -> tuple[Article, ReviewAssignment]:
    article = _lock(assignment.revision.article)
    assignment = ReviewAssignment.objects.select_for_update().select_related("board_member").get(pk=assignment.pk)
    require(user_can_respond(actor, assignment), "Only the invited board member can answer this invitation.")
    return article, assignment


def assignment_accept(*, assignment: ReviewAssignment, actor) -> ReviewAssignment:
    """Accept a review invitation."""
    with transaction.atomic():
        article, assignment = _lock_assignment(assignment, actor)
        if assignment.status != AssignmentStatus.INVITED:
            raise InvalidTransition(f"This invitation is already {assignment.get_status_display().lower()}.")
        assignment.status = AssignmentStatus.ACCEPTED
        assignment.responded_at = timezone.now()
        assignment.save(update_fields=["status", "responded_at"])
        events.publish("invitation_accepted", article_id=article.pk, actor_id=actor.pk, assignment_id=assignment.pk)
    return assignment


def assignment_decline(
    *, assignment: ReviewAssignment, actor, reason: str = "", conflict_of_interest: bool = False
) -> ReviewAssignment:
    """Decline a review invitation, declaring a conflict of interest if there is one."""
    with transaction.atomic():
        article, assignment = _lock_assignment(assignment, actor)
        if not assignment.is_open:
            raise InvalidTransition(f"This invitation is already {assignment.get_status_display().lower()}.")
        if conflict_of_interest:
            reason = _require_reason(reason, "declare a conflict of interest")
            ConflictOfInterest.objects.get_or_create(
                board_member=assignment.board_member, article=article, defaults={"reason": reason}
            )
        assignment.status = AssignmentStatus.DECLINED
        assignment.decline_reason = reason
        assignment.responded_at = timezone.now()
        assignment.save(update_fields=["status", "decline_reason", "responded_at"])
        events.publish("invitation_declined", article_id=article.pk, actor_id=actor.pk, assignment_id=assignment.pk)
    return assignment


def conflict_declare(*, article: Article, actor, reason: str) -> ConflictOfInterest:
    """Declare a conflict of interest with an article; any open assignment on it is declined."""
    with transaction.atomic():
        article = _lock(article)
        member = board_member_of(actor)
        if member is None:
            raise ActionForbidden("Only active board members declare conflicts of interest.")
        reason = _require_reason(reason, "declare a conflict of interest")
        conflict, _ = ConflictOfInterest.objects.get_or_create(
            board_member=member, article=article, defaults={"reason": reason}
        )
        ReviewAssignment.objects.open().filter(board_member=member, revision__article=article).update(
            status=AssignmentStatus.DECLINED, decline_reason=reason, responded_at=timezone.now()
        )
    return conflict


def review_submit(
    *,
    assignment: ReviewAssignment,
    actor,
    decision: str,
    comments_to_author: str = "",
    confidential_comments: str = "",
) -> Review:
    """Record a board member's decision on the exact revision assigned, then apply the policy.

    A request for changes returns the article to its authors at once; approvals approve it when
    the approval policy is met. A recommendation to reject is for the editors to act on.
    """
    if decision not in Decision.values:
        raise ValidationFailed([f"Choose a decision: {', '.join(Decision.labels).lower()}."])
    if decision != Decision.APPROVE and not comments_to_author.strip():
        raise ValidationFailed(["Tell the authors what to change: comments to the author are required."])
    with transaction.atomic():
        article, assignment = _lock_assignment(assignment, actor)
        if assignment.status == AssignmentStatus.INVITED:
            raise InvalidTransition("Accept the invitation before you submit a review.")
        if assignment.status != AssignmentStatus.ACCEPTED:
            raise InvalidTransition(
                f"This assignment is {assignment.get_status_display().lower()}; it takes no review."
            )
        if article.state != S.UNDER_REVIEW or assignment.revision_id != article.current_revision_id:
            raise InvalidTransition("This revision is no longer under review.")
        review = Review.objects.create(
            assignment=assignment,
            decision=decision,
            comments_to_author=comments_to_author,
            confidential_comments=confidential_comments,
        )
        assignment.status = AssignmentStatus.COMPLETED
        assignment.completed_at = timezone.now()
        assignment.save(update_fields=["status", "completed_at"])
        events.publish("review_submitted", article_id=article.pk, actor_id=actor.pk, review_id=review.pk)

        revision = assignment.revision
        if decision == Decision.REQUEST_CHANGES:
            _transition(article=article, name="request_changes", actor=actor, revision=revision)
            _cancel_open_assignments(article)
        elif decision == Decision.APPROVE:
            outcome = approval_outcome(revision=revision)
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
                _cancel_open_assignments(article)
    return review
