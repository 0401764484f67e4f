"""The reader's URLs. Include at the site root: ``path("", include("articles.urls"))``.

The reader patterns carry the "articles" namespace themselves, so this module also works as a
ROOT_URLCONF on its own (the reader tests use it that way).
"""

from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from articles import views
from articles.feeds import PublishedArticlesFeed
from articles.replica import reader_reads
from articles.sitemaps import SITEMAPS

# reader_reads: views that show approved content only; an anonymous reader's reads there may use a current replica.
reader_patterns = [
    path("articles/", reader_reads(views.ArticleListView.as_view()), name="list"),
    # Before the slug pattern: no article can take the address "feed".
    path("articles/feed/", reader_reads(PublishedArticlesFeed()), name="feed"),
    # Before the slug pattern too: "preview" is not an article's address.
    path("articles/preview/<str:token>/", views.revision_preview, name="preview"),
    path("articles/<slug:slug>/", views.article_detail, name="detail"),  # reader_reads in articles.views
    path("articles/<slug:slug>/follow-up/", views.follow_up, name="follow_up"),
    path("editorial-policy/", reader_reads(views.EditorialPolicyView.as_view()), name="editorial_policy"),
]

urlpatterns = [
    path("", include((reader_patterns, "articles"))),
    path("sitemap.xml", reader_reads(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
]
