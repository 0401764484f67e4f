"""Stored search results (articles.stored.search_page): a search that matches many articles is ranked once, its
result served while the published articles stay as they were, and retired after the commit that changes them."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from articles import search, stored
from articles.models import ReaderGeneration, StoredSearch
from articles.selectors import stored_search
from articles.services import RevisionContent, revision_create
from reviewboard import services
from tests import factories

pytestmark = pytest.mark.django_db

QUERY = "tremor"


@pytest.fixture(autouse=True)
def _few_matches_are_many(settings, monkeypatch):
    settings.READER_CACHE_SECONDS = 0  # the stored results alone, below the reader cache
    monkeypatch.setattr(stored, "STORED_SEARCH_MIN_MATCHES", 2)


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run ``change`` and what it leaves for after its commit (each test runs in a transaction that never commits)."""

    def run(change, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return change(*args, **kwargs)

    return run


def tremor_article(neurology, number, committed=None):
    article = factories.ArticleFactory(specialty=neurology, revision=False)
    factories.RevisionFactory(article=article, title=f"Tremor question {number}?")
    return committed(factories.publish, article) if committed else factories.publish(article)


@pytest.fixture
def matches(neurology):
    return [tremor_article(neurology, number) for number in range(3)]


def listed(client, query=QUERY):
    return client.get("/articles/", {"q": query}).content.decode()


def key(query=QUERY):
    return stored.search_key(query)


def test_a_search_matching_many_is_stored_and_then_answered_by_its_stored_ids_and_the_cards(client, matches):
    first = listed(client)

    with CaptureQueriesContext(connection) as queries:
        again = listed(client)

    assert len(queries) == 2  # the stored result (with the generation), the cards
    assert stored_search(key=key()).article_ids == search.search_page(QUERY, offset=0, limit=100)[0]
    assert first == again
    for article in matches:
        assert article.approved_revision.title in again
    assert "3 results for" in again


def test_a_search_matching_fewer_is_not_stored(client, matches, monkeypatch):
    monkeypatch.setattr(stored, "STORED_SEARCH_MIN_MATCHES", 4)

    listed(client)

    assert not StoredSearch.objects.exists()


def test_an_approval_retires_the_stored_results_after_its_commit(client, matches, neurology, committed):
    listed(client)
    newer = tremor_article(neurology, 3, committed)

    html = listed(client)

    assert newer.approved_revision.title in html
    assert "4 results for" in html


def test_a_retraction_retires_them(client, matches, editor, committed):
    listed(client)
    committed(services.article_retract, article=matches[0], actor=editor, reason="Outdated")

    html = listed(client)

    assert matches[0].approved_revision.title not in html
    assert "2 results for" in html


def test_a_new_draft_of_a_published_article_keeps_them(client, matches, committed):
    listed(client)
    generation = ReaderGeneration.objects.get().value
    committed(services.article_revise, article=matches[0], actor=matches[0].authors.first())
    content = RevisionContent(
        title="Tremor draft nobody approved",
        summary_patient="p",
        summary_professional="q",
        sections=[{"heading": "H", "body": "Text [1]."}],
        references=[{"kind": "research", "title": "Study"}],
    )
    committed(revision_create, article=matches[0], actor=matches[0].authors.first(), content=content)

    assert ReaderGeneration.objects.get().value == generation
    assert stored_search(key=key()).article_ids is not None
    assert "Tremor draft nobody approved" not in listed(client)


def test_a_result_computed_before_a_change_is_never_served(matches, neurology, committed):
    before = stored_search(key=key())  # a search starts: it reads the generation first
    tremor_article(neurology, 3, committed)  # an approval commits while it ranks
    stored._store_search(key=key(), query=QUERY, generation=before.generation, article_ids=[m.pk for m in matches])

    assert stored_search(key=key()).article_ids is None


def test_the_results_of_older_generations_are_deleted_after_the_commit(
    client, matches, neurology, django_capture_on_commit_callbacks
):
    listed(client)
    listed(client, "question")
    assert StoredSearch.objects.count() == 2

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        tremor_article(neurology, 3)
    assert StoredSearch.objects.count() == 2 and stored_search(key=key()).article_ids is not None  # not yet
    for callback in callbacks:
        callback()

    assert not StoredSearch.objects.exists()


def test_without_the_generation_row_searches_answer_and_store_nothing_until_a_change_makes_it(
    client, matches, neurology, committed
):
    ReaderGeneration.objects.all().delete()

    assert "3 results for" in listed(client)
    assert not StoredSearch.objects.exists()

    tremor_article(neurology, 3, committed)
    listed(client)
    assert ReaderGeneration.objects.get().value == 1
    assert stored_search(key=key()).article_ids is not None
