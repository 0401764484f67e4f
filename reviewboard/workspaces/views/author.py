"""The author's workspace: my articles, the structured editor, preview, history, submit and withdraw."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.views.decorators.http import require_POST

from articles.exceptions import InvalidTransition, ValidationFailed
from articles.models import Article, ArticleState, Reference, ReferenceKind, Revision
from articles.presentation import body_html, revision_body_html
from articles.rendering import render_markdown
from articles.selectors import article_revisions
from articles.services import (
    REFERENCE_FIELDS,
    RevisionContent,
    article_create,
    clean_content,
    revision_content as saved_content,
    revision_create,
)
from articles.validation import revision_errors
from reviewboard import actions, services
from reviewboard.actions import available_actions
from reviewboard.permissions import AUTHOR_VIEW, access_article
from reviewboard.selectors import (
    article_rounds,
    article_timeline,
    articles_per_state,
    author_feedback,
    authored_articles,
    name_reviewers,
    names_shown_to,
    shown_name,
)
from reviewboard.workspaces.diff import revision_diff
from reviewboard.workspaces.forms import DraftEditor, ReasonForm, ResubmitForm
from reviewboard.workspaces.threads import reviewed_text
from reviewboard.workspaces.views.guards import author_required, perform

AUDIENCES = {"patient": "Patient or caregiver", "professional": "Healthcare professional"}


def _article_for(user, slug: str) -> Article:
    """Return the article if ``user`` may work on it as an author (or editor); 404 otherwise."""
    return access_article(user, purpose=AUTHOR_VIEW, slug=slug)


def _revision(article: Article, number) -> Revision:
    revisions = article.revisions.prefetch_related(
        Prefetch("references", queryset=Reference.objects.order_by("number"))
    )
    try:
        return revisions.get(number=int(number))
    except (TypeError, ValueError, Revision.DoesNotExist):
        raise Http404("No such revision.") from None


PAGE_SIZE = 25


@author_required
def dashboard(request):
    """List my articles, newest change first, a page at a time; filter by state."""
    counts = articles_per_state(articles=authored_articles(user=request.user))
    state = request.GET.get("state") if request.GET.get("state") in counts else None
    page = Paginator(authored_articles(user=request.user, state=state), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "states": [(label, value, counts[value]) for value, label in ArticleState.choices if counts[value]],
        "state": state,
        "total": sum(counts.values()),
        "page": page,
        "query": urlencode({"state": state}) if state else "",
    }
    return render(request, "workspaces/author/dashboard.html", context)


def _render_editor(request, *, article, editor: DraftEditor, status: int = 200):
    submit = actions.ACTIONS["submit"]
    context = {
        "article": article,
        "editor": editor,
        "meta": editor.meta,
        "form": editor.form,
        "sections": editor.sections,
        "references": editor.references,
        "list_errors": editor.list_errors,
        "error_summary": editor.summary(),
        # "Save and submit" where submitting is the next step (a draft, or a new article); resubmitting waits
        # for a revision written after the feedback, so it is offered on the article's page once there is one.
        "can_submit": article is None or submit.is_permitted(request.user, article),
        "preview_html": _preview_html(editor, article.current_revision if article else None),
        "reference_kinds": ReferenceKind.choices,
    }
    return render(request, "workspaces/author/edit.html", context, status=status)


def _saved(request, article: Article, revision: Revision, *, then_submit: bool = False):
    """After a save: submit if asked, else to the editor with the submission checks shown, or to the article."""
    problems = revision_errors(revision)
    if then_submit and not problems:
        perform(request, services.article_submit, actions.ACTIONS["submit"].done, article=article)
        return redirect("workspaces:author_article", article.slug)
    if problems:
        messages.warning(
            request,
            f"Draft saved. {_count(len(problems), 'thing needs', 'things need')} attention before you can submit it: "
            "see the list at the top.",
        )
        return redirect(reverse("workspaces:author_edit", args=[article.slug]) + "?check=1")
    messages.success(request, "Draft saved. It is ready to submit.")
    return redirect("workspaces:author_article", article.slug)


def _count(number: int, one: str, many: str) -> str:
    return f"1 {one}" if number == 1 else f"{number} {many}"


@author_required
def article_new(request):
    """Write a new article's first draft."""
    if request.method != "POST":
        return _render_editor(request, article=None, editor=DraftEditor(new=True))
    if request.POST.get("add"):
        return _render_editor(
            request, article=None, editor=DraftEditor.with_one_more(request.POST, prefix=request.POST["add"], new=True)
        )
    editor = DraftEditor(request.POST, new=True)
    if editor.is_valid():
        try:
            article = article_create(
                actor=request.user,
                slug=editor.meta.cleaned_data["slug"],
                specialty=editor.meta.cleaned_data["specialty"],
                content=editor.content(),
                change_note=editor.form.cleaned_data["change_note"] or "First draft",
            )
        except ValidationFailed as error:
            editor.place(error)
        else:
            return _saved(request, article, article.current_revision, then_submit=_then_submit(request))
    return _render_editor(request, article=None, editor=editor, status=400)


