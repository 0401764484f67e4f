"""The public reader pages. Only approved revisions reach a reader, through ``articles.selectors``."""

import dataclasses
import logging
import time
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.cache import (
    add_never_cache_headers,
    patch_cache_control,
)
from django.utils.decorators import method_decorator
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from django.views.generic import TemplateView, View

from articles import cache as reader_cache, preview, reader_http, stored
from articles.answers import reviewed_passages
from articles.exceptions import ValidationFailed
from articles.followup_models import FollowUpQuestion
from articles.followups import FollowUpForm, client_address, followup_create, followup_rate_exceeded
from articles.forms import add_field_errors
from articles.models import Article, ArticleState, Revision
from articles.presentation import revision_body_html, revision_citations_ld
from articles.rendering import render_markdown
from articles.replica import reader_reads
from articles.search import search_published
from articles.selectors import (
    approved_history,
    article_bylines,
    published_revision,
    retracted_article,
    revision_approvers,
)

logger = logging.getLogger(__name__)

AUDIENCE_COOKIE = "audience"
AUDIENCES = {
    "patient": "Patient or caregiver",
    "professional": "Healthcare professional",
}
DEFAULT_AUDIENCE = "patient"
AUDIENCE_COOKIE_MAX_AGE = 365 * 24 * 60 * 60
REVIEW_STEPS = ("Submitted", "Under Review", "Approved")


@method_decorator(reader_http.unavailable_when_database_is_down, name="dispatch")
class ArticleListView(View):
    """List the published articles, newest approval first, with an optional search."""

    paginate_by = 20
    page_kwarg = "page"

    def get(self, request, *args, **kwargs):
        query = reader_cache.normalise_query(request.GET.get("q", ""))
        slot = None
        if reader_cache.serves_from_cache(request):
            slot = reader_cache.list_slot(query=query, page=request.GET.get(self.page_kwarg, ""))
        result = reader_http.cached_or_rendered(request, slot, render=lambda: self._render(request, query=query))
        if isinstance(result, HttpResponse):
            return result
        anonymous = reader_cache.is_anonymous(request)
        response = reader_http.page_response(
            _as_seen_by(request, result),
            anonymous=anonymous,
            shared=True,
            surrogate_key=reader_http.LIST_SURROGATE_KEY,
        )
        return reader_http.conditional_response(request, response)

    def _render(self, request, *, query: str) -> reader_http.RenderedPage:
        """Render the page: the matching ids and their count in one query (a search's stored result), their stored cards
        in another."""
        number = self._page_number(request, query=query)
        ids, count = stored.search_page(query, offset=(number - 1) * self.paginate_by, limit=self.paginate_by)
        if not ids and number > 1:
            raise Http404("No such page.")
        paginator = Paginator(range(count), self.paginate_by)  # the count is known: no query of its own
        context = {
            "query": query,
            "cards": [mark_safe(card) for card in stored.cards(ids)],  # noqa: S308  (rendered by the autoescaping card template)
            "paginator": paginator,
            "page_obj": paginator.page(number),
            "is_paginated": paginator.num_pages > 1,
        }
        html = stored.list_page(context)
        # The list changes with any article, so its validators come from the page itself and its render time.
        return reader_http.RenderedPage(html=html, etag=reader_cache.make_etag(html), last_modified=int(time.time()))

    def _page_number(self, request, *, query: str) -> int:
        page = request.GET.get(self.page_kwarg) or "1"
        if page == "last":  # the count first, then the page: the one request that needs two queries for it
            return Paginator(search_published(query).values("pk"), self.paginate_by).num_pages
        try:
            number = int(page)
        except ValueError:
            raise Http404("No such page.") from None
        if number < 1:
            raise Http404("No such page.")
        return number


def _as_seen_by(request, page: reader_cache.CachedPage) -> reader_cache.CachedPage:
    """Return ``page`` (rendered for anyone) as the reader of ``request`` sees it: with a signed-in reader's account
    links in place of the anonymous ones."""
    if reader_cache.is_anonymous(request):
        return page
    signed_in = reader_http.session_names_a_person(request)
    return dataclasses.replace(page, html=stored.with_account(page.html, signed_in=signed_in))


def _chosen_audience(request) -> tuple[str, bool]:
    """Return the reader's audience and whether it was chosen on this request."""
    asked = request.GET.get("audience")
    if asked in AUDIENCES:
        return asked, True
    remembered = request.COOKIES.get(AUDIENCE_COOKIE)
    if remembered in AUDIENCES:
        return remembered, False
    return DEFAULT_AUDIENCE, False


def _person_ld(member) -> dict:
    person = {"@type": "Person", "name": member.display_name, "jobTitle": member.credentials}
    if member.profile_url:
        person["url"] = member.profile_url
    return person


