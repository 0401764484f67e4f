"""Client addresses: one rule (articles.followups.client_address) behind every throttle and rate limit."""

import pytest
from django.conf import settings as django_settings
from rest_framework.settings import api_settings

from reviewboard.api.throttles import AnonymousClientThrottle, UserClientThrottle

pytestmark = pytest.mark.django_db

API = "/api/v1/articles/"


@pytest.fixture
def three_a_minute(monkeypatch):
    monkeypatch.setattr(AnonymousClientThrottle, "rate", "3/minute", raising=False)
    monkeypatch.setattr(UserClientThrottle, "rate", "3/minute", raising=False)


def test_drf_counts_the_same_trusted_proxies():
    assert api_settings.NUM_PROXIES == django_settings.TRUSTED_PROXY_COUNT
    assert [c.__name__ for c in api_settings.DEFAULT_THROTTLE_CLASSES] == [
        "AnonymousClientThrottle",
        "UserClientThrottle",
    ]


def test_rotating_x_forwarded_for_does_not_escape_the_anonymous_throttle_without_proxies(
    client, settings, three_a_minute
):
    settings.TRUSTED_PROXY_COUNT = 0
    statuses = [
        client.get(API, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}", REMOTE_ADDR="198.51.100.7").status_code for n in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]


def test_behind_one_proxy_only_the_entry_it_appended_counts(client, settings, three_a_minute):
    settings.TRUSTED_PROXY_COUNT = 1
    # The client forges entries in front; the proxy appends the address it saw (198.51.100.7).
    statuses = [
        client.get(API, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}, 198.51.100.7", REMOTE_ADDR="192.0.2.1").status_code
        for n in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]
    # Another client behind the same proxy has its own allowance.
    assert client.get(API, HTTP_X_FORWARDED_FOR="198.51.100.8", REMOTE_ADDR="192.0.2.1").status_code == 200


def test_the_throttled_answer_is_json_in_the_error_shape(client, three_a_minute):
    for _ in range(3):
        client.get(API)
    response = client.get(API)
    assert response.status_code == 429
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) >= {"detail", "errors"}
    assert "Retry-After" in response


def test_the_follow_up_rate_limit_uses_the_same_address(client, settings, published):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.FOLLOWUP_RATE_LIMIT = 2
    url = f"/articles/{published.slug}/follow-up/"
    statuses = [
        client.post(
            url,
            {"question": "Is this question long enough to count?"},
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
            REMOTE_ADDR="198.51.100.7",
        ).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]


def test_the_same_rule_keys_api_throttles_login_lockout_and_rate_limits(rf, settings):
    from articles.followups import client_address

    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.7", REMOTE_ADDR="192.0.2.1")
    assert client_address(request) == "198.51.100.7"
    assert AnonymousClientThrottle().get_ident(request) == "198.51.100.7"
    assert settings.AXES_CLIENT_IP_CALLABLE(request) == "198.51.100.7"
