"""Tasks of the reader side. Celery discovers this module."""

from celery import shared_task
from django.db import DatabaseError

from articles import stored, views


@shared_task(name="articles.render_stored_pages", acks_late=True, autoretry_for=(DatabaseError,), retry_backoff=True)
def render_stored_pages(article_id: int) -> int:
    """Render and store the reader pages and card of a published article; return how many were stored."""
    return stored.fill_article(article_id=article_id, render=views.render_article_page)
