"""URLs of the editors' intake queue. Mount with ``path("editor/intake/", include("reviewboard.intake.urls"))``."""

from django.urls import path

from reviewboard.intake import views

app_name = "intake"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("<int:pk>/", views.question_detail, name="question"),
    path("<int:pk>/convert/", views.question_convert, name="convert"),
    path("<int:pk>/close/", views.question_close, name="close"),
]
