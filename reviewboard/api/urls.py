"""The API: ``/api/v1/`` (versioned), its OpenAPI schema at ``/api/schema/`` and docs at ``/api/docs/``."""

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from articles.replica import reader_reads
from reviewboard.api.views import authors, base, board, editors, public, threads

app_name = "api"

v1 = [
    path("auth/token/", base.TokenView.as_view(), name="token"),
    # Public: approved content only, so an anonymous reader's reads may use a current replica (articles.replica).
    path("specialties/", reader_reads(public.SpecialtyListView.as_view()), name="specialties"),
    path("articles/", reader_reads(public.PublishedArticleListView.as_view()), name="articles"),
    path("articles/<slug:slug>/", reader_reads(public.PublishedArticleDetailView.as_view()), name="article"),
    # Authors
    path("drafts/", authors.DraftListCreateView.as_view(), name="drafts"),
    path("drafts/<slug:slug>/", authors.DraftDetailView.as_view(), name="draft"),
    path("drafts/<slug:slug>/revisions/", authors.DraftRevisionView.as_view(), name="draft-revisions"),
    path("drafts/<slug:slug>/submit/", authors.draft_submit, name="draft-submit"),
    path("drafts/<slug:slug>/resubmit/", authors.draft_resubmit, name="draft-resubmit"),
    path("drafts/<slug:slug>/withdraw/", authors.draft_withdraw, name="draft-withdraw"),
    path("drafts/<slug:slug>/revise/", authors.draft_revise, name="draft-revise"),
    # Board members
    path("assignments/", board.MyAssignmentListView.as_view(), name="assignments"),
    path("assignments/<int:pk>/", board.AssignmentDetailView.as_view(), name="assignment"),
    path("assignments/<int:pk>/accept/", board.AssignmentAcceptView.as_view(), name="assignment-accept"),
    path("assignments/<int:pk>/decline/", board.AssignmentDeclineView.as_view(), name="assignment-decline"),
    path("assignments/<int:pk>/review/", board.AssignmentReviewView.as_view(), name="assignment-review"),
    # Comment threads on the text: authors, reviewers and editors alike, each seeing what they may
    path("review/articles/<slug:slug>/threads/", threads.ArticleThreadsView.as_view(), name="threads"),
    path("threads/<int:pk>/", threads.ThreadDetailView.as_view(), name="thread"),
    path("threads/<int:pk>/replies/", threads.ThreadReplyView.as_view(), name="thread-replies"),
    path("threads/<int:pk>/resolve/", threads.ThreadResolveView.as_view(), name="thread-resolve"),
    path("threads/<int:pk>/reopen/", threads.ThreadReopenView.as_view(), name="thread-reopen"),
    # Editors
    path("editorial/articles/", editors.EditorArticleListView.as_view(), name="editorial-articles"),
    path("editorial/board-members/", editors.BoardMemberListView.as_view(), name="editorial-board-members"),
    path(
        "editorial/articles/<slug:slug>/assignments/",
        editors.ArticleAssignmentView.as_view(),
        name="editorial-assignments",
    ),
    path("editorial/articles/<slug:slug>/auto-assign/", editors.AutoAssignView.as_view(), name="editorial-auto-assign"),
    path("editorial/articles/<slug:slug>/reject/", editors.editor_reject, name="editorial-reject"),
    path("editorial/articles/<slug:slug>/retract/", editors.editor_retract, name="editorial-retract"),
    path("editorial/articles/<slug:slug>/reopen/", editors.editor_reopen, name="editorial-reopen"),
    path("editorial/reviews/<int:pk>/rating/", editors.ReviewRatingView.as_view(), name="editorial-review-rating"),
    path("editorial/assignments/<int:pk>/cancel/", editors.AssignmentCancelView.as_view(), name="editorial-cancel"),
]

urlpatterns = [
    path("v1/", include(v1)),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    # Anything else under /api/ answers a JSON 404.
    re_path(r"^", base.NotFoundView.as_view(), name="not-found"),
]
