"""The API speaks JSON in every failure, in its documented error shape (config.errors, reviewboard.api)."""

import json

import pytest
from django.db import OperationalError
from django.test import Client

from reviewboard.api.views import public

pytestmark = pytest.mark.django_db

DRAFTS = "/api/v1/drafts/"


def _error_shape(response, status):
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert isinstance(body["errors"], list) and body["errors"]
    return body


@pytest.fixture
def author_client(author):
    client = Client(raise_request_exception=False)
    client.force_login(author)
    return client


def test_a_body_that_is_not_json_is_a_400(author_client):
    response = author_client.post(DRAFTS, '{"slug": "x",', content_type="application/json")
    assert "JSON parse error" in _error_shape(response, 400)["detail"]


@pytest.mark.parametrize("opening", ["[", '{"a":'])
def test_deeply_nested_json_is_a_400_not_a_500(author_client, opening):
    closing = "]" if opening == "[" else "}"
    body = opening * 1000 + "1" + closing * 1000
    response = author_client.post(DRAFTS, body, content_type="application/json")
    assert "nested more than" in _error_shape(response, 400)["detail"]


def test_json_a_little_nested_still_reaches_the_service(author_client):
    response = author_client.post(
        DRAFTS, json.dumps({"sections": [{"heading": [[["x"]]]}]}), content_type="application/json"
    )
    assert response.status_code == 400
    assert "field_errors" in response.json()  # the serializer's answer, not the parser's


def test_a_body_over_the_limit_is_a_413(author_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = author_client.post(DRAFTS, json.dumps({"title": "x" * 2000}), content_type="application/json")
    assert "too large" in _error_shape(response, 413)["detail"]


def test_an_unknown_address_under_the_api_is_a_404(author_client):
    _error_shape(author_client.get("/api/v1/no-such-thing/"), 404)
    _error_shape(author_client.get("/api/nowhere"), 404)


def test_a_method_the_endpoint_lacks_is_a_405(author_client):
    _error_shape(author_client.put("/api/v1/articles/", "{}", content_type="application/json"), 405)


def test_an_unexpected_error_is_a_json_500(monkeypatch, db):
    def broken(query):
        raise RuntimeError("a bug")

    monkeypatch.setattr(public, "search_published", broken)
    response = Client(raise_request_exception=False).get("/api/v1/articles/")
    body = _error_shape(response, 500)
    assert "a bug" not in json.dumps(body)  # nothing internal leaks


def test_an_unreachable_database_is_a_json_503_with_retry_after(monkeypatch, db):
    def down(query):
        raise OperationalError("connection refused")

    monkeypatch.setattr(public, "search_published", down)
    response = Client(raise_request_exception=False).get("/api/v1/articles/")
    _error_shape(response, 503)
    assert response["Retry-After"] == "30"


def test_pages_outside_the_api_keep_their_html_errors(db):
    response = Client(raise_request_exception=False).get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")


def test_nan_is_not_json(author_client):
    response = author_client.post(DRAFTS, '{"title": NaN}', content_type="application/json")
    assert "JSON parse error" in _error_shape(response, 400)["detail"]
