"""URLs of the dashboard."""

from django.urls import path

from reviewboard.dashboard import views

app_name = "dashboard"
urlpatterns = [path("", views.dashboard, name="index")]
