"""Signing in with the cache's Redis unreachable: no 500 (allauth's rate limits and code replay live there)."""

import pytest
from django.test import Client

from tests import factories
from tests.faults.test_redis_outage import DEAD_REDIS
from tests.totp import totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def dead_cache(settings):
    """The production cache backend (config.cache) pointed at a port where nothing listens."""
    settings.CACHES = {
        "default": {
            "BACKEND": "config.cache.FailOpenRedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 0.5},
        }
    }


def test_signing_in_with_a_code_answers(dead_cache, editor, caplog):
    client = Client(raise_request_exception=False)
    response = client.post("/accounts/login/", {"login": "editor", "password": "pass"})
    assert response.status_code == 302
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(factories.TOTP_SECRET)})
    assert response.status_code == 302
    assert client.get("/editor/").status_code == 200
    assert "cache unreachable" in caplog.text


def test_a_password_reset_answers(dead_cache, author):
    client = Client(raise_request_exception=False)
    assert client.post("/accounts/password/reset/", {"email": author.email}).status_code == 302
