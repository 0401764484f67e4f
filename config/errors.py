"""How a failure looks, decided in one place: the error handlers every request ends in when something raises.

- Under ``/api/`` every failure is JSON in the API's error shape (``{"detail": ..., "errors": [...]}``).
- While PostgreSQL is unreachable (articles.availability.DATABASE_UNAVAILABLE), any page answers 503 with
  ``Retry-After``: HTML for pages, JSON under ``/api/``. Django routes an exception raised anywhere (a view, a
  middleware reading the session, the API) to ``server_error`` while it is being handled, so this one function
  sees them all. Broken connections are closed, so the next request connects afresh: recovery needs nothing; a GET
  that met a connection the database had dropped is answered again at once (config.middleware).
- Cached reader pages answer before any of this (articles.middleware, articles.reader_http), fresh or stale.
"""

import logging
import sys

from django.core.exceptions import RequestDataTooBig
from django.db import connections
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.views import defaults

from articles.availability import DATABASE_UNAVAILABLE

logger = logging.getLogger(__name__)

API_PREFIX = "/api/"
RETRY_AFTER_SECONDS = 30


def is_api(request) -> bool:
    return request.path_info.startswith(API_PREFIX)


def api_error(detail: str, status: int, **headers: str) -> JsonResponse:
    """Return the API's error shape with ``status``."""
    response = JsonResponse({"detail": detail, "errors": [detail]}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


# Set on a request whose database connection was found dropped (and closed): config.middleware retries a GET once.
CONNECTION_DROPPED = "database_connection_dropped"


def database_unavailable(request) -> HttpResponse:
    """Answer 503 with Retry-After while the database cannot be reached: JSON under /api/, a page elsewhere.

    A connection the database dropped (a restart, a failover) is closed and the request marked, so that a GET is
    answered once more on a new connection (config.middleware.RetryOnNewConnectionMiddleware) rather than with 503.
    """
    from articles.reader_http import close_broken_connections

    open_before = [connection for connection in connections.all(initialized_only=True) if connection.connection]
    close_broken_connections()
    if any(connection.connection is None for connection in open_before):
        setattr(request, CONNECTION_DROPPED, True)
    if is_api(request):
        response: HttpResponse = api_error(
            "The service is briefly unavailable; try again shortly.", 503, Retry_After=str(RETRY_AFTER_SECONDS)
        )
    else:
        # Rendered without the request: the context processors would reach for the database again.
        response = HttpResponse(render_to_string("articles/unavailable.html"), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """Answer an unhandled exception: 503 for an unreachable database, JSON under /api/, Django's page otherwise."""
    exception = sys.exc_info()[1]  # Django calls this handler while the exception is being handled
    if isinstance(exception, DATABASE_UNAVAILABLE):
        logger.warning("database unreachable while serving %s", request.path)
        return database_unavailable(request)
    if is_api(request):
        return api_error("A server error occurred; it has been logged.", 500)
    return defaults.server_error(request, template_name)


def bad_request(request, exception, template_name=defaults.ERROR_400_TEMPLATE_NAME):
    if isinstance(exception, RequestDataTooBig) and is_api(request):
        return api_error("The request body is too large.", 413)
    if is_api(request):
        return api_error("The request is not valid.", 400)
    return defaults.bad_request(request, exception, template_name)


def permission_denied(request, exception, template_name=defaults.ERROR_403_TEMPLATE_NAME):
    if is_api(request):
        return api_error("You do not have permission to do this.", 403)
    return defaults.permission_denied(request, exception, template_name)


def page_not_found(request, exception, template_name=defaults.ERROR_404_TEMPLATE_NAME):
    if is_api(request):
        return api_error("There is no API endpoint at this address.", 404)
    return defaults.page_not_found(request, exception, template_name)
