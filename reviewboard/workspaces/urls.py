"""URLs of the accounts and of the author, board and editor workspaces."""

from allauth.account import views as allauth_views
from django.urls import path

from identity import views as identity_views
from reviewboard.workspaces.views import accounts, actions, author, board, editor, people, references, threads

app_name = "workspaces"

# Signing in and out and the password are allauth's (identity.views.LoginView adds django-axes); the rest of
# allauth's pages (second factors, single sign-on) follow in config.urls under the same /accounts/.
account_patterns = [
    path("accounts/login/", identity_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", allauth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/change/", allauth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/reset/", allauth_views.PasswordResetView.as_view(), name="password_reset"),
    path("home/", accounts.home, name="home"),
]

author_patterns = [
    path("author/", author.dashboard, name="author"),
    path("author/articles/new/", author.article_new, name="author_new"),
    path("author/articles/new/autosave/", author.article_autosave, name="author_autosave_new"),
    path("author/preview/", author.article_live_preview, name="author_live_preview"),
    path("author/articles/<slug:slug>/", author.article_detail, name="author_article"),
    path("author/articles/<slug:slug>/edit/", author.article_edit, name="author_edit"),
    path("author/articles/<slug:slug>/autosave/", author.article_autosave, name="author_autosave"),
    path("author/articles/<slug:slug>/preview/", author.article_preview, name="author_preview"),
    path("author/articles/<slug:slug>/diff/", author.article_diff, name="author_diff"),
    path("author/articles/<slug:slug>/reader-note/", people.reader_note, name="author_reader_note"),
    path("author/byline/", people.author_byline, name="author_byline"),
    path("author/references/import/", references.reference_import_start, name="author_reference_import"),
    path("author/references/import/<int:lookup_id>/", references.reference_lookup, name="author_reference_lookup"),
]

board_patterns = [
    path("review/", board.dashboard, name="board"),
    path("review/profile/", people.board_profile, name="board_profile"),
    path("review/assignments/<int:assignment_id>/", board.assignment_detail, name="board_assignment"),
    path("review/assignments/<int:assignment_id>/accept/", board.assignment_accept, name="board_accept"),
    path("review/assignments/<int:assignment_id>/decline/", board.assignment_decline, name="board_decline"),
    path("review/assignments/<int:assignment_id>/decide/", board.assignment_decide, name="board_decide"),
]

editor_patterns = [
    path("editor/", editor.dashboard, name="editor"),
    path("editor/board/", people.board_verification, name="editor_board"),
    path("editor/articles/<slug:slug>/", editor.article_detail, name="editor_article"),
    path("editor/articles/<slug:slug>/assign/", editor.assign, name="editor_assign"),
    path("editor/articles/<slug:slug>/review-interval/", people.review_interval, name="editor_review_interval"),
    path("editor/articles/<slug:slug>/auto-assign/", editor.auto_assign, name="editor_auto_assign"),
    path(
        "editor/articles/<slug:slug>/assignments/<int:assignment_id>/cancel/",
        editor.assignment_cancel,
        name="editor_cancel_assignment",
    ),
    path(
        "editor/articles/<slug:slug>/assignments/<int:assignment_id>/rating/",
        editor.rate_review,
        name="editor_rate_review",
    ),
]

# Every transition action (submit, withdraw, revise, reject, retract, reopen) of the action registry.
action_patterns = [
    path("workspace/articles/<slug:slug>/<slug:name>/", actions.article_action, name="article_action"),
]

thread_patterns = [
    path("workspace/articles/<slug:slug>/threads/", threads.open_thread, name="thread_open"),
    path("workspace/threads/<int:thread_id>/reply/", threads.reply, name="thread_reply"),
    path("workspace/threads/<int:thread_id>/resolve/", threads.resolve, name="thread_resolve"),
    path("workspace/threads/<int:thread_id>/reopen/", threads.reopen, name="thread_reopen"),
]

urlpatterns = thread_patterns + account_patterns + author_patterns + board_patterns + editor_patterns + action_patterns
