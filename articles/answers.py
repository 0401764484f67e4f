"""An instant answer to a reader's question, from reviewed text only: the passages of approved articles that best
match it, each with its article, section, citations and review date, the matched words highlighted.

The articles come through the approval gate (``articles.search``, on ``articles.selectors.published_articles``):
only approved revisions are read, never a draft. On PostgreSQL the candidates are found by full text (any word
of the question, ranked); elsewhere by a substring match of each word. The passages are then scored here.
"""

import re
from dataclasses import dataclass
from datetime import datetime

from django.db import connection
from django.db.models import Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article, Reference
from articles.rendering import AUDIENCE_PASSAGE, CITATION, cited_numbers
from articles.search import ranked_matches
from articles.selectors import published_articles

CANDIDATE_ARTICLES = 5
PASSAGES = 3
EXCERPT_CHARACTERS = 320
_WORD = re.compile(r"[^\W_]+")
# Words too common to say what a question is about.
_STOPWORDS_TEXT = (
    "a about after again all also am an and any are as at be because been before being between both but by can "
    "could did do does doing down during each few for from had has have having he her here hers him his how i if "
    "in into is it its just me more most my no nor not now of off on once only or other our out over own same "
    "she should so some such than that the their them then there these they this those through to too under "
    "until up very was we were what when where which while who whom why will with would you your yours "
    "cause causes caused get got take taking help"
)
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())


@dataclass(frozen=True)
class Passage:
    article_title: str
    article_url: str
    section: str
    excerpt: SafeString
    references: list
    reviewed_on: datetime
    score: float


def question_words(question: str) -> list[str]:
    """Return the question's words that say what it is about, lower-cased, in order, without repeats."""
    seen: dict[str, None] = {}
    for word in _WORD.findall(question.lower()):
        if len(word) > 2 and word not in STOPWORDS:
            seen.setdefault(word, None)
    return list(seen)[:16]


def _candidates(words: list[str]) -> QuerySet[Article]:
    articles = published_articles()
    if connection.vendor == "postgresql":
        return ranked_matches(articles, " | ".join(f"{word}:*" for word in words))
    condition = Q()
    for word in words:
        condition |= Q(approved_revision__title__icontains=word) | Q(sections_text__icontains=word)
    return (
        articles.annotate(sections_text=Cast("approved_revision__sections", TextField()))
        .filter(condition)
        .order_by("-approved_at", "pk")
    )


def _paragraphs(body: str) -> list[str]:
    body = AUDIENCE_PASSAGE.sub(lambda match: match.group(2), body)
    return [part.strip() for part in re.split(r"\n\s*\n", body) if part.strip()]


def _plain(markdown: str) -> str:
    text = re.sub(r"[*_`#>]+", "", markdown)
    text = re.sub(r"^\s*[-+] ", "• ", text, flags=re.MULTILINE)
    return " ".join(text.split())


def _highlighted(text: str, words: list[str]) -> SafeString:
    """Return ``text`` cut to an excerpt around its first match, escaped, with the question's words in <mark>."""
    lowered = text.lower()
    first = min((lowered.find(w) for w in words if w in lowered), default=0)
    start = max(0, first - EXCERPT_CHARACTERS // 3)
    excerpt = text[start : start + EXCERPT_CHARACTERS]
    if start:
        excerpt = "…" + excerpt
    if start + EXCERPT_CHARACTERS < len(text):
        excerpt += "…"
    escaped = escape(excerpt)
    pattern = re.compile("(" + "|".join(re.escape(escape(w)) for w in sorted(words, key=len, reverse=True)) + ")", re.I)
    return mark_safe(pattern.sub(r"<mark>\1</mark>", escaped))  # noqa: S308  (escaped first; only <mark> added)


def reviewed_passages(question: str, *, limit: int = PASSAGES) -> list[Passage]:
    """Return the passages of approved articles that best match ``question``, best first (never a draft)."""
    words = question_words(question)
    if not words:
        return []
    articles = list(_candidates(words)[:CANDIDATE_ARTICLES])
    references = {}
    for reference in Reference.objects.filter(revision_id__in=[a.approved_revision_id for a in articles]):
        references[(reference.revision_id, reference.number)] = reference
    found = []  # (matched words, passage text, article, revision, section heading, paragraph)
    for article in articles:
        revision = article.approved_revision
        assert revision is not None and article.approved_at is not None  # published_articles' rows
        for section in revision.sections or []:
            for paragraph in _paragraphs(section.get("body", "")):
                text = _plain(re.sub(r"\s*" + CITATION.pattern, "", paragraph))
                lowered = text.lower()
                matched = frozenset(word for word in words if word in lowered)
                if matched:
                    found.append((matched, text, article, revision, section.get("heading", ""), paragraph))
    # A word found in fewer passages says more about which passage answers: each counts by its rarity.
    frequency = {word: sum(1 for matched, *_ in found if word in matched) for word in words}
    passages = []
    for matched, text, article, revision, heading, paragraph in found:
        assert article.approved_at is not None  # a published article's
        cited = [
            references[(revision.pk, n)]
            for n in dict.fromkeys(cited_numbers(paragraph))
            if (revision.pk, n) in references
        ]
        passages.append(
            Passage(
                article_title=revision.title,
                article_url=article.get_absolute_url(),
                section=heading,
                excerpt=_highlighted(text, words),
                references=cited,
                reviewed_on=article.approved_at,
                score=sum(1.0 / frequency[word] for word in matched),
            )
        )
    passages.sort(key=lambda passage: -passage.score)
    return passages[:limit]
