"""Send a person whose role requires a second factor, and who has none, to set one up first."""

import logging

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect

from identity.policy import second_factor_missing

logger = logging.getLogger("identity")

# The surfaces that need a second factor: every workspace, the admin, the API, the token page.
GATED_NAMESPACES = {"workspaces", "admin", "dashboard", "intake", "notifications", "api", "identity"}
# What stays open: signing in and out, the password, the account page where the factor is set up,
# and the API's public reads and its own sign-in (which asks for the code itself).
OPEN_VIEWS = {
    ("workspaces", "login"),
    ("workspaces", "logout"),
    ("workspaces", "password_change"),
    ("workspaces", "password_reset"),
    ("identity", "security"),
    ("identity", "sessions_end"),
    ("api", "token"),
    ("api", "specialties"),
    ("api", "articles"),
    ("api", "article"),
    ("api", "schema"),
    ("api", "docs"),
    ("api", "not-found"),
}
SET_UP_MESSAGE = (
    "Your role can change what patients read, so your account needs a second factor: "
    "set up an authenticator app or a security key to go on."
)


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or not match.namespaces:
            return None
        namespace = match.namespaces[0]
        if namespace not in GATED_NAMESPACES or (namespace, match.url_name) in OPEN_VIEWS:
            return None
        if not second_factor_missing(request):
            return None
        logger.info("second factor required: user %s sent to set one up from %s", request.user.pk, request.path)
        if namespace == "api":
            return JsonResponse({"detail": SET_UP_MESSAGE, "errors": [SET_UP_MESSAGE], "field_errors": []}, status=403)
        messages.warning(request, SET_UP_MESSAGE)
        return redirect("identity:security")
