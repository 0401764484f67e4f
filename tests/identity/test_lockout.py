"""A lockout cannot keep an editor out, and password-reset mail is throttled per address and per account."""

import re

import pytest
from django.core import mail

from tests import factories

pytestmark = pytest.mark.django_db

RESET = "/accounts/password/reset/"


def _fail(client, username="editor", address="203.0.113.7"):
    return client.post("/accounts/login/", {"login": username, "password": "wrong"}, REMOTE_ADDR=address)


def test_an_attacker_at_a_shared_address_locks_only_that_pair(client, editor):
    for _ in range(5):
        _fail(client)
    assert _fail(client).status_code == 429
    # The editor at home (another address) signs in: the password step passes to the second factor.
    response = client.post("/accounts/login/", {"login": "editor", "password": "pass"}, REMOTE_ADDR="198.51.100.2")
    assert response.status_code == 302
    assert response.url == "/accounts/2fa/authenticate/"


def test_a_password_reset_by_the_emailed_link_lifts_the_lockout(client, editor):
    from axes.models import AccessAttempt

    for _ in range(5):
        _fail(client)
    assert AccessAttempt.objects.filter(username="editor").exists()
    client.post(RESET, {"email": editor.email}, REMOTE_ADDR="203.0.113.7")
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body).group(1)
    new = "a-Fresh-pass-2025"
    client.post(client.get(link).url, {"password1": new, "password2": new})
    assert not AccessAttempt.objects.filter(username="editor").exists()
    response = client.post("/accounts/login/", {"login": "editor", "password": new}, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302


def test_reset_mail_is_throttled_per_account(client, settings, author):
    for n in range(3):
        client.post(RESET, {"email": author.email}, REMOTE_ADDR=f"198.51.100.{n + 1}")
    assert len(mail.outbox) == 3
    refused = client.post(RESET, {"email": author.email}, REMOTE_ADDR="198.51.100.9")
    assert refused.status_code == 429
    assert len(mail.outbox) == 3


def test_reset_mail_is_throttled_per_address(client):
    people = [factories.AuthorFactory() for _ in range(11)]
    for person in people[:10]:
        client.post(RESET, {"email": person.email}, REMOTE_ADDR="203.0.113.50")
    assert len(mail.outbox) == 10
    refused = client.post(RESET, {"email": people[10].email}, REMOTE_ADDR="203.0.113.50")
    assert refused.status_code == 429
    assert len(mail.outbox) == 10
    client.post(RESET, {"email": people[10].email}, REMOTE_ADDR="203.0.113.51")
    assert len(mail.outbox) == 11


def test_a_forged_forwarded_for_does_not_escape_the_address_throttle(client, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    people = [factories.AuthorFactory() for _ in range(11)]
    for n, person in enumerate(people):
        client.post(RESET, {"email": person.email}, REMOTE_ADDR="203.0.113.60", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")
    assert len(mail.outbox) == 10


def test_allauth_takes_the_client_address_by_the_sites_one_rule(rf, settings):
    from allauth.account.adapter import get_adapter

    from articles.followups import client_address

    settings.TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="1.1.1.1, 198.51.100.7", REMOTE_ADDR="192.0.2.1")
    assert get_adapter(request).get_client_ip(request) == client_address(request) == "198.51.100.7"
