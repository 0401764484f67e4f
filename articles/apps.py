from django.apps import AppConfig


class ArticlesConfig(AppConfig):
    name = "articles"

    def ready(self):
        from articles import cache, stored

        cache.connect_invalidation()
        stored.connect_retirement()
