"""The reader's URLs. Include at the site root: ``path("", include("articles.urls"))``.

The reader patterns carry the "articles" namespace themselves, so this module also works as a
ROOT_URLCONF on its own (the reader tests use it that way).
"""

from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from articles import views
from articles.feeds import PublishedArticlesFeed
from articles.sitemaps import SITEMAPS

reader_patterns = [
    path("articles/", views.ArticleListView.as_view(), name="list"),
    # Before the slug pattern: no article can take the address "feed".
    path("articles/feed/", PublishedArticlesFeed(), name="feed"),
    # Before the slug pattern too: "preview" is not an article's address.
    path("articles/preview/<str:token>/", views.revision_preview, name="preview"),
    path("articles/<slug:slug>/", views.article_detail, name="detail"),
    path("articles/<slug:slug>/follow-up/", views.follow_up, name="follow_up"),
    path("editorial-policy/", views.EditorialPolicyView.as_view(), name="editorial_policy"),
]

urlpatterns = [
    path("", include((reader_patterns, "articles"))),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
]