def _then_submit(request) -> bool:
    return request.POST.get("then") == "submit"


def _editable(request, slug) -> Article | None:
    """Return the article if its state allows editing; else None, after saying why."""
    article = _article_for(request.user, slug)
    if article.is_editable:
        return article
    messages.error(request, f"The article is {article.get_state_display().lower()}: withdraw or revise it to edit it.")
    return None


@author_required
def article_edit(request, slug):
    """Edit a draft: every save that changes something makes a new revision."""
    article = _editable(request, slug)
    if article is None:
        return redirect("workspaces:author_article", slug)
    if request.method != "POST":
        current = article.current_revision
        editor = DraftEditor(revision=current)
        if request.GET.get("check") and current is not None:
            editor.place(revision_errors(current), saved=True)
        return _render_editor(request, article=article, editor=editor)
    if request.POST.get("add"):
        editor = DraftEditor.with_one_more(request.POST, prefix=request.POST["add"], new=False)
        return _render_editor(request, article=article, editor=editor)
    editor = DraftEditor(request.POST)
    if editor.is_valid():
        try:
            revision = revision_create(
                article=article,
                actor=request.user,
                content=editor.content(),
                change_note=editor.form.cleaned_data["change_note"],
            )
        except ValidationFailed as error:
            editor.place(error)
        except InvalidTransition as error:
            messages.error(request, error.message)
            return redirect("workspaces:author_article", article.slug)
        else:
            return _saved(request, article, revision, then_submit=_then_submit(request))
    return _render_editor(request, article=article, editor=editor, status=400)


def _summary_json(editor: DraftEditor) -> list[dict]:
    return [{"message": item.message, "target": item.target} for item in editor.summary()]


@require_POST
@author_required
def article_autosave(request, slug=None):
    """Save the editor's content as the draft's next revision (unchanged content keeps the current one); answer JSON.

    A new article is created once it has a specialty and a title; the answer then gives its editor's address.
    """
    editor = DraftEditor(request.POST, new=slug is None)
    created = None
    if not editor.is_valid():
        return JsonResponse({"status": "invalid", "errors": _summary_json(editor)}, status=400)
    try:
        if slug is None:
            if editor.meta.cleaned_data.get("specialty") is None or not editor.form.cleaned_data["title"].strip():
                return JsonResponse({"status": "waiting", "message": "Choose a specialty and write a title to save."})
            created = article_create(
                actor=request.user,
                slug=editor.meta.cleaned_data["slug"],
                specialty=editor.meta.cleaned_data["specialty"],
                content=editor.content(),
                change_note=editor.form.cleaned_data["change_note"] or "First draft",
            )
            article, revision = created, created.current_revision
        else:
            article = _article_for(request.user, slug)
            revision = revision_create(
                article=article,
                actor=request.user,
                content=editor.content(),
                change_note=editor.form.cleaned_data["change_note"],
            )
    except ValidationFailed as error:
        editor.place(error)
        return JsonResponse({"status": "invalid", "errors": _summary_json(editor)}, status=400)
    except InvalidTransition as error:
        return JsonResponse({"status": "locked", "message": error.message}, status=409)
    answer = {
        "status": "saved",
        "revision": revision.number,
        "saved_at": localtime(revision.created_at).strftime("%H:%M"),
        "problems": len(revision_errors(revision)),
    }
    if created is not None:
        answer |= {
            "edit_url": reverse("workspaces:author_edit", args=[article.slug]),
            "autosave_url": reverse("workspaces:author_autosave", args=[article.slug]),
        }
    return JsonResponse(answer)


