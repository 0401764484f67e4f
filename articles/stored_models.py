"""Reader pages rendered once and kept in the database (articles.stored reads and writes them)."""

from django.db import models


class StoredPageKind(models.TextChoices):
    PATIENT = "patient", "Article page, patients and caregivers"
    PROFESSIONAL = "professional", "Article page, healthcare professionals"
    CARD = "card", "Card in the list and search results"


class StoredPage(models.Model):
    """The HTML of one reader page of an article, as rendered from the article row and revision it names.

    It may be shown only while the article still has that approved revision and that ``updated_at`` (any save of
    the article retires it), it is not retracted, and the running code has the same fingerprint: the one query
    that reads it checks all of it (articles.selectors.stored_page).
    """

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=StoredPageKind.choices)
    # The scheme and host the page links to (canonical URL, JSON-LD); "" for a card, whose links are relative.
    origin = models.CharField(max_length=200, blank=True)
    revision = models.ForeignKey("articles.Revision", on_delete=models.CASCADE, related_name="+")
    article_updated_at = models.DateTimeField()
    fingerprint = models.CharField(max_length=64)
    html = models.TextField()
    etag = models.CharField(max_length=100, blank=True)
    last_modified = models.BigIntegerField(default=0)  # POSIX seconds, as HTTP dates count
    # When what the page shows changes with time alone (its review falls due): not served from then on.
    expires_at = models.DateTimeField(null=True, blank=True)
    rendered_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["article", "kind", "origin"], name="stored_page_per_article_kind_origin")
        ]

    def __str__(self) -> str:
        return f"{self.kind} page of article {self.article_id} (revision {self.revision_id})"


class ReaderGeneration(models.Model):
    """One row whose ``value`` moves on, in the same transaction, whenever the set of published articles or their
    approved revisions changes (articles.stored): a stored search result is served only under the value it was
    computed under."""

    value = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"reader generation {self.value}"


class StoredSearch(models.Model):
    """The ordered ids of the published articles a search matches, computed once and served while the published
    articles stay as they were (``generation``); a list page is then a slice of it plus the stored cards."""

    key = models.CharField(max_length=64, unique=True)  # SHA-256 of the normalised query
    query = models.CharField(max_length=200, blank=True)
    generation = models.BigIntegerField()
    article_ids = models.TextField()  # comma-separated, best match first: all of them
    stored_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"search “{self.query}” (generation {self.generation})"
