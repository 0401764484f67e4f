"""The public reader pages. Only approved revisions reach a reader, through ``articles.selectors``."""

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.safestring import mark_safe
from django.views.generic import ListView, TemplateView

from articles.models import Article, ArticleState, ReferenceKind, Revision
from articles.rendering import render_markdown
from articles.selectors import published_articles, published_revision, revision_approvers

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
        articles = published_articles().order_by("-approved_at", "pk")
        query = self.request.GET.get("q", "").strip()
        if query:
            # A plain icontains search for now; full-text search on PostgreSQL can replace it.
            articles = articles.filter(
                Q(approved_revision__title__icontains=query)
                | Q(approved_revision__summary_patient__icontains=query)
                | Q(approved_revision__summary_professional__icontains=query)
            )
        return articles

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

    article = revision.article
    audience, chosen_now = _chosen_audience(request)
    summary = revision.summary_professional if audience == "professional" else revision.summary_patient
    reviewers = revision_approvers(revision=revision)
    canonical_url = request.build_absolute_uri(reverse("articles:detail", args=[article.slug]))
    sections = [
        # render_markdown escapes raw HTML and sanitises its output, so it is safe to mark.
        {"heading": section.get("heading", ""), "html": mark_safe(render_markdown(section.get("body", "")))}  # noqa: S308
        for section in revision.sections
    ]
    context = {
        "article": article,
        "revision": revision,
        "audience": audience,
        "audiences": AUDIENCES,
        "summary_html": mark_safe(render_markdown(summary)),  # noqa: S308  (sanitised, as above)
        "sections": sections,
        "reference_groups": _reference_groups(revision),
        "reviewers": reviewers,
        "review_steps": REVIEW_STEPS,
        "canonical_url": canonical_url,
        "structured_data": _structured_data(revision=revision, canonical_url=canonical_url, reviewers=reviewers),
    }
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


class EditorialPolicyView(TemplateView):
    """Explain how the Medical Advisory Board reviews every article."""

    template_name = "articles/editorial_policy.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(quorum=settings.REVIEW_QUORUM, **kwargs)
