"""The account's security page: factors, recovery codes, where one is signed in, the latest sign-ins."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from identity.services import sign_in_record
from tests import factories

pytestmark = pytest.mark.django_db


def _signed_in(username, address):
    client = Client(REMOTE_ADDR=address)
    assert client.post("/accounts/login/", {"login": username, "password": "pass"}).status_code == 302
    return client


def test_the_security_page_lists_factors_sessions_and_sign_ins(author):
    laptop = _signed_in("author", "198.51.100.10")
    _signed_in("author", "203.0.113.20")
    page = laptop.get("/accounts/security/").content.decode()
    assert "Optional for your role" in page
    assert "Set up an authenticator app" in page
    assert "198.51.100.10" in page and "203.0.113.20" in page  # both sessions, both sign-ins
    assert page.count("This browser") == 1
    assert "Recent sign-ins" in page and "Password" in page


def test_sign_out_everywhere_else_ends_the_other_sessions_only(author):
    laptop, phone = _signed_in("author", "198.51.100.10"), _signed_in("author", "203.0.113.20")
    response = laptop.post("/accounts/security/sessions/end/", follow=True)
    assert "Signed out everywhere else (1 other session)." in response.content.decode()
    assert laptop.get("/author/").status_code == 200
    assert phone.get("/author/").status_code == 302
    assert SESSION_KEY not in phone.session


def test_the_page_shows_a_staff_members_factor_and_recovery_codes(client, editor):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    RecoveryCodes.activate(editor)
    client.force_login(editor)
    page = client.get("/accounts/security/").content.decode()
    assert "Required for your role" in page
    assert "On since" in page and "10 unused" in page


def test_the_history_escapes_what_the_browser_sent(client, author):
    client.force_login(author)
    from django.test import RequestFactory

    sign_in_record(request=RequestFactory().get("/", HTTP_USER_AGENT="<script>x</script>"), user=author)
    assert "<script>x</script>" not in client.get("/accounts/security/").content.decode()


def test_nobody_sees_another_persons_sign_ins(client, author):
    sign_in_record(request=None, user=author)
    other = factories.AuthorFactory()
    client.force_login(other)
    page = client.get("/accounts/security/")
    assert {sign_in.user_id for sign_in in page.context["overview"].sign_ins} == {other.pk}
