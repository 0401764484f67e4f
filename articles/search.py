"""Search over what readers may see: the approved revision of each published article, nothing else.

On PostgreSQL each revision stores its weighted search document in the ``search_vector`` column
(migration 0006: generated at insert, GIN-indexed; not a model field), and a search is one indexed
``@@`` match on the approved revision, ranked with ``ts_rank``. Every word matches as a prefix, so a
word typed in part still finds the article. Other databases match a substring.
"""

import re

from django.db import connection
from django.db.models import Count, Expression, Q, QuerySet, TextField, Window
from django.db.models.functions import Cast

from articles.models import Article
from articles.selectors import published_articles

# The approved revision's text, the only text a search may look at.
TITLE = "approved_revision__title"
SUMMARIES = ("approved_revision__summary_patient", "approved_revision__summary_professional")
SECTIONS = "approved_revision__sections"
SEARCH_CONFIG = "english"
SEARCH_VECTOR_COLUMN = "search_vector"
# A query longer than this many terms is cut: the reader list takes at most 200 characters anyway.
MAX_TERMS = 32

# A term of the query: "a phrase" (closing quote optional), or a run of non-space characters; a leading
# "-" negates it, as in web search syntax.
_TERM = re.compile(r'(-?)(?:"([^"]*)"?|(\S+))')
# The words of a term: letters and digits only, so the tsquery built from them is always well formed.
_WORD = re.compile(r"[^\W_]+")


def search_published(query: str) -> QuerySet[Article]:
    """Return the published articles whose approved text matches ``query``, best match first.

    PostgreSQL ranks a full-text match (title above summaries above sections), then newest approval;
    each word matches as a prefix of a (stemmed) word, ``-word`` excludes, ``"a phrase"`` keeps its
    order and ``or`` joins alternatives. A query without any letter or digit finds nothing. SQLite
    matches substrings only, newest approval first.
    """
    query = query.strip()
    articles = published_articles()
    if not query:
        return articles.order_by("-approved_at", "pk")
    if connection.vendor != "postgresql":
        articles = articles.annotate(sections_text=Cast(SECTIONS, TextField()))
        return articles.filter(_substring_match(query)).order_by("-approved_at", "pk")

    raw = prefix_tsquery(query)
    if not raw:
        return articles.none()
    return ranked_matches(articles, raw)


def ranked_matches(articles: QuerySet[Article], raw: str) -> QuerySet[Article]:
    """Return the ``articles`` whose approved text matches the raw tsquery ``raw``, best first (PostgreSQL only).

    The list's search and the reader's instant answers both rank here: one index, one order.
    """
    from django.contrib.postgres.search import SearchQuery, SearchRank

    search_query = SearchQuery(raw, search_type="raw", config=SEARCH_CONFIG)
    # ``alias`` keeps the document out of the SELECT and the count; only the page computes the rank.
    return (
        articles.alias(document=ApprovedRevisionVector())
        .filter(document=search_query)
        .annotate(rank=SearchRank(ApprovedRevisionVector(), search_query))
        .order_by("-rank", "-approved_at", "pk")
    )


def prefix_tsquery(query: str) -> str:
    """Return ``query`` (web search syntax) as ``to_tsquery`` text where every word is a prefix, or "".

    Built only from letters and digits, operators and ``:*``, so no user text can break the syntax;
    it is passed to the database as a parameter, never interpolated into SQL.
    """
    alternatives: list[list[str]] = [[]]
    for number, match in enumerate(_TERM.finditer(query)):
        if number >= MAX_TERMS:
            break
        negated, phrase, word = match.groups()
        if phrase is None and not negated and word.lower() == "or":
            if alternatives[-1]:
                alternatives.append([])
            continue
        words = _WORD.findall(phrase if phrase is not None else word)
        if not words:
            continue
        if negated:
            # An excluded word is excluded exactly (stemmed), not as a prefix.
            alternatives[-1].append("!(" + " <-> ".join(words) + ")")
        else:
            joiner = " <-> " if phrase is not None else " & "
            alternatives[-1].append("(" + joiner.join(f"{w}:*" for w in words) + ")")
    return " | ".join("(" + " & ".join(terms) + ")" for terms in alternatives if terms)


class ApprovedRevisionVector(Expression):
    """The stored ``search_vector`` of the article's approved revision (PostgreSQL, migration 0006).

    Resolves the join to the approved revision as the query already makes it (``select_related``),
    and names the column on that join's alias, whatever the alias is.
    """

    def __init__(self, column=None):
        from django.contrib.postgres.search import SearchVectorField

        super().__init__(output_field=SearchVectorField())
        self.column = column

    def get_source_expressions(self):
        return [self.column] if self.column is not None else []

    def set_source_expressions(self, expressions):
        if expressions:
            (self.column,) = expressions

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        clone = self.copy()
        # Any real column of the approved revision: its join alias is the one the vector lives on.
        clone.column = query.resolve_ref(TITLE, allow_joins, reuse, summarize)
        return clone

    def as_sql(self, compiler, connection):
        alias = compiler.quote_name_unless_alias(self.column.alias)
        return f"{alias}.{connection.ops.quote_name(SEARCH_VECTOR_COLUMN)}", []


def _substring_match(query: str) -> Q:
    """Match ``query`` as a substring of the title, the summaries or the sections' text."""
    condition = Q(**{f"{TITLE}__icontains": query})
    for field in SUMMARIES:
        condition |= Q(**{f"{field}__icontains": query})
    # SQLite keeps the JSON text (with its key names, and non-ASCII letters escaped).
    return condition | Q(sections_text__icontains=query)


def search_page(query: str, *, offset: int, limit: int) -> tuple[list[int], int]:
    """Return the ids of ``limit`` published articles matching ``query`` from ``offset`` (best match first), and how
    many match in all: one query (the GIN index on PostgreSQL). The count is 0 when the page is past the end."""
    rows = list(
        search_published(query)
        .annotate(total=Window(expression=Count("pk")))
        .values_list("pk", "total")[offset : offset + limit]
    )
    return [pk for pk, _ in rows], (rows[0][1] if rows else 0)
