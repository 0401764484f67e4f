"""The Atom feed of published articles."""

from django.contrib.syndication.views import Feed
from django.urls import reverse, reverse_lazy
from django.utils.feedgenerator import Atom1Feed

from articles.rendering import render_markdown
from articles.selectors import published_articles

FEED_LENGTH = 50


class PublishedArticlesFeed(Feed):
    feed_type = Atom1Feed
    title = "Medically reviewed articles"
    subtitle = "Articles approved by our Medical Advisory Board, newest approval first."
    link = reverse_lazy("articles:list")

    def items(self):
        return published_articles().order_by("-approved_at", "pk")[:FEED_LENGTH]

    def item_title(self, item):
        return item.approved_revision.title

    def item_description(self, item):
        # Atom's summary is type="html": the summary as the page shows it (Markdown through the page's allow-list,
        # raw HTML escaped), never the author's text as markup. Titles and categories are Atom text: escaped.
        return render_markdown(item.approved_revision.summary_patient)

    def item_link(self, item):
        return reverse("articles:detail", args=[item.slug])

    def item_pubdate(self, item):
        return item.approved_at

    def item_updateddate(self, item):
        return item.approved_at

    def item_categories(self, item):
        return [item.specialty.name]
