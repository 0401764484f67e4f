"""The account's own pages: /accounts/security/ and /accounts/tokens/."""

from django.urls import path

from identity import views

app_name = "identity"

urlpatterns = [
    path("security/", views.security, name="security"),
    path("security/sessions/end/", views.sessions_end, name="sessions_end"),
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<str:token_key>/revoke/", views.token_revoke, name="token_revoke"),
]
