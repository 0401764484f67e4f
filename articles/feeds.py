"""The Atom feed of published articles, with their corrections and the retraction notices (COPE)."""

from django.contrib.syndication.views import Feed
from django.urls import reverse, reverse_lazy
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, format_html

from articles.rendering import render_markdown
from articles.selectors import feed_articles

FEED_LENGTH = 50


class PublishedArticlesFeed(Feed):
    feed_type = Atom1Feed
    title = "Medically reviewed articles"
    subtitle = "Articles approved by our Medical Advisory Board, newest first, with corrections and retractions."
    link = reverse_lazy("articles:list")

    def items(self):
        published, retracted = feed_articles(limit=FEED_LENGTH)
        entries = [(article.approved_at, article) for article in published]
        entries += [(article.retracted_at, article) for article in retracted]
        entries.sort(key=lambda entry: (entry[0], -entry[1].pk), reverse=True)
        return [article for _, article in entries[:FEED_LENGTH]]

    @staticmethod
    def _retracted(item) -> bool:
        return item.retracted_at is not None

    def item_title(self, item):
        title = item.approved_revision.title
        if self._retracted(item):
            return f"Retracted: {title}"
        return f"Corrected: {title}" if getattr(item, "is_correction", False) else title

    def item_description(self, item):
        # Atom's summary is type="html": the summary as the page shows it (Markdown through the page's allow-list,
        # raw HTML escaped), never the author's text as markup; notices and notes are text, escaped.
        if self._retracted(item):
            return escape(f"Our editors retracted this article. {item.retraction_notice}".strip())
        summary = render_markdown(item.approved_revision.summary_patient)
        if getattr(item, "is_correction", False):
            note = getattr(item, "reader_note", "") or ""
            if note:
                return format_html("<p>Correction: {}</p>{}", note, summary)
            return format_html("<p>Correction.</p>{}", summary)
        return summary

    def item_link(self, item):
        return reverse("articles:detail", args=[item.slug])

    def item_guid(self, item):
        # A new approval or a retraction is a new entry of the same article.
        moment = item.retracted_at if self._retracted(item) else item.approved_at
        return f"{reverse('articles:detail', args=[item.slug])}#{moment.isoformat()}"

    item_guid_is_permalink = False

    def item_pubdate(self, item):
        return item.retracted_at if self._retracted(item) else item.approved_at

    def item_updateddate(self, item):
        return self.item_pubdate(item)

    def item_categories(self, item):
        return [item.specialty.name]
