from django.apps import AppConfig


class TransparencyConfig(AppConfig):
    name = "transparency"
    verbose_name = "What readers are shown about the page"

    def ready(self):
        # The sitemap is served by ``articles``, which never imports this app: the pages join it here.
        from articles.sitemaps import SITEMAPS
        from transparency.sitemaps import BoardProfileSitemap, TransparencyPageSitemap

        SITEMAPS["board"] = BoardProfileSitemap
        SITEMAPS["transparency"] = TransparencyPageSitemap
