"""The public pages of the board, the profiles, corrections and what changed. Include at the site root."""

from django.urls import path

from articles.replica import reader_reads
from transparency import views

app_name = "transparency"

urlpatterns = [
    path("board/", reader_reads(views.board), name="board"),
    path("board/<slug:slug>/", reader_reads(views.profile), name="profile"),
    path("corrections/", reader_reads(views.corrections), name="corrections"),
    path("articles/<slug:slug>/changes/", reader_reads(views.changes), name="changes"),
]
