import re

import pytest
from django.core import mail

from tests import factories

pytestmark = pytest.mark.django_db


def test_login_page_renders_with_csrf(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    assert b"csrfmiddlewaretoken" in response.content
    assert b"Forgot your password?" in response.content


def test_login_then_home_sends_author_to_author_workspace(client, author):
    response = client.post("/accounts/login/", {"login": "author", "password": "pass"})
    assert response.status_code == 302
    assert response.url == "/home/"
    assert client.get("/home/").url == "/author/"


def test_wrong_password_shows_error(client, author):
    response = client.post("/accounts/login/", {"login": "author", "password": "nope"})
    assert response.status_code == 200
    assert b"The username and/or password you specified are not correct." in response.content


def test_home_sends_editor_to_editor_workspace(client, editor):
    client.force_login(editor)
    assert client.get("/home/").url == "/editor/"


def test_home_sends_board_member_to_review_workspace(client, board):
    client.force_login(board[0].user)
    assert client.get("/home/").url == "/review/"


def test_home_without_role_explains(client):
    client.force_login(factories.UserFactory())
    response = client.get("/home/")
    assert response.status_code == 200
    assert b"no editorial role" in response.content


def test_home_requires_login(client):
    response = client.get("/home/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=/home/")


def test_logout_by_post(client, author):
    client.force_login(author)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert client.get("/home/").status_code == 302


def test_password_change(client, author):
    client.force_login(author)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": "pass", "password1": "a-Fresh-pass-2025", "password2": "a-Fresh-pass-2025"},
    )
    assert response.status_code == 302
    author.refresh_from_db()
    assert author.check_password("a-Fresh-pass-2025")


def test_password_reset_mails_a_working_link(client, author):
    response = client.post("/accounts/password/reset/", {"email": author.email})
    assert response.url == "/accounts/password/reset/done/"
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url  # allauth swaps the key for a session marker
    response = client.post(form_url, {"password1": "a-Fresh-pass-2025", "password2": "a-Fresh-pass-2025"})
    assert response.url == "/accounts/password/reset/key/done/"
    author.refresh_from_db()
    assert author.check_password("a-Fresh-pass-2025")
