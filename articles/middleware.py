"""Answering readers' article and list pages early in the middleware stack."""

import functools

from django.urls import Resolver404, ResolverMatch, get_urlconf, resolve

# The reader views a GET reaches without the layers below this middleware.
EARLY_VIEWS = frozenset({"articles:detail", "articles:list"})


class ReaderPagesMiddleware:
    """Answer a GET of an article page or the list before the layers such a request never uses.

    Sessions, CSRF, authentication, messages, allauth, the second-factor rule and django-axes do nothing for these
    pages: they show everyone the same approved content (rendered once, for an anonymous reader), and a signed-in
    reader only their own account links, which need to know whether the session names a person
    (articles.reader_http.session_names_a_person), not who. Yet those layers cost every reader page a sixth of what
    a minimal page costs, and loading a signed-in reader's account a third of their page. The view is the same one
    (cache, stored page, render, 404 and 410, 503 while the database is down); only the layers it skips differ.
    Placed after the middleware that set the security headers (Security, CSP, X-Frame-Options), so the answer
    carries them; anything else (another page, a POST) goes down the whole stack.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in ("GET", "HEAD"):
            match = reader_view(request.path_info, get_urlconf())  # nothing above sets request.urlconf
            if match is not None:
                return self._answer(request, match)
        return self.get_response(request)

    def _answer(self, request, match: ResolverMatch):
        request.resolver_match = match  # as the handler sets it: templates and telemetry read it
        response = match.func(request, *match.args, **match.kwargs)  # both views return rendered responses
        if not response.streaming and not response.has_header("Content-Length"):
            response.headers["Content-Length"] = str(len(response.content))  # CommonMiddleware's part, skipped
        return response


@functools.lru_cache(maxsize=1024)
def reader_view(path: str, urlconf: str | None) -> ResolverMatch | None:
    """Return the URLconf's match for ``path`` if it is one of the EARLY_VIEWS, else None.

    Memoised, as resolving an address is a pure function of it and of the URLconf (code): resolving took a cache
    hit 20 µs; the most read addresses stay in the memo.
    """
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return None
    return match if match.view_name in EARLY_VIEWS else None