def _preview_html(editor: DraftEditor, revision: Revision | None = None) -> str:
    """Return the editor's content (or, unbound, ``revision``'s) as the reader page will show it, cleaned the same."""
    problems = []
    if not editor.form.is_bound:
        content = saved_content(revision) if revision else RevisionContent("", "", "")
    elif editor.is_valid():
        content = editor.content()
        try:
            content = clean_content(content)
        except ValidationFailed as error:
            problems = error.messages
    else:
        content = RevisionContent(title="", summary_patient="", summary_professional="")
        problems = [item.message for item in editor.summary()]
    references = [
        Reference(number=number, **{name: value for name, value in reference.items() if name in REFERENCE_FIELDS})
        for number, reference in enumerate(content.references, start=1)
        if isinstance(reference, dict)
    ]
    context = {
        "content": content,
        "problems": problems,
        # render_markdown escapes raw HTML and sanitises its output, so marking it safe is sound.
        "summary_patient_html": mark_safe(render_markdown(content.summary_patient or "")),  # noqa: S308
        "summary_professional_html": mark_safe(render_markdown(content.summary_professional or "")),  # noqa: S308
        "body_html": body_html(content.sections, references),
    }
    return render_to_string("workspaces/author/_live_preview.html", context)


@require_POST
@author_required
def article_live_preview(request):
    """Render the editor's unsaved content as readers will see it (nothing is saved)."""
    return HttpResponse(_preview_html(DraftEditor(request.POST)))


@author_required
def article_detail(request, slug):
    """Show my article: its state, actions, the reviewers' feedback and the revision history."""
    return article_page(request, _article_for(request.user, slug))


def article_page(request, article, *, posted=None, error: ValidationFailed | None = None, status: int = 200):
    """Render the author's page of ``article``; with ``posted`` and ``error``, the resubmission form re-shown
    with each problem beside its field."""
    feedback = author_feedback(article=article)
    names = names_shown_to(user=request.user, article=article)
    text = reviewed_text(user=request.user, article=article)
    resubmit_form = ResubmitForm(posted, threads=text.open_threads if text else [])
    if posted is not None and error is not None:
        resubmit_form.is_valid()  # it only parses; the service has decided
        resubmit_form.place(error)
    # Submitting is offered once the draft is ready (the action registry); until then, what stands in the way.
    blocked = [
        action
        for action in (actions.ACTIONS["submit"], actions.ACTIONS["resubmit"])
        if action.is_permitted(request.user, article) and not action.is_available(request.user, article)
    ]
    return render(
        request,
        "workspaces/author/article.html",
        {
            "article": article,
            "submission_problems": revision_errors(article.current_revision) if blocked else [],
            "revisions": article_revisions(article=article),
            "feedback": name_reviewers(feedback, names),
            "text": text,
            "rounds": article_rounds(article=article),
            "back": request.path,
            "transitions": _named(article_timeline(article=article), names),
            "actions": available_actions(request.user, article),
            "reason_form": ReasonForm(),
            "resubmit_form": resubmit_form,
        },
        status=status,
    )


def _named(transitions, names) -> list:
    """Return the transitions with ``actor_name`` as this person may see it (reviewers anonymous to authors)."""
    rows = list(transitions)
    for row in rows:
        row.actor_name = shown_name(row.actor, names)
    return rows


def revision_page_context(revision: Revision, audience: str) -> dict:
    """Return what the reader's page shows for ``revision``, rendered the way readers get it."""
    summary = revision.summary_professional if audience == "professional" else revision.summary_patient
    # render_markdown escapes raw HTML and sanitises its output, so marking it safe is sound.
    return {
        "revision": revision,
        "audience": audience,
        "audiences": AUDIENCES,
        "summary_html": mark_safe(render_markdown(summary)),  # noqa: S308
        "summary_patient_html": mark_safe(render_markdown(revision.summary_patient)),  # noqa: S308
        "summary_professional_html": mark_safe(render_markdown(revision.summary_professional)),  # noqa: S308
        "revision_body": revision_body_html(revision),
    }


@author_required
def article_preview(request, slug):
    """Show a revision (the current one by default) as readers will see it."""
    article = _article_for(request.user, slug)
    if article.current_revision is None:
        raise Http404("Nothing written yet.")
    revision = _revision(article, request.GET.get("revision") or article.current_revision.number)
    audience = request.GET.get("audience") if request.GET.get("audience") in AUDIENCES else "patient"
    context = {"article": article, **revision_page_context(revision, audience)}
    return render(request, "workspaces/author/preview.html", context)


@author_required
def article_diff(request, slug):
    """Compare two revisions word by word."""
    article = _article_for(request.user, slug)
    if article.current_revision is None:
        raise Http404("Nothing written yet.")
    newer = _revision(article, request.GET.get("to") or article.current_revision.number)
    older_number = request.GET.get("from", str(newer.number - 1))
    older = _revision(article, older_number) if older_number not in ("", "0") else None
    return render(
        request,
        "workspaces/author/diff.html",
        {
            "article": article,
            "older": older,
            "newer": newer,
            "numbers": list(article.revisions.order_by("number").values_list("number", flat=True)),
            "changes": revision_diff(older, newer),
        },
    )
