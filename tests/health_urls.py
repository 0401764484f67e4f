"""The site's URLs plus the health endpoints, until config/urls.py routes them itself."""

from django.urls import include, path

from config import health

urlpatterns = [
    path("healthz", health.liveness, name="healthz"),
    path("readyz", health.readiness, name="readyz"),
    path("", include("config.urls")),
]
