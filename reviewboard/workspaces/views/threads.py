"""Comment threads from the workspaces: open one on a passage, reply, resolve, reopen; then back to the page.

Each view parses the form and calls one service, which decides who may and whether the input is acceptable.
"""

from django.contrib.auth.decorators import login_required
from django.urls import reverse
from django.views.decorators.http import require_POST

from reviewboard.permissions import (
    THREAD_OPEN,
    THREAD_VIEW,
    access_article,
    access_thread,
    user_is_board_member,
    user_is_editor,
)
from reviewboard.services_threads import thread_open, thread_reopen, thread_reply, thread_resolve
from reviewboard.workspaces.forms import ReplyForm, ThreadForm
from reviewboard.workspaces.views.guards import perform, redirect_back


def _back(request, slug: str, anchor: str = ""):
    """Go back to the page the form was on; else to the person's own page of the article (or review list)."""
    if user_is_editor(request.user):
        default = reverse("workspaces:editor_article", args=[slug])
    elif user_is_board_member(request.user):
        default = reverse("workspaces:board")
    else:
        default = reverse("workspaces:author_article", args=[slug])
    return redirect_back(request, default + anchor)


@require_POST
@login_required
def open_thread(request, slug):
    """Open a comment thread on a paragraph or a selected passage of the revision under review."""
    article = access_article(request.user, purpose=THREAD_OPEN, slug=slug)
    form = ThreadForm(request.POST)
    form.is_valid()  # it only parses; the service decides
    data = form.cleaned_data
    perform(
        request,
        thread_open,
        "Your comment is posted beside the passage.",
        article=article,
        field=data.get("field", ""),
        index=data.get("index", ""),
        paragraph=data.get("paragraph", ""),
        quote=data.get("quote", ""),
        body=data.get("body", ""),
        confidential=data.get("confidential", False),
    )
    return _back(request, article.slug)


def _thread_action(request, thread_id, service, success: str):
    thread = access_thread(request.user, thread_id, purpose=THREAD_VIEW)
    extra = {}
    if service is thread_reply:
        form = ReplyForm(request.POST)
        form.is_valid()
        extra["body"] = form.cleaned_data.get("body", "")
    perform(request, service, success, thread=thread, **extra)
    return _back(request, thread.article.slug, f"#thread-{thread.pk}")


@require_POST
@login_required
def reply(request, thread_id):
    """Answer a thread."""
    return _thread_action(request, thread_id, thread_reply, "Your reply is posted.")


@require_POST
@login_required
def resolve(request, thread_id):
    """Mark a thread resolved."""
    return _thread_action(request, thread_id, thread_resolve, "Thread resolved.")


@require_POST
@login_required
def reopen(request, thread_id):
    """Open a resolved thread again."""
    return _thread_action(request, thread_id, thread_reopen, "Thread reopened.")
