"""The in-app inbox and the notification preferences. Thin: parse, call a service, render."""

from django import forms
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from articles.exceptions import ValidationFailed
from reviewboard.notifications import services
from reviewboard.notifications.models import ALL_KINDS, Message, Mode, NotificationPreference
from reviewboard.notifications.outbox import ESSENTIAL_KINDS, KINDS
from reviewboard.workspaces.views.guards import redirect_back


@login_required
def inbox(request):
    page = Paginator(Message.objects.inbox_of(request.user).select_related("event"), 25).get_page(
        request.GET.get("page")
    )
    unread = Message.objects.inbox_of(request.user).unread().count()
    return render(request, "notifications/inbox.html", {"page": page, "unread": unread})


@login_required
@require_POST
def mark_read(request, message_id: int):
    message = get_object_or_404(Message.objects.inbox_of(request.user), pk=message_id)
    services.message_mark_read(message=message, actor=request.user)
    return redirect_back(request, reverse("notifications:inbox"))


@login_required
@require_POST
def mark_all_read(request):
    services.inbox_mark_all_read(actor=request.user)
    return redirect("notifications:inbox")


class PreferenceForm(forms.Form):
    kind = forms.CharField(required=False)
    mode = forms.CharField(required=False)


def _label(kind: str) -> str:
    return (
        KINDS[kind][1]
        .replace("“{title}”", "an article")
        .format(member="a board member", due_date="its due date", title="an article", outcome="its outcome")
    )


@login_required
def preferences(request):
    status = 200
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        form.is_valid()  # it parses; the service decides
        try:
            services.preference_set(
                user=request.user, kind=form.cleaned_data.get("kind", ""), mode=form.cleaned_data.get("mode", "")
            )
        except ValidationFailed as error:
            for text in error.messages:
                flash.error(request, text)
            status = 400
        else:
            flash.success(request, "Your notification preference is saved.")
            return redirect("notifications:preferences")
    chosen = dict(NotificationPreference.objects.filter(user=request.user).values_list("kind", "mode"))
    rows = [{"kind": ALL_KINDS, "label": "Everything (unless set below)", "essential": False}] + [
        {"kind": kind, "label": _label(kind), "essential": kind in ESSENTIAL_KINDS} for kind in KINDS
    ]
    for row in rows:
        row["mode"] = chosen.get(row["kind"], "" if row["kind"] != ALL_KINDS else Mode.IMMEDIATE)
    context = {"rows": rows, "modes": Mode.choices}
    return render(request, "notifications/preferences.html", context, status=status)
