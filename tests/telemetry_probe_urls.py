"""A URL whose view raises, for the Sentry probe (tests/telemetry_probe.py)."""

from django.urls import path


def boom(request):
    raise RuntimeError("a failure Sentry must hear about")


urlpatterns = [path("boom", boom)]