def _structured_data(*, revision: Revision, canonical_url: str, context: dict) -> dict:
    """Return the schema.org MedicalWebPage description of the page."""
    article = revision.article
    approved_at = article.approved_at
    assert approved_at is not None  # a published article's
    history = context["history"]
    first_approval = history[-1].approved_at if history else approved_at
    audience = context["audience"]
    data = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "name": revision.title,
        "headline": revision.title,
        "url": canonical_url,
        "mainEntityOfPage": canonical_url,
        "description": revision.summary_patient,
        "specialty": article.specialty.name,
        "about": {"@type": "MedicalCondition", "name": revision.title},
        "audience": {
            "@type": "MedicalAudience",
            "audienceType": "Clinician" if audience == "professional" else "Patient",
        },
        "datePublished": first_approval.date().isoformat(),
        "dateModified": approved_at.isoformat(),
        "lastReviewed": approved_at.date().isoformat(),
        "reviewedBy": [_person_ld(member) for member in context["reviewers"]],
        "author": [
            {"@type": "Person", "name": byline.name, "jobTitle": byline.credentials} for byline in context["bylines"]
        ],
        "citation": revision_citations_ld(revision),
    }
    return data


def _review_step(article: Article, revision: Revision) -> int | None:
    """Return the index in REVIEW_STEPS of the step ``revision`` has reached, or None if none."""
    if revision.pk == article.approved_revision_id:
        return 2
    if revision.pk != article.current_revision_id:
        return None
    return {ArticleState.SUBMITTED: 0, ArticleState.UNDER_REVIEW: 1}.get(article.state)


def _page_context(request, revision: Revision, *, audience: str) -> dict:
    """Return what the article template needs to show ``revision`` in the wording for ``audience``."""
    article = revision.article
    is_approved = revision.pk == article.approved_revision_id
    history = approved_history(article=article)
    if is_approved and history and history[0].revision_id == revision.pk:
        reviewers = history[0].reviewers
    else:
        reviewers = revision_approvers(revision=revision)
    reader_path = reverse("articles:detail", args=[article.slug])
    return {
        "article": article,
        "revision": revision,
        "is_approved": is_approved,
        "audience": audience,
        "audiences": AUDIENCES,
        "summary_patient_html": mark_safe(render_markdown(revision.summary_patient)),  # noqa: S308  (sanitised)
        "summary_professional_html": mark_safe(render_markdown(revision.summary_professional)),  # noqa: S308
        "revision_body": revision_body_html(revision),
        "reviewers": reviewers,
        "bylines": article_bylines(article=article),
        "history": history,
        "review_steps": REVIEW_STEPS,
        "current_step": _review_step(article, revision),
        "approved_on": _shown_date(article.approved_at),
        "review_due_on": _shown_date(article.review_due_at),
        "review_overdue": article.is_review_overdue(),
        "reader_path": reader_path,
        "canonical_url": request.build_absolute_uri(reader_path),
        "follow_up_form": FollowUpForm(),
        "site_name": settings.SITE_NAME,
    }


def _shown_date(moment) -> dict | None:
    """Return the date of ``moment`` as the page shows it: for ``<time datetime>``, and in words."""
    # Formatted here once, as the `date` filter took 40 µs a use and the page shows the approval date twice.
    if moment is None:
        return None
    moment = localtime(moment)
    return {"iso": moment.date().isoformat(), "text": date_format(moment, "F j, Y")}


@reader_reads
@reader_http.unavailable_when_database_is_down
def article_detail(request, slug):
    """Show the approved revision of an article, in the reader's chosen wording; from the cache when current.

    A signed-in reader gets the same page with their own account links put in (articles.stored.with_account).
    """
    audience, chosen_now = _chosen_audience(request)
    # The page is rendered for an anonymous reader whoever asks (articles.stored): its cached copy serves anyone.
    slot = reader_cache.article_slot(slug=slug, audience=audience) if reader_cache.cache_seconds() > 0 else None
    result = reader_http.cached_or_rendered(
        request, slot, render=lambda: stored.article_page(request, slug=slug, kind=audience, render=render_article_page)
    )
    if isinstance(result, HttpResponse):
        return result
    return _article_response(request, result, slug=slug, audience=audience, chosen_now=chosen_now)


def _article_response(
    request, page: reader_cache.CachedPage, *, slug: str, audience: str, chosen_now: bool
) -> HttpResponse:
    anonymous = reader_cache.is_anonymous(request)
    page = _as_seen_by(request, page)
    # A response that sets the audience cookie is the reader's own: no shared cache may keep it.
    response = reader_http.page_response(
        page, anonymous=anonymous, shared=not chosen_now, surrogate_key=reader_http.article_surrogate_key(slug)
    )
    if chosen_now:
        response.set_cookie(
            AUDIENCE_COOKIE,
            audience,
            max_age=AUDIENCE_COOKIE_MAX_AGE,
            samesite="Lax",
            httponly=False,  # a preference, not a secret: the page's script changes it without a reload
            secure=request.is_secure(),
        )
    return reader_http.conditional_response(request, response)


