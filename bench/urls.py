"""The site's URLs plus the floor: the cheapest Django response through the full middleware stack."""

from django.http import HttpResponse
from django.urls import include, path


def floor(request):
    """Return a tiny response: what any page costs before it does any work of its own."""
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [
    path("bench/floor/", floor, name="bench-floor"),
    path("", include("config.urls")),
]
