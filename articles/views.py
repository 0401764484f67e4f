"""The public reader pages. Only approved revisions reach a reader, through ``articles.selectors``."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control, patch_vary_headers
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from django.views.generic import ListView, TemplateView

from articles import preview
from articles.exceptions import ValidationFailed
from articles.followups import FollowUpForm, client_address, followup_create, followup_rate_exceeded
from articles.models import Article, ArticleState, ReferenceKind, Revision
from articles.rendering import render_markdown
from articles.search import search_published
from articles.selectors import published_revision, revision_approvers

AUDIENCE_COOKIE = "audience"
AUDIENCES = {
    "patient": "Patient or caregiver",
    "professional": "Healthcare professional",
}
DEFAULT_AUDIENCE = "patient"
AUDIENCE_COOKIE_MAX_AGE = 365 * 24 * 60 * 60
REVIEW_STEPS = ("Submitted", "Under Review", "Approved")


class ArticleListView(ListView):
    """List the published articles, newest approval first, with an optional search."""

    template_name = "articles/article_list.html"
    context_object_name = "articles"
    paginate_by = 20

    def get_queryset(self):
        return search_published(self.request.GET.get("q", "")[:200])

    def get_context_data(self, **kwargs):
        return super().get_context_data(query=self.request.GET.get("q", "").strip(), **kwargs)


@dataclass
class ReferenceGroup:
    label: str
    references: list


def _reference_groups(revision: Revision) -> list[ReferenceGroup]:
    """Group the (prefetched) references by kind, in the order of the kinds, each group by number."""
    references = list(revision.references.all())
    groups = []
    for kind in ReferenceKind:
        members = sorted((r for r in references if r.kind == kind.value), key=lambda r: r.number)
        if members:
            groups.append(ReferenceGroup(label=kind.label, references=members))
    return groups


def _chosen_audience(request) -> tuple[str, bool]:
    """Return the reader's audience and whether it was chosen on this request."""
    asked = request.GET.get("audience")
    if asked in AUDIENCES:
        return asked, True
    remembered = request.COOKIES.get(AUDIENCE_COOKIE)
    if remembered in AUDIENCES:
        return remembered, False
    return DEFAULT_AUDIENCE, False


def _structured_data(*, revision: Revision, canonical_url: str, reviewers: list) -> dict:
    """Return the schema.org MedicalWebPage description of the page."""
    article = revision.article
    return {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": revision.title,
        "headline": revision.title,
        "url": canonical_url,
        "description": revision.summary_patient,
        "specialty": article.specialty.name,
        "lastReviewed": article.approved_at.date().isoformat(),
        "dateModified": article.approved_at.isoformat(),
        "reviewedBy": [
            {"@type": "Person", "name": member.display_name, "jobTitle": member.credentials} for member in reviewers
        ],
    }


def _review_step(article: Article, revision: Revision) -> int | None:
    """Return the index in REVIEW_STEPS of the step ``revision`` has reached, or None if none."""
    if revision.pk == article.approved_revision_id:
        return 2
    if revision.pk != article.current_revision_id:
        return None
    return {ArticleState.SUBMITTED: 0, ArticleState.UNDER_REVIEW: 1}.get(article.state)


def _page_context(request, revision: Revision, *, audience: str, follow_up_form=None) -> dict:
    """Return what the article template needs to show ``revision`` in the wording for ``audience``."""
    article = revision.article
    summary = revision.summary_professional if audience == "professional" else revision.summary_patient
    reviewers = revision_approvers(revision=revision)
    canonical_url = request.build_absolute_uri(reverse("articles:detail", args=[article.slug]))
    sections = [
        # render_markdown escapes raw HTML and sanitises its output, so it is safe to mark.
        {"heading": section.get("heading", ""), "html": mark_safe(render_markdown(section.get("body", "")))}  # noqa: S308
        for section in revision.sections
    ]
    return {
        "article": article,
        "revision": revision,
        "audience": audience,
        "audiences": AUDIENCES,
        "summary_html": mark_safe(render_markdown(summary)),  # noqa: S308  (sanitised, as above)
        "sections": sections,
        "reference_groups": _reference_groups(revision),
        "reviewers": reviewers,
        "review_steps": REVIEW_STEPS,
        "current_step": _review_step(article, revision),
        "canonical_url": canonical_url,
        "follow_up_form": follow_up_form or FollowUpForm(),
    }


def article_detail(request, slug):
    """Show the approved revision of an article, in the reader's chosen wording."""
    revision = published_revision(slug=slug)
    if revision is None:
        # Not the content gate: it only decides between "gone" and "not found", and shows no text.
        retracted = Article.objects.filter(
            slug=slug, state=ArticleState.RETRACTED, approved_revision__isnull=False
        ).exists()
        if retracted:
            return render(request, "articles/article_retracted.html", status=410)
        raise Http404("No published article at this address.")

    audience, chosen_now = _chosen_audience(request)
    context = _page_context(request, revision, audience=audience)
    context["structured_data"] = _structured_data(
        revision=revision, canonical_url=context["canonical_url"], reviewers=context["reviewers"]
    )
    response = render(request, "articles/article_detail.html", context)
    patch_vary_headers(response, ["Cookie"])
    if chosen_now:
        response.set_cookie(
            AUDIENCE_COOKIE,
            audience,
            max_age=AUDIENCE_COOKIE_MAX_AGE,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure(),
        )
    return response


@require_POST
def follow_up(request, slug):
    """Take a reader's follow-up question about a published article, for the editors' intake queue."""
    revision = published_revision(slug=slug)
    if revision is None:
        raise Http404("No published article at this address.")
    form = FollowUpForm(request.POST)
    if not form.is_valid():
        audience, _ = _chosen_audience(request)
        context = _page_context(request, revision, audience=audience, follow_up_form=form)
        response = render(request, "articles/article_detail.html", context, status=400)
        add_never_cache_headers(response)
        return response
    if followup_rate_exceeded(client=client_address(request)):
        return render(request, "articles/follow_up_limited.html", {"article": revision.article}, status=429)
    if not form.is_spam:  # a bot that filled the honeypot is thanked and ignored
        try:
            followup_create(
                article=revision.article, question=form.cleaned_data["question"], email=form.cleaned_data["email"]
            )
        except ValidationFailed as error:
            raise Http404(error.message) from error
    messages.success(request, "Thank you. Your question was sent to our editors.")
    return redirect(reverse("articles:detail", args=[slug]) + "#follow-up")


def revision_preview(request, token):
    """Show any revision, drafts included, to staff, editors and its authors, through a signed link."""
    revision_id = preview.revision_id_from_token(token)
    if revision_id is None:
        raise Http404("This preview link is not valid or has expired.")
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    revision = preview.preview_revision(revision_id=revision_id)
    if revision is None:
        raise Http404("This revision no longer exists.")
    if not preview.user_can_preview(request.user, revision.article):
        raise PermissionDenied("Only editors, staff and the article's authors can preview it.")
    audience, _ = _chosen_audience(request)
    context = _page_context(request, revision, audience=audience)
    context["preview"] = True
    response = render(request, "articles/article_detail.html", context)
    response["X-Robots-Tag"] = "noindex, nofollow"
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    return response


class EditorialPolicyView(TemplateView):
    """Explain how the Medical Advisory Board reviews every article."""

    template_name = "articles/editorial_policy.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(quorum=settings.REVIEW_QUORUM, **kwargs)
