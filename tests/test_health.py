"""/healthz and /readyz: liveness without the database, readiness of the database and Redis."""

import json
import logging

import pytest
from django.db import connection

from config import health
from config.logging import JsonFormatter, RequestIdFilter

pytestmark = pytest.mark.urls("tests.health_urls")


def test_liveness_answers_ok_without_touching_the_database(client):
    # No django_db mark: any database access here would raise.
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readiness_reports_each_check_when_all_pass(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readiness_checks_the_cache_when_redis_is_configured(client, settings):
    settings.REDIS_URL = "redis://configured"  # the cache itself is whatever CACHES says
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"] == {"database": "ok", "cache": "ok"}


@pytest.mark.django_db
def test_readiness_answers_503_naming_the_failed_database_check_without_its_error(
    client, settings, monkeypatch, caplog
):
    def broken():
        raise RuntimeError("password authentication failed for user secret-user")

    settings.REDIS_URL = ""
    monkeypatch.setattr(health, "check_database", broken)
    with caplog.at_level(logging.ERROR, logger="config.health"):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "checks": {"database": "error"}}
    assert b"secret-user" not in response.content
    assert "secret-user" in caplog.text  # the operator still finds it in the log


@pytest.mark.django_db
def test_readiness_answers_503_when_the_cache_loses_values(client, settings, monkeypatch):
    settings.REDIS_URL = "redis://configured"
    monkeypatch.setattr(health.cache, "get", lambda key, default=None: None)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "cache": "error"}


@pytest.mark.django_db
def test_readiness_against_an_unreachable_redis_fails_quickly(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens on port 1
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
    from django.core.cache import caches

    caches._settings = None
    try:
        response = client.get("/readyz")
    finally:
        caches._settings = None
    assert response.status_code == 503
    assert response.json()["checks"]["cache"] == "error"


@pytest.mark.django_db
def test_readiness_runs_select_one_on_the_database(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(5) as queries:
        client.get("/readyz")
    assert any("SELECT 1" in query["sql"] for query in queries.captured_queries)


@pytest.mark.django_db
def test_health_endpoints_need_no_login_and_refuse_writes(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
    assert client.post("/healthz").status_code == 405
    assert client.post("/readyz").status_code == 405


@pytest.mark.postgres
@pytest.mark.django_db
def test_readiness_sets_a_statement_timeout_on_postgresql(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(5) as queries:
        response = client.get("/readyz")
    assert response.status_code == 200
    assert any("statement_timeout" in query["sql"] for query in queries.captured_queries)
    assert connection.vendor == "postgresql"


def test_log_format_json_prints_one_json_object_per_line():
    import subprocess
    import sys
    from pathlib import Path

    code = "import logging; logging.getLogger('reviewboard.test').warning('hello %s', 'there')"
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings", "LOG_FORMAT": "json"}
    result = subprocess.run(  # noqa: S603 - fixed argv, no shell
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    assert {"level": "WARNING", "logger": "reviewboard.test", "message": "hello there"}.items() <= lines[-1].items()


def test_every_response_carries_a_request_id(client):
    first = client.get("/healthz")
    second = client.get("/healthz")
    assert len(first["X-Request-ID"]) == 32
    assert first["X-Request-ID"] != second["X-Request-ID"]


def test_a_plain_request_id_from_the_proxy_is_kept_and_a_strange_one_replaced(client):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-1234.abc")["X-Request-ID"] == "lb-1234.abc"
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="bad id\nwith newline")["X-Request-ID"]
    assert replaced != "bad id\nwith newline"
    assert len(replaced) == 32


def test_json_log_lines_carry_level_logger_message_request_id_and_extras():
    record = logging.LogRecord("reviewboard.services", logging.WARNING, __file__, 1, "approved %s", ("a-1",), None)
    record.article = "a-1"
    RequestIdFilter().filter(record)
    line = json.loads(JsonFormatter().format(record))
    assert line["level"] == "WARNING"
    assert line["logger"] == "reviewboard.services"
    assert line["message"] == "approved a-1"
    assert line["request_id"] == "-"  # outside a request
    assert line["article"] == "a-1"
    assert line["time"].endswith("+00:00")


def test_json_log_lines_include_the_exception():
    try:
        raise ValueError("boom")
    except ValueError:
        import sys

        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "failed", None, sys.exc_info())
    line = json.loads(JsonFormatter().format(record))
    assert "ValueError: boom" in line["exception"]


@pytest.mark.django_db
def test_health_endpoints_answer_plain_http_probes_when_https_is_enforced(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/articles/").status_code == 301  # readers are sent to HTTPS
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200
