"""The API: ``/api/v1/`` (versioned), its OpenAPI schema at ``/api/schema/`` and docs at ``/api/docs/``."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from reviewboard.api import views

app_name = "api"

v1 = [
    path("auth/token/", views.TokenView.as_view(), name="token"),
    # Public
    path("specialties/", views.SpecialtyListView.as_view(), name="specialties"),
    path("articles/", views.PublishedArticleListView.as_view(), name="articles"),
    path("articles/<slug:slug>/", views.PublishedArticleDetailView.as_view(), name="article"),
    # Authors
    path("drafts/", views.DraftListCreateView.as_view(), name="drafts"),
    path("drafts/<slug:slug>/", views.DraftDetailView.as_view(), name="draft"),
    path("drafts/<slug:slug>/revisions/", views.DraftRevisionView.as_view(), name="draft-revisions"),
    path("drafts/<slug:slug>/submit/", views.draft_submit, name="draft-submit"),
    path("drafts/<slug:slug>/withdraw/", views.draft_withdraw, name="draft-withdraw"),
    path("drafts/<slug:slug>/revise/", views.draft_revise, name="draft-revise"),
    # Board members
    path("assignments/", views.MyAssignmentListView.as_view(), name="assignments"),
    path("assignments/<int:pk>/", views.AssignmentDetailView.as_view(), name="assignment"),
    path("assignments/<int:pk>/accept/", views.AssignmentAcceptView.as_view(), name="assignment-accept"),
    path("assignments/<int:pk>/decline/", views.AssignmentDeclineView.as_view(), name="assignment-decline"),
    path("assignments/<int:pk>/review/", views.AssignmentReviewView.as_view(), name="assignment-review"),
    # Editors
    path("editorial/articles/", views.EditorArticleListView.as_view(), name="editorial-articles"),
    path("editorial/board-members/", views.BoardMemberListView.as_view(), name="editorial-board-members"),
    path(
        "editorial/articles/<slug:slug>/assignments/",
        views.ArticleAssignmentView.as_view(),
        name="editorial-assignments",
    ),
    path("editorial/articles/<slug:slug>/auto-assign/", views.AutoAssignView.as_view(), name="editorial-auto-assign"),
    path("editorial/articles/<slug:slug>/reject/", views.editor_reject, name="editorial-reject"),
    path("editorial/articles/<slug:slug>/retract/", views.editor_retract, name="editorial-retract"),
    path("editorial/articles/<slug:slug>/reopen/", views.editor_reopen, name="editorial-reopen"),
    path("editorial/assignments/<int:pk>/cancel/", views.AssignmentCancelView.as_view(), name="editorial-cancel"),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # Anything else under /api/ answers a JSON 404.
    re_path(r"^", views.NotFoundView.as_view(), name="not-found"),
]
