"""Search over what readers may see: the approved revision of each published article, nothing else."""

from django.db import connection
from django.db.models import F, Func, JSONField, Q, QuerySet, TextField, Value
from django.db.models.functions import Cast, Coalesce

from articles.models import Article
from articles.selectors import published_articles

# The approved revision's text, the only text a search may look at.
TITLE = "approved_revision__title"
SUMMARIES = ("approved_revision__summary_patient", "approved_revision__summary_professional")
SECTIONS = "approved_revision__sections"
SEARCH_CONFIG = "english"


def search_published(query: str) -> QuerySet[Article]:
    """Return the published articles whose approved text matches ``query``, best match first.

    PostgreSQL ranks a full-text match (title above summaries above sections); a word typed in
    part still finds the article by substring, ranked after the full-text matches. SQLite
    matches substrings only, newest approval first.
    """
    query = query.strip()
    articles = published_articles()
    if not query:
        return articles.order_by("-approved_at", "pk")
    articles = articles.annotate(sections_text=_sections_text())
    substring = _substring_match(query)
    if connection.vendor != "postgresql":
        return articles.filter(substring).order_by("-approved_at", "pk")

    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    vector = (
        SearchVector(TITLE, weight="A", config=SEARCH_CONFIG)
        + SearchVector(*SUMMARIES, weight="B", config=SEARCH_CONFIG)
        + SearchVector("sections_text", weight="C", config=SEARCH_CONFIG)
    )
    search_query = SearchQuery(query, search_type="websearch", config=SEARCH_CONFIG)
    return (
        articles.annotate(document=vector)
        .annotate(rank=Coalesce(SearchRank(F("document"), search_query), Value(0.0)))
        .filter(Q(document=search_query) | substring)
        .order_by("-rank", "-approved_at", "pk")
    )


def _sections_text():
    """Return the approved sections' headings and bodies as one text, for matching."""
    if connection.vendor == "postgresql":
        # Only the values: the key names "heading" and "body" must not match a query.
        values = Func(
            F(SECTIONS), template="jsonb_path_query_array(%(expressions)s, '$[*].*')", output_field=JSONField()
        )
        return Cast(values, TextField())
    # SQLite keeps the JSON text (with its key names, and non-ASCII letters escaped).
    return Cast(SECTIONS, TextField())


def _substring_match(query: str) -> Q:
    condition = Q(**{f"{TITLE}__icontains": query})
    for field in SUMMARIES:
        condition |= Q(**{f"{field}__icontains": query})
    return condition | Q(sections_text__icontains=query)