def render_article_page(request, *, slug: str, kind: str) -> reader_http.RenderedPage | HttpResponse:
    """Render the article page for the audience ``kind`` from the database, or the answer for an article readers
    may not see. ``request`` is an anonymous reader's (articles.stored stores what this returns)."""
    audience = kind
    # The references only when the revision's body and citations are not rendered yet (articles.presentation).
    revision = published_revision(slug=slug, with_references=False)
    if revision is None:
        # The retraction notice (COPE): the title readers knew, the date, and the editors' reason.
        retracted = retracted_article(slug=slug)
        if retracted is not None:
            context = {"retracted": retracted, "retracted_on": _shown_date(retracted.retracted_at)}
            return render(request, "articles/article_retracted.html", context, status=410)
        raise Http404("No published article at this address.")
    context = _page_context(request, revision, audience=audience)
    context["structured_data"] = _structured_data(
        revision=revision, canonical_url=str(context["canonical_url"]), context=context
    )
    html = render_to_string("articles/article_detail.html", context, request=request)
    approved_at = revision.article.approved_at
    assert approved_at is not None  # a published article's
    return reader_http.RenderedPage(
        html=html,
        etag=reader_cache.make_etag(
            revision.pk, approved_at.isoformat(), audience, context["review_overdue"], reader_cache.origin_of(request)
        ),
        last_modified=int(approved_at.timestamp()),
        source=stored.PageSource.of(revision.article),
        valid_until=None if context["review_overdue"] else revision.article.review_due_at,
    )


ANSWER_SALT = "articles.follow-up.answer"
ANSWER_MAX_AGE = 60 * 60


def _followup_sent(request, slug, question=None):
    messages.success(request, "Thank you. Your question was sent to our editors.")
    address = reverse("articles:follow_up", args=[slug])
    if question is not None:
        # Only who sent the question holds this link to its instant answer.
        address += "?" + urlencode({"answer": signing.dumps(question.pk, salt=ANSWER_SALT)})
    return redirect(address + "#follow-up")


def _answered_question(token: str | None) -> FollowUpQuestion | None:
    if not token:
        return None
    try:
        question_id = signing.loads(token, salt=ANSWER_SALT, max_age=ANSWER_MAX_AGE)
    except signing.BadSignature:
        return None
    return FollowUpQuestion.objects.filter(pk=question_id).first()


def _sent_from_elsewhere(request) -> bool:
    """Whether the browser says this request comes from another site (Origin, or Sec-Fetch-Site)."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in ("same-origin", "none"):
        return True
    origin = request.headers.get("Origin")
    return bool(origin) and origin != f"{request.scheme}://{request.get_host()}"


# The question box sits on the article page, which is cached and stored once for every reader, so it cannot carry
# a per-reader CSRF token. CSRF protects what a signed-in person's session may do; a question is the same whoever
# sends it and acts as no one, so the box needs no token. Questions from other sites are refused all the same,
# and the rate limit and the honeypot stand as before.
@csrf_exempt
@reader_http.unavailable_when_database_is_down
@require_http_methods(["GET", "HEAD", "POST"])
def follow_up(request, slug):
    """Ask the editors a follow-up question about a published article: the form, and the question it sends.

    Never cached: the answer carries the thank-you message.
    """
    revision = published_revision(slug=slug)
    if revision is None:
        raise Http404("No published article at this address.")
    status = 200
    if request.method == "POST" and _sent_from_elsewhere(request):
        raise PermissionDenied("Questions are sent from our own article pages.")
    if request.method == "POST":
        form = FollowUpForm(request.POST)
        if form.is_valid():
            if form.is_spam:  # a bot that filled the honeypot is thanked and ignored
                return _followup_sent(request, slug)
            if followup_rate_exceeded(client=client_address(request)):
                return render(request, "articles/follow_up_limited.html", {"article": revision.article}, status=429)
            try:
                question = followup_create(
                    article=revision.article, question=form.cleaned_data["question"], email=form.cleaned_data["email"]
                )
            except ValidationFailed as error:
                add_field_errors(form, error)
            else:
                return _followup_sent(request, slug, question)
        status = 400
    else:
        form = FollowUpForm()
    context = {"article": revision.article, "revision": revision, "follow_up_form": form}
    answered = _answered_question(request.GET.get("answer")) if request.method != "POST" else None
    if answered is not None:
        context["answered"] = answered
        context["passages"] = reviewed_passages(answered.question)
    response = render(request, "articles/follow_up.html", context, status=status)
    add_never_cache_headers(response)
    patch_cache_control(response, private=True)
    return response


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
