"""Content tasks. Celery discovers this module."""

from celery import shared_task
from django.db import DatabaseError

from articles import services, stored, views


@shared_task(name="articles.reference_lookup", acks_late=True, autoretry_for=(DatabaseError,), retry_backoff=True)
def reference_lookup(lookup_id: int) -> str:
    """Look up a DOI or PMID an author pasted (Crossref, NCBI E-utilities) and store what was found."""
    return services.reference_lookup_run(lookup_id=lookup_id).status


@shared_task(name="articles.render_stored_pages", acks_late=True, autoretry_for=(DatabaseError,), retry_backoff=True)
def render_stored_pages(article_id: int) -> int:
    """Render and store the reader pages and card of a published article; return how many were stored."""
    return stored.fill_article(article_id=article_id, render=views.render_article_page)
