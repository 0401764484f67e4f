"""The site's addresses plus the institution's provider at /idp/ (loaded only while the test installed it)."""

from django.urls import include, path

from config.urls import urlpatterns as site_urlpatterns

urlpatterns = [path("idp/", include("oauth2_provider.urls", namespace="oauth2_provider")), *site_urlpatterns]
