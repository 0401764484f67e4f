from django.apps import AppConfig


class ReviewboardConfig(AppConfig):
    name = "reviewboard"
    verbose_name = "Review board"
