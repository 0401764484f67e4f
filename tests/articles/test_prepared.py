"""Queries compiled once and run as SQL: the database answers every call, as the ORM would."""

import pytest
from django.db import connection
from django.db.models import F

from articles.models import Article, Revision
from articles.prepared import PreparedQuery
from tests import factories

pytestmark = pytest.mark.django_db

REVISION_FIELDS = ("pk", "title", "sections", "created_at", "article__approved_at")


def revisions_by_title(title):
    return Revision.objects.filter(title=title).order_by("pk").values_list(*REVISION_FIELDS)


def test_each_call_runs_the_query_with_the_callers_value(neurology, django_assert_num_queries):
    first, second = factories.ArticleFactory(specialty=neurology), factories.ArticleFactory(specialty=neurology)
    query = PreparedQuery(lambda slug: Article.objects.filter(slug=slug).values_list("pk"), slug="\x00placeholder")

    with django_assert_num_queries(3):
        found = [query.rows(slug=first.slug), query.rows(slug=second.slug), query.rows(slug="no-such-article")]

    assert found == [[(first.pk,)], [(second.pk,)], []]


def test_rows_are_converted_as_the_orm_returns_them(neurology):
    revision = factories.RevisionFactory(
        article__specialty=neurology, title="Converted", sections=[{"heading": "H", "body": "Text [1]."}]
    )
    Article.objects.filter(pk=revision.article_id).update(approved_at=F("created_at"))
    query = PreparedQuery(revisions_by_title, title="\x00placeholder")

    rows = query.rows(title="Converted")

    assert rows == list(revisions_by_title("Converted"))
    assert rows[0][2] == [{"heading": "H", "body": "Text [1]."}]  # JSON decoded
    assert rows[0][3].tzinfo is not None  # an aware datetime, on SQLite too


def test_a_placeholder_must_be_exactly_one_of_the_parameters(neurology):
    ambiguous = PreparedQuery(lambda slug: Article.objects.filter(slug=slug, state=slug).values_list("pk"), slug="x")
    missing = PreparedQuery(lambda slug: Article.objects.filter(slug="fixed").values_list("pk"), slug="x")

    for query in (ambiguous, missing):
        with pytest.raises(ValueError, match="not exactly one"):
            query.rows(slug="anything")


def test_only_a_values_list_of_fields_can_be_prepared(neurology):
    annotated = PreparedQuery(
        lambda slug: Article.objects.filter(slug=slug).annotate(name=F("specialty__name")).values_list("pk", "name"),
        slug="x",
    )

    with pytest.raises(ValueError, match="values_list"):
        annotated.rows(slug="anything")


@pytest.mark.postgres
def test_on_postgresql_the_statement_is_prepared_and_reused(neurology):
    article = factories.ArticleFactory(specialty=neurology)
    query = PreparedQuery(lambda slug: Article.objects.filter(slug=slug).values_list("pk"), slug="\x00placeholder")

    for _ in range(10):  # past the connection's prepare_threshold (5 runs before it prepares)
        assert query.rows(slug=article.slug) == [(article.pk,)]

    statement = query.compile(connection).sql.replace("%s", "$1")  # as psycopg sends it
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans + custom_plans FROM pg_prepared_statements WHERE statement = %s", [statement]
        )
        executions = cursor.fetchone()
    assert executions is not None and executions[0] >= 2  # prepared once, then run again without parsing it
