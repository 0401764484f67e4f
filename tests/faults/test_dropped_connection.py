"""A database connection the database dropped (a restart, a failover): a GET is answered again on a new connection,
with no health check before each request (config.middleware.RetryOnNewConnectionMiddleware)."""

import pytest
from django.test import Client

from tests import factories
from tests.faults.dropping import backend_pid, drop_connection

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_health_checks_are_off_so_no_request_pays_a_round_trip_for_them(settings):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is False


def test_a_get_that_meets_a_dropped_connection_is_answered_on_a_new_one(editor, caplog):
    client = Client(raise_request_exception=False)
    client.force_login(editor)
    assert client.get("/editor/").status_code == 200
    dropped = drop_connection()

    response = client.get("/editor/")

    assert response.status_code == 200
    assert backend_pid() != dropped
    assert "answered again" in caplog.text


def test_a_post_that_meets_a_dropped_connection_answers_503_and_is_not_repeated(editor):
    client = Client(raise_request_exception=False)
    client.force_login(editor)
    assert client.get("/editor/").status_code == 200
    drop_connection()

    response = client.post("/accounts/logout/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert client.get("/editor/").status_code == 200  # the next request connects afresh, still signed in


def test_an_anonymous_reader_page_meets_a_dropped_connection_without_noticing(client, article, settings):
    settings.READER_CACHE_SECONDS = 0
    published = factories.publish(article)
    assert client.get(f"/articles/{published.slug}/").status_code == 200
    drop_connection()

    assert client.get(f"/articles/{published.slug}/").status_code == 200
    assert client.get("/articles/", {"q": "anything"}).status_code == 200
