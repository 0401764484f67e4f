"""Content tasks. Celery discovers this module."""

from celery import shared_task
from django.db import DatabaseError

from articles import services


@shared_task(name="articles.reference_lookup", acks_late=True, autoretry_for=(DatabaseError,), retry_backoff=True)
def reference_lookup(lookup_id: int) -> str:
    """Look up a DOI or PMID an author pasted (Crossref, NCBI E-utilities) and store what was found."""
    return services.reference_lookup_run(lookup_id=lookup_id).status
