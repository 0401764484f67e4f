"""The author's workspace: my articles, the structured editor, preview, history, submit and withdraw."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe

from articles.exceptions import ValidationFailed
from articles.models import Article, ArticleState, Reference, Revision
from articles.presentation import revision_body_html
from articles.rendering import render_markdown
from articles.selectors import article_revisions
from articles.services import article_create, revision_create
from articles.validation import revision_errors
from reviewboard.actions import available_actions
from reviewboard.permissions import AUTHOR_VIEW, access_article
from reviewboard.selectors import article_timeline, articles_per_state, author_feedback, authored_articles
from reviewboard.workspaces.diff import revision_diff
from reviewboard.workspaces.forms import (
    ArticleMetaForm,
    ReasonForm,
    ReferenceFormSet,
    RevisionForm,
    SectionFormSet,
    place_errors,
    revision_content,
    revision_initial,
)
from reviewboard.workspaces.views.guards import author_required

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


def _editor_forms(data=None, initial=None):
    main, sections, references = initial or ({}, [], [])
    return (
        RevisionForm(data, initial=main),
        SectionFormSet(data, initial=sections, prefix="sections"),
        ReferenceFormSet(data, initial=references, prefix="references"),
    )


def _render_editor(request, *, article, form, sections, references, meta=None):
    return render(
        request,
        "workspaces/author/edit.html",
        {"article": article, "meta": meta, "form": form, "sections": sections, "references": references},
    )


def _saved(request, article: Article, revision: Revision):
    """After a save: to the editor with the submission checks shown, or to the article when it is ready."""
    if revision_errors(revision):
        messages.warning(request, "Draft saved. A few things need attention before you can submit it.")
        return redirect(reverse("workspaces:author_edit", args=[article.slug]) + "?check=1")
    messages.success(request, "Draft saved. It is ready to submit.")
    return redirect("workspaces:author_article", article.slug)


@author_required
def article_new(request):
    """Write a new article's first draft."""
    if request.method == "POST":
        meta = ArticleMetaForm(request.POST)
        form, sections, references = _editor_forms(request.POST)
        if all(f.is_valid() for f in (meta, form, sections, references)):
            try:
                article = article_create(
                    actor=request.user,
                    slug=meta.cleaned_data["slug"],
                    specialty=meta.cleaned_data["specialty"],
                    content=revision_content(form, sections, references),
                    change_note=form.cleaned_data["change_note"] or "First draft",
                )
            except ValidationFailed as error:
                place_errors(
                    error,
                    form=form,
                    meta=meta,
                    section_forms=sections.ordered_forms,
                    reference_forms=references.ordered_forms,
                )
            else:
                return _saved(request, article, article.current_revision)
    else:
        meta = ArticleMetaForm()
        form, sections, references = _editor_forms()
    return _render_editor(request, article=None, form=form, sections=sections, references=references, meta=meta)


@author_required
def article_edit(request, slug):
    """Edit a draft: every save that changes something makes a new revision."""
    article = _article_for(request.user, slug)
    if not article.is_editable:
        messages.error(
            request, f"The article is {article.get_state_display().lower()}: withdraw or revise it to edit it."
        )
        return redirect("workspaces:author_article", article.slug)
    if request.method == "POST":
        form, sections, references = _editor_forms(request.POST)
        if all(f.is_valid() for f in (form, sections, references)):
            previous = article.current_revision_id
            try:
                revision = revision_create(
                    article=article,
                    actor=request.user,
                    content=revision_content(form, sections, references),
                    change_note=form.cleaned_data["change_note"],
                )
            except ValidationFailed as error:
                place_errors(
                    error, form=form, section_forms=sections.ordered_forms, reference_forms=references.ordered_forms
                )
            else:
                if revision.pk == previous:
                    messages.info(request, "Nothing changed: the draft is as it was.")
                    return redirect("workspaces:author_article", article.slug)
                return _saved(request, article, revision)
    else:
        current = article.current_revision
        form, sections, references = _editor_forms(initial=revision_initial(current))
        if request.GET.get("check") and current is not None:
            place_errors(
                revision_errors(current),
                form=form,
                section_forms=sections.forms[: sections.initial_form_count()],
                reference_forms=references.forms[: references.initial_form_count()],
            )
    return _render_editor(request, article=article, form=form, sections=sections, references=references)


@author_required
def article_detail(request, slug):
    """Show my article: its state, actions, the reviewers' feedback and the revision history."""
    article = _article_for(request.user, slug)
    feedback = author_feedback(article=article)
    return render(
        request,
        "workspaces/author/article.html",
        {
            "article": article,
            "revisions": article_revisions(article=article),
            "feedback": feedback,
            "transitions": article_timeline(article=article),
            "actions": available_actions(request.user, article),
            "reason_form": ReasonForm(),
        },
    )


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
