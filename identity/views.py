"""The account's pages: sign-in (allauth's, counted by django-axes), security, sessions and API tokens."""

from allauth.account.views import LoginView as AllauthLoginView
from allauth.usersessions.models import UserSession
from axes.decorators import axes_dispatch, axes_form_invalid
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from articles.exceptions import ValidationFailed
from articles.forms import add_field_errors
from identity import services
from identity.forms import TokenCreateForm
from identity.selectors import security_overview


@method_decorator(axes_dispatch, name="dispatch")
@method_decorator(axes_form_invalid, name="form_invalid")
class LoginView(AllauthLoginView):
    """allauth's sign-in (with its second-factor step), refused by django-axes while locked out."""


@login_required
def security(request):
    """Show the person's factors, recovery codes, latest sign-ins and sessions."""
    return render(
        request,
        "identity/security.html",
        {
            "overview": security_overview(request.user),
            "sessions": UserSession.objects.purge_and_list(request.user),
        },
    )


@require_POST
@login_required
def sessions_end(request):
    """Sign out every other session of the person."""
    ended = services.sessions_end_others(request=request, user=request.user)
    messages.success(request, f"Signed out everywhere else ({ended} other session{'s' if ended != 1 else ''}).")
    return redirect("identity:security")


@login_required
def tokens(request):
    """List the person's API tokens; create one (its secret is shown once)."""
    form = TokenCreateForm(request.POST or None)
    issued = None
    if request.method == "POST" and form.is_valid():
        try:
            issued = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
        except ValidationFailed as error:
            add_field_errors(form, error)
        else:
            form = TokenCreateForm()
    return render(
        request,
        "identity/tokens.html",
        {"form": form, "issued": issued, "tokens": services.api_tokens_of(request.user)},
    )


@require_POST
@login_required
def token_revoke(request, token_key: str):
    """Revoke one of the person's API tokens."""
    if services.api_token_revoke(user=request.user, token_key=token_key):
        messages.success(request, "The token is revoked: programs using it can no longer sign in.")
    else:
        messages.error(request, "There is no such token among yours (it may have expired or been revoked).")
    return redirect("identity:tokens")
