"""The site's URLs plus the intake queue, until config/urls.py mounts it."""

from django.urls import include, path

from config.urls import urlpatterns as site_patterns

urlpatterns = [path("editor/intake/", include("reviewboard.intake.urls")), *site_patterns]
