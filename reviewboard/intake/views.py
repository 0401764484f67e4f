"""The editors' intake queue of readers' follow-up questions."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from articles.exceptions import InvalidTransition, ValidationFailed
from articles.followup_models import FollowUpQuestion
from articles.forms import add_field_errors
from articles.people import person_name
from reviewboard.intake import services
from reviewboard.intake.forms import CloseForm, ConvertForm
from reviewboard.intake.selectors import open_questions, recently_handled_questions
from reviewboard.permissions import access_question
from reviewboard.workspaces.views.guards import editor_required

PAGE_SIZE = 25


@editor_required
def queue(request):
    """List the open questions, oldest first, and the ones handled lately."""
    page = Paginator(open_questions(), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"questions": page.object_list, "page": page, "handled": recently_handled_questions()}
    return render(request, "intake/queue.html", context)


def _question(request, pk: int) -> FollowUpQuestion:
    return access_question(request.user, pk)


def _question_page(request, question, *, convert_form=None, close_form=None, status=200):
    context = {
        "question": question,
        "convert_form": convert_form or ConvertForm(initial={"specialty": question.article.specialty_id}),
        "close_form": close_form or CloseForm(),
    }
    return render(request, "intake/question.html", context, status=status)


@editor_required
def question_detail(request, pk):
    """Show one question with the forms to turn it into an article or close it."""
    return _question_page(request, _question(request, pk))


def _attempt(request, service, form, **kwargs) -> int | None:
    """Call ``service``; return None if it worked, else the status to answer with (errors beside their fields)."""
    try:
        service(actor=request.user, **kwargs)
    except ValidationFailed as error:
        add_field_errors(form, error)
        return 400
    except InvalidTransition as error:
        messages.error(request, error.message)
        return 409
    return None


@editor_required
@require_POST
def question_convert(request, pk):
    """Turn the question into a new draft article assigned to an author."""
    question = _question(request, pk)
    form = ConvertForm(request.POST)
    if not form.is_valid():
        return _question_page(request, question, convert_form=form, status=400)
    if failed := _attempt(request, services.question_convert, form, question=question, **form.cleaned_data):
        return _question_page(request, question, convert_form=form, status=failed)
    author = form.cleaned_data["author"]
    messages.success(request, f"A draft article is started for {person_name(author)}.")
    return redirect(reverse("intake:queue"))


@editor_required
@require_POST
def question_close(request, pk):
    """Close the question with a reason."""
    question = _question(request, pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _question_page(request, question, close_form=form, status=400)
    reason = form.cleaned_data["reason"]
    if failed := _attempt(request, services.question_close, form, question=question, reason=reason):
        return _question_page(request, question, close_form=form, status=failed)
    messages.success(request, "Question closed.")
    return redirect(reverse("intake:queue"))
