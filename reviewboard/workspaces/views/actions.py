"""The one door for an article's transition actions from the workspaces: the registry's buttons post here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from articles.exceptions import InvalidTransition, ValidationFailed
from reviewboard import actions
from reviewboard.permissions import access_article, user_is_editor
from reviewboard.review_models import ThreadStatus
from reviewboard.selectors import visible_threads
from reviewboard.workspaces.forms import ReasonForm, ResubmitForm
from reviewboard.workspaces.views import author
from reviewboard.workspaces.views.guards import redirect_back

LETTER_FIELDS = ("response_letter", "thread_replies")


def _back(request, article):
    """Go back to the page the action was asked from, or to the person's page of the article."""
    page = "workspaces:editor_article" if user_is_editor(request.user) else "workspaces:author_article"
    return redirect_back(request, reverse(page, args=[article.slug]))


@require_POST
@login_required
def article_action(request, slug, name):
    """Perform the transition action ``name`` on the article, then go back to the page it was asked from."""
    action = actions.ACTIONS.get(name)
    if action is None or action.service is None:
        raise Http404("There is no such action.")
    article = access_article(request.user, purpose=action.purpose, slug=slug)
    form = ReasonForm(request.POST)
    form.is_valid()  # it only parses; the service decides
    letter = {"response_letter": form.cleaned_data.get("response_letter", "")}
    if action.letter:
        # The letter and a reply per open thread the author sees; the service checks each thread again.
        threads = visible_threads(user=request.user, article=article).filter(status=ThreadStatus.OPEN)
        resubmit_form = ResubmitForm(request.POST, threads=threads)
        resubmit_form.is_valid()
        letter = resubmit_form.submission()
    try:
        actions.perform(
            action.name, article=article, actor=request.user, reason=form.cleaned_data.get("reason", ""), **letter
        )
    except ValidationFailed as error:
        if action.letter and all(
            e.field in LETTER_FIELDS or e.field.startswith("thread_replies") for e in error.errors
        ):
            # A problem with the letter or a reply: the page again, each problem beside its field.
            return author.article_page(request, article, posted=request.POST, error=error, status=400)
        if action.name in ("submit", "resubmit") and not any(e.field == "reason" for e in error.errors):
            messages.error(request, "The draft is not ready to submit: fix what is marked below, save, then submit.")
            return redirect(reverse("workspaces:author_edit", args=[article.slug]) + "?check=1")
        for message in error.messages:
            messages.error(request, message)
    except InvalidTransition as error:
        messages.error(request, error.message)
    else:
        messages.success(request, action.done)
        if action.name == "revise":
            return redirect("workspaces:author_edit", article.slug)
    return _back(request, article)
