"""The board member's workspace: invitations, the queue by due date, and the review page."""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from articles.exceptions import ActionForbidden
from articles.models import Reference, Revision
from reviewboard import services
from reviewboard.models import AssignmentStatus
from reviewboard.permissions import access_assignment, board_member_of, user_can_respond
from reviewboard.selectors import open_assignments_for
from reviewboard.workspaces.diff import revision_diff
from reviewboard.workspaces.forms import DecisionForm, DeclineForm
from reviewboard.workspaces.views.author import revision_page_context
from reviewboard.workspaces.views.guards import board_member_required, perform


def _assignment_for(user, assignment_id: int):
    """Return the assignment if it is ``user``'s (or ``user`` edits); 404 otherwise."""
    try:
        return access_assignment(user, assignment_id)
    except ActionForbidden:
        raise Http404("No such review assignment for you.") from None


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
    revision = _with_references(assignment.revision_id)
    approved = None
    if article.approved_revision_id and article.approved_revision_id != revision.pk:
        approved = _with_references(article.approved_revision_id)
    context = {
        "assignment": assignment,
        "article": article,
        "approved": approved,
        "changes": revision_diff(approved, revision) if approved else None,
        "can_respond": user_can_respond(request.user, assignment),
        "decision_form": decision_form,
        "decline_form": DeclineForm(),
        **revision_page_context(revision, "patient"),
    }
    return render(request, "workspaces/board/assignment.html", context, status=status)


@board_member_required
def assignment_detail(request, assignment_id):
    """Show the exact revision assigned, its changes since the approved one, and the decision form."""
    return _review_page(request, _assignment_for(request.user, assignment_id), DecisionForm())


@require_POST
@board_member_required
def assignment_accept(request, assignment_id):
    assignment = _assignment_for(request.user, assignment_id)
    perform(request, services.assignment_accept, "Invitation accepted.", assignment=assignment)
    return redirect("workspaces:board_assignment", assignment.pk)


@require_POST
@board_member_required
def assignment_decline(request, assignment_id):
    assignment = _assignment_for(request.user, assignment_id)
    form = DeclineForm(request.POST)
    form.is_valid()
    perform(
        request,
        services.assignment_decline,
        "Invitation declined.",
        assignment=assignment,
        reason=form.cleaned_data.get("reason", ""),
        conflict_of_interest=form.cleaned_data.get("conflict_of_interest", False),
    )
    return redirect("workspaces:board")


@require_POST
@board_member_required
def assignment_decide(request, assignment_id):
    """Record my decision on the assigned revision."""
    assignment = _assignment_for(request.user, assignment_id)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        # Re-show the page with the form's errors beside its fields.
        return _review_page(request, assignment, form, status=400)
    if perform(
        request,
        services.review_submit,
        "Thank you: your review is recorded.",
        assignment=assignment,
        **form.cleaned_data,
    ):
        return redirect("workspaces:board")
    return redirect("workspaces:board_assignment", assignment.pk)
