"""The site's URLconf: the order of its patterns (the readers' first) never hides one behind another."""

import re

from django.urls import URLResolver, get_resolver, resolve

# A value for each path converter, to turn a route into an address it matches.
SAMPLES = {
    "int": "7",
    "slug": "a-slug",
    "str": "a-token",
    "uuid": "12345678-1234-5678-1234-567812345678",
    "path": "a/b",
}


def routes(patterns, prefix=""):
    """Yield (route, pattern) for every endpoint under ``patterns``; regex routes (the admin's) are left out."""
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, route)
        elif not route.startswith("^") and "(?P" not in route:
            yield route, pattern


# allauth's own patterns that the workspace's names answer first, on purpose: the same allauth views, the sign-in
# counted by django-axes (identity.views.LoginView).
ANSWERED_BY_THE_WORKSPACE = {
    "account_login": "workspaces:login",
    "account_logout": "workspaces:logout",
    "account_change_password": "workspaces:password_change",
    "account_reset_password": "workspaces:password_reset",
}


def test_every_address_reaches_its_own_pattern_not_an_earlier_one():
    checked = []
    for route, pattern in routes(get_resolver("config.urls").url_patterns):
        address = "/" + re.sub(r"<(?:(\w+):)?\w+>", lambda match: SAMPLES[match.group(1) or "str"], route)
        match = resolve(address, "config.urls")
        if pattern.name in ANSWERED_BY_THE_WORKSPACE:
            assert match.view_name == ANSWERED_BY_THE_WORKSPACE[pattern.name], address
            assert issubclass(match.func.view_class, pattern.callback.view_class), address
            continue
        assert match.func is pattern.callback or match.url_name == pattern.name, (address, match.view_name)
        checked.append(address)

    assert "/articles/a-slug/" in checked and "/editor/" in checked
