"""The editor's workspace: queues per state, and each article's assignments, decisions and timeline."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from articles.exceptions import InvalidTransition, ValidationFailed
from articles.models import Article, ArticleState, Specialty
from articles.people import person_name
from articles.selectors import article_revisions
from reviewboard import services
from reviewboard.actions import available_actions
from reviewboard.models import ReviewAssignment
from reviewboard.permissions import (
    ASSIGNMENT_CANCEL,
    EDITORIAL,
    access_article,
    access_assignment,
    board_member_of,
    user_is_editor,
)
from reviewboard.selectors import (
    article_rounds,
    article_timeline,
    articles_per_state,
    checklist_comparison,
    editorial_articles,
    open_review_counts,
    reviewer_suggestions,
)
from reviewboard.workspaces.diff import revision_diff
from reviewboard.workspaces.forms import AssignForm, RatingForm, ReasonForm, place_errors
from reviewboard.workspaces.paging import keyset_page
from reviewboard.workspaces.threads import reviewed_text
from reviewboard.workspaces.views.guards import editor_required, perform

S = ArticleState
# The queues an editor works through; in the first three, work waits and the longest wait comes first.
QUEUE_ORDER = [S.SUBMITTED, S.UNDER_REVIEW, S.CHANGES_REQUESTED, S.DRAFT, S.APPROVED, S.REJECTED, S.RETRACTED]
WAITING = {S.SUBMITTED, S.UNDER_REVIEW, S.CHANGES_REQUESTED}
PAGE_SIZE = 25


@editor_required
def dashboard(request):
    """Show one queue (a state) at a time, a page at a time, with every queue's count; filter by specialty."""
    specialty = request.GET.get("specialty") or None
    counts_of = editorial_articles(specialty=specialty) if specialty else None
    counts = articles_per_state(articles=counts_of)
    state = request.GET.get("state")
    if state not in counts:
        state = next((s for s in QUEUE_ORDER if counts[s]), S.SUBMITTED)
    queue = editorial_articles(state=state, specialty=specialty)
    page = keyset_page(queue, oldest_first=state in WAITING, after=request.GET.get("after"), size=PAGE_SIZE)
    open_reviews = open_review_counts(articles=page.rows)
    context = {
        "queues": [(s.label, s.value, counts[s]) for s in QUEUE_ORDER],
        "state": S(state),
        "total": counts[state],
        "page": page,
        "rows": [(article, open_reviews.get(article.pk, 0)) for article in page.rows],
        "specialties": Specialty.objects.order_by("name"),
        "specialty": specialty,
        "query": urlencode({"state": state, **({"specialty": specialty} if specialty else {})}),
    }
    return render(request, "workspaces/editor/dashboard.html", context)


def _article(request, slug: str) -> Article:
    return access_article(request.user, purpose=EDITORIAL, slug=slug)


class _Roles:
    """Names each person of an article's timeline by their role in it: author, board member, editor."""

    def __init__(self, article):
        self.author_ids = set(article.authors.values_list("pk", flat=True))
        self.known: dict[int, str] = {}

    def __call__(self, user) -> str:
        if user.pk not in self.known:
            if user.pk in self.author_ids:
                role = "author"
            elif user_is_editor(user):
                role = "editor"
            elif board_member_of(user) is not None:
                role = "board member"
            else:
                role = "staff"
            self.known[user.pk] = role
        return self.known[user.pk]


def _timeline(article, revisions, assignments, transitions) -> list[dict]:
    """Merge revisions, assignments, reviews and transitions into one list, oldest first, naming who did each."""
    role = _Roles(article)
    entries = [
        {
            "when": r.created_at,
            "kind": "revision",
            "title": f"Revision {r.number} saved",
            "who": person_name(r.created_by),
            "role": role(r.created_by),
            "body": r.change_note,
        }
        for r in revisions
    ]
    for a in assignments:
        entries.append(
            {
                "when": a.created_at,
                "kind": "assignment",
                "title": f"{a.board_member.display_name}, {a.board_member.credentials}, "
                f"invited to review revision {a.revision.number}",
                "who": person_name(a.assigned_by) if a.assigned_by_id else "",
                "role": role(a.assigned_by) if a.assigned_by_id else "",
                "body": f"Now {a.get_status_display().lower()}; due {a.due_date:%B %-d, %Y}."
                + (f" Reason: {a.decline_reason}" if a.decline_reason else ""),
            }
        )
        review = getattr(a, "review", None)
        if review is not None:
            entries.append(
                {
                    "when": review.created_at,
                    "kind": "review",
                    "title": f"Review: {review.get_decision_display()}",
                    "who": f"{a.board_member.display_name}, {a.board_member.credentials}",
                    "role": "board member",
                    "body": review.comments_to_author,
                    "confidential": review.confidential_comments,
                }
            )
    for t in transitions:
        entries.append(
            {
                "when": t.created_at,
                "kind": "transition",
                "title": f"{t.get_from_state_display()} → {t.get_to_state_display()} "
                f"({t.transition.replace('_', ' ')})",
                "who": person_name(t.actor) if t.actor_id else "The system",
                "role": role(t.actor) if t.actor_id else "",
                "body": t.reason,
            }
        )
    return sorted(entries, key=lambda e: e["when"])


