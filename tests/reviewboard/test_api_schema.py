"""The OpenAPI schema validates, and Schemathesis finds no server error and no response off the schema."""

import pytest
import schemathesis
from django.core.cache import cache
from django.core.management import call_command
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from knox.models import AuthToken
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle
from schemathesis import checks

from config.wsgi import application
from reviewboard import services
from tests import factories

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


def test_schema_generates_without_warnings_or_errors(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    assert (tmp_path / "schema.yaml").read_text().startswith("openapi: 3")


def test_every_operation_documents_its_json_errors():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert "429" in operation["responses"], (method, path)
            if "{" in path:
                assert "404" in operation["responses"], (method, path)
            if operation.get("security") and {} not in operation["security"]:
                assert {"401", "403"} <= set(operation["responses"]), (method, path)


@pytest.fixture
def api_world(article, board, editor, author):
    """An approved article, a submitted one under review and a draft, for the fuzzer to read and poke."""
    services.article_submit(article=article, actor=author)
    for member in board[:2]:
        assignment = services.assignment_create(article=article, board_member=member, actor=editor)
        services.assignment_accept(assignment=assignment, actor=member.user)
        services.review_submit(assignment=assignment, actor=member.user, decision="approve")
    pending = factories.ArticleFactory(authors=[author], specialty=article.specialty, slug="pending")
    services.article_submit(article=pending, actor=author)
    services.assignment_create(article=pending, board_member=board[2], actor=editor)
    factories.ArticleFactory(authors=[author], specialty=article.specialty, slug="a-draft")
    return {"editor": editor, "author": author, "reviewer": board[2].user}


def _fuzz(schema, *, headers: dict, max_examples: int) -> None:
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(
            max_examples=max_examples,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        check()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_schemathesis_finds_no_server_error_and_no_response_off_schema(api_world, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "100000/minute", "user": "100000/minute"})
    monkeypatch.setattr(UserRateThrottle, "THROTTLE_RATES", {"anon": "100000/minute", "user": "100000/minute"})
    cache.clear()
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
    # Anonymous, then as each role with its token: every operation, positive and negative data.
    _fuzz(schema, headers={}, max_examples=15)
    for role in ("author", "reviewer", "editor"):
        _, secret = AuthToken.objects.create(user=api_world[role])
        _fuzz(schema, headers={"Authorization": f"Token {secret}"}, max_examples=10)
