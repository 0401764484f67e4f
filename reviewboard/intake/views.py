"""The editors' intake queue of readers' follow-up questions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from articles.exceptions import ActionForbidden, DomainError, InvalidTransition
from articles.models import FollowUpQuestion
from reviewboard.intake import services
from reviewboard.intake.forms import CloseForm, ConvertForm
from reviewboard.intake.selectors import open_questions, recently_handled_questions
from reviewboard.workspaces.views.guards import editor_required, error_messages


@editor_required
def queue(request):
    """List the open questions, oldest first, and the ones handled lately."""
    context = {"questions": open_questions(), "handled": recently_handled_questions()}
    return render(request, "intake/queue.html", context)


def _question(pk: int) -> FollowUpQuestion:
    return get_object_or_404(FollowUpQuestion.objects.select_related("article__approved_revision"), pk=pk)


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
    return _question_page(request, _question(pk))


def _attempt(request, service, **kwargs) -> int | None:
    """Call ``service``; return None if it worked, else the status to answer with (errors shown)."""
    try:
        service(actor=request.user, **kwargs)
    except ActionForbidden as error:
        raise PermissionDenied(error.message) from error
    except DomainError as error:
        for message in error_messages(error):
            messages.error(request, message)
        return 409 if isinstance(error, InvalidTransition) else 400
    return None


@editor_required
@require_POST
def question_convert(request, pk):
    """Turn the question into a new draft article assigned to an author."""
    question = _question(pk)
    form = ConvertForm(request.POST)
    if not form.is_valid():
        return _question_page(request, question, convert_form=form, status=400)
    if failed := _attempt(request, services.question_convert, question=question, **form.cleaned_data):
        return _question_page(request, question, convert_form=form, status=failed)
    messages.success(request, f"Article “{form.cleaned_data['slug']}” started for {form.cleaned_data['author']}.")
    return redirect(reverse("intake:queue"))


@editor_required
@require_POST
def question_close(request, pk):
    """Close the question with a reason."""
    question = _question(pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _question_page(request, question, close_form=form, status=400)
    if failed := _attempt(request, services.question_close, question=question, reason=form.cleaned_data["reason"]):
        return _question_page(request, question, close_form=form, status=failed)
    messages.success(request, "Question closed.")
    return redirect(reverse("intake:queue"))