@editor_required
def article_detail(request, slug):
    """Show an article with its reviewers, the assigner's suggestions, decisions and its full timeline."""
    return _article_page(request, _article(request, slug))


def _article_page(request, article, *, assign_form=None, status=200):
    """Render the editor's article page; ``assign_form`` carries a failed assignment's errors to its fields."""
    revisions = list(article_revisions(article=article))
    assignments = list(
        ReviewAssignment.objects.filter(revision__article=article)
        .select_related("revision", "board_member__user", "review__rating", "assigned_by")
        .order_by("-revision__number", "due_date", "pk")
    )
    actions = available_actions(request.user, article)
    assigning = any(action.name == "assign" for action in actions)
    suggestions = reviewer_suggestions(article=article) if assigning else []
    eligible = [s.board_member for s in suggestions if s.eligible]
    if assign_form is None:
        assign_form = AssignForm()
    assign_form.offer(eligible)
    return render(
        request,
        "workspaces/editor/article.html",
        {
            "article": article,
            "assignments": assignments,
            "assigning": assigning,
            "suggestions": [s for s in suggestions if s.eligible],
            "unavailable": [s for s in suggestions if not s.eligible],
            "assign_form": assign_form,
            "changes": _changes_since_approved(article),
            "reason_form": ReasonForm(),
            "actions": actions,
            "text": reviewed_text(user=request.user, article=article),
            "checklists": checklist_comparison(article=article),
            "rounds": article_rounds(article=article),
            "back": request.path,
            "timeline": _timeline(article, revisions, assignments, article_timeline(article=article)),
        },
        status=status,
    )


def _changes_since_approved(article):
    """Return what the revision under review (or the current one) changes in what readers see, if they see any."""
    newer = article.submitted_revision if article.accepts_reviewers else article.current_revision
    if article.approved_revision_id is None or newer is None or newer.pk == article.approved_revision_id:
        return None
    return revision_diff(article.approved_revision, newer)


@require_POST
@editor_required
def assign(request, slug):
    article = _article(request, slug)
    form = AssignForm(request.POST)
    if form.is_valid():
        try:
            services.assignment_create(article=article, actor=request.user, **form.cleaned_data)
        except ValidationFailed as error:
            place_errors(error, form=form, section_forms=[], reference_forms=[])
        except InvalidTransition as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, f"{form.cleaned_data['board_member'].display_name} is invited to review.")
            return redirect("workspaces:editor_article", article.slug)
    return _article_page(request, article, assign_form=form, status=400)


@require_POST
@editor_required
def auto_assign(request, slug):
    article = _article(request, slug)
    perform(request, services.assignments_auto, "Reviewers assigned automatically.", article=article)
    return redirect("workspaces:editor_article", article.slug)


@require_POST
@editor_required
def assignment_cancel(request, slug, assignment_id):
    article = _article(request, slug)
    assignment = access_assignment(request.user, assignment_id, purpose=ASSIGNMENT_CANCEL, article=article)
    form = ReasonForm(request.POST)
    form.is_valid()
    perform(
        request,
        services.assignment_cancel,
        "Assignment cancelled; the reviewer is told.",
        assignment=assignment,
        reason=form.cleaned_data.get("reason", ""),
    )
    return redirect("workspaces:editor_article", article.slug)


@require_POST
@editor_required
def rate_review(request, slug, assignment_id):
    """Rate the review of an assignment of the article, 1 to 5; the rating is for editors only."""
    article = _article(request, slug)
    assignment = access_assignment(request.user, assignment_id, article=article)
    form = RatingForm(request.POST)
    form.is_valid()  # it parses; the service decides
    review = getattr(assignment, "review", None)
    if review is None:
        messages.error(request, "There is no review to rate yet.")
    else:
        perform(request, services.review_rate, "Rating saved.", review=review, rating=form.cleaned_data.get("rating"))
    return redirect("workspaces:editor_article", article.slug)
