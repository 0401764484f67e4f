"""The board member's workspace: invitations, the queue by due date, and the review page."""

from django.contrib import messages
from django.db.models import Prefetch, prefetch_related_objects
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from articles.exceptions import InvalidTransition, ValidationFailed
from articles.forms import add_field_errors
from articles.models import Reference, Revision
from reviewboard import services
from reviewboard.models import AssignmentStatus
from reviewboard.permissions import (
    ASSIGNMENT_RESPOND,
    ASSIGNMENT_VIEW,
    access_assignment,
    board_member_of,
    user_can_respond,
)
from reviewboard.selectors import (
    checklist_items,
    letter_replies,
    open_assignments_for,
    reviewed_before,
    round_reviews_for_reviewer,
)
from reviewboard.workspaces.diff import revision_diff
from reviewboard.workspaces.forms import DecisionForm, DeclineForm
from reviewboard.workspaces.threads import commented_text
from reviewboard.workspaces.views.author import revision_page_context
from reviewboard.workspaces.views.guards import board_member_required, perform


def _assignment_for(user, assignment_id: int, purpose: str = ASSIGNMENT_VIEW):
    """Return the assignment if it is ``user``'s (or ``user`` edits); 404 otherwise."""
    return access_assignment(user, assignment_id, purpose=purpose)


@board_member_required
def dashboard(request):
    """Show my invitations and my accepted reviews, most urgent first."""
    member = board_member_of(request.user)
    assignments = list(open_assignments_for(board_member=member))
    completed = (
        member.assignments.filter(status=AssignmentStatus.COMPLETED)
        .select_related("revision__article", "review")
        .order_by("-completed_at")[:10]
    )
    return render(
        request,
        "workspaces/board/dashboard.html",
        {
            "member": member,
            "invitations": [a for a in assignments if a.status == AssignmentStatus.INVITED],
            "queue": [a for a in assignments if a.status == AssignmentStatus.ACCEPTED],
            "completed": completed,
            "decline_form": DeclineForm(),
            "today": timezone.localdate(),
        },
    )


def _with_references(revision_id):
    return (
        Revision.objects.filter(pk=revision_id)
        .prefetch_related(Prefetch("references", queryset=Reference.objects.order_by("number")))
        .first()
    )


def _review_page(request, assignment, decision_form, status=200):
    article = assignment.revision.article
    revision = assignment.revision  # read with the assignment; its references once more, in order
    prefetch_related_objects([revision], Prefetch("references", queryset=Reference.objects.order_by("number")))
    # The diff against the revision this member reviewed in an earlier round; else against what readers see.
    earlier = reviewed_before(assignment=assignment)
    base_id = earlier.revision_id if earlier else article.approved_revision_id
    base = _with_references(base_id) if base_id and base_id != revision.pk else None
    text = commented_text(user=request.user, article=article, revision=revision)
    review_round = assignment.review_round
    context = {
        "assignment": assignment,
        "article": article,
        "approved": base,
        "earlier": earlier,
        "review_round": assignment.review_round,
        "round_reviews": round_reviews_for_reviewer(assignment=assignment),
        "changes": revision_diff(base, revision) if base else None,
        "can_respond": user_can_respond(request.user, assignment),
        "decision_form": decision_form,
        "decline_form": DeclineForm(),
        "text": text,
        "letter_replies": (
            letter_replies(user=request.user, article=article, review_round=review_round, rights=text.rights)
            if review_round.number > 1
            else []
        ),
        "back": request.path,
        **revision_page_context(revision, "patient"),
    }
    return render(request, "workspaces/board/assignment.html", context, status=status)


@board_member_required
def assignment_detail(request, assignment_id):
    """Show the exact revision assigned, its changes since the approved one, and the decision form."""
    assignment = _assignment_for(request.user, assignment_id)
    return _review_page(request, assignment, DecisionForm(items=_checklist(assignment)))


def _checklist(assignment):
    return checklist_items(specialty_id=assignment.revision.article.specialty_id)


def _confirmation(request, assignment, *, answer: str, form=None, status=200):
    """Show the page that asks the board member to confirm an answer to the invitation (the email's links)."""
    context = {"assignment": assignment, "answer": answer, "decline_form": form or DeclineForm()}
    return render(request, "workspaces/board/confirm.html", context, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
@board_member_required
def assignment_accept(request, assignment_id):
    """Accept the invitation; a GET (the email's Accept link) only asks to confirm."""
    assignment = _assignment_for(request.user, assignment_id, ASSIGNMENT_RESPOND)
    if request.method != "POST":
        return _confirmation(request, assignment, answer="accept")
    perform(request, services.assignment_accept, "Invitation accepted.", assignment=assignment)
    return redirect("workspaces:board_assignment", assignment.pk)


@require_http_methods(["GET", "HEAD", "POST"])
@board_member_required
def assignment_decline(request, assignment_id):
    """Decline the invitation; a GET (the email's Decline link) only asks to confirm, with the reason."""
    assignment = _assignment_for(request.user, assignment_id, ASSIGNMENT_RESPOND)
    if request.method != "POST":
        return _confirmation(request, assignment, answer="decline")
    form = DeclineForm(request.POST)
    form.is_valid()
    try:
        services.assignment_decline(
            assignment=assignment,
            actor=request.user,
            reason=form.cleaned_data.get("reason", ""),
            conflict_of_interest=form.cleaned_data.get("conflict_of_interest", False),
        )
    except ValidationFailed as error:
        add_field_errors(form, error)
        return _confirmation(request, assignment, answer="decline", form=form, status=400)
    except InvalidTransition as error:
        messages.error(request, error.message)
        return redirect("workspaces:board")
    messages.success(request, "Invitation declined.")
    return redirect("workspaces:board")


@require_POST
@board_member_required
def assignment_decide(request, assignment_id):
    """Record my decision on the assigned revision."""
    assignment = _assignment_for(request.user, assignment_id, ASSIGNMENT_RESPOND)
    form = DecisionForm(request.POST, items=_checklist(assignment))
    if form.is_valid():
        try:
            services.review_submit(assignment=assignment, actor=request.user, **form.review())
        except ValidationFailed as error:
            form.place(error)
        except InvalidTransition as error:
            messages.error(request, error.message)
            return redirect("workspaces:board_assignment", assignment.pk)
        else:
            messages.success(request, "Thank you: your review is recorded.")
            return redirect("workspaces:board")
    # Re-show the page with the errors beside their fields.
    return _review_page(request, assignment, form, status=400)
