"""The sitemap: the reader's static pages and every published article."""

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from articles.selectors import published_articles


class PublishedArticleSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return published_articles().order_by("slug")

    def location(self, item):
        return reverse("articles:detail", args=[item.slug])

    def lastmod(self, item):
        return item.approved_at


class ReaderPageSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return ["articles:list", "articles:editorial_policy"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {"articles": PublishedArticleSitemap, "pages": ReaderPageSitemap}
