"""The sitemap's entries for the board, its members' profiles and the corrections page."""

from django.contrib.sitemaps import Sitemap
from django.urls import NoReverseMatch, reverse

from reviewboard.selectors import public_board


def _served() -> bool:
    """Whether the URLconf serves these pages (the readers' own URLconf, ``articles.urls``, does not)."""
    try:
        reverse("transparency:board")
    except NoReverseMatch:
        return False
    return True


class TransparencyPageSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return ["transparency:board", "transparency:corrections"] if _served() else []

    def location(self, item):
        return reverse(item)


class BoardProfileSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return public_board().exclude(slug=None) if _served() else []

    def location(self, item):
        return item.get_absolute_url()
