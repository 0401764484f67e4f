"""Second factors: who must have one, the sign-in with a code, and the abuse of codes."""

import logging

import pytest
from allauth.mfa.models import Authenticator
from django.contrib.auth import SESSION_KEY

from identity.models import SignIn, SignInMethod
from identity.policy import second_factor_required
from identity.services import totp_activate
from tests import factories
from tests.totp import totp_code

pytestmark = pytest.mark.django_db

SECRET = factories.TOTP_SECRET
STEP = "/accounts/2fa/authenticate/"


def _password_step(client, username, password="pass", address="10.1.1.1"):  # noqa: S107  (the factories')
    return client.post("/accounts/login/", {"login": username, "password": password}, REMOTE_ADDR=address)


def _signed_in_as(client):
    return client.session.get(SESSION_KEY)


@pytest.fixture
def bare_editor(db):
    """An editor who has not set up a second factor yet."""
    return factories.EditorFactory(username="new-editor", role__second_factor=False)


# Who must have one


@pytest.mark.parametrize(
    ("make", "required"),
    [
        (lambda: factories.EditorFactory(role__second_factor=False), True),
        (lambda: factories.BoardMemberFactory(second_factor=False).user, True),
        (lambda: factories.UserFactory(is_staff=True, second_factor=False), True),
        (lambda: factories.UserFactory(is_superuser=True, second_factor=False), True),
        (lambda: factories.AuthorFactory(), False),
        (lambda: factories.UserFactory(), False),
    ],
    ids=["editor", "board member", "staff", "superuser", "author", "no role"],
)
def test_roles_in_the_setting_require_a_second_factor(make, required):
    assert second_factor_required(make()) is required


def test_the_setting_names_the_roles(settings, bare_editor):
    settings.MFA_REQUIRED_ROLES = ["board_member"]
    assert not second_factor_required(bare_editor)
    settings.MFA_REQUIRED_ROLES = ["author"]
    assert second_factor_required(factories.AuthorFactory())


@pytest.mark.parametrize("address", ["/editor/", "/home/", "/dashboard/", "/inbox/", "/admin/", "/accounts/tokens/"])
def test_staff_without_a_factor_is_sent_to_set_one_up(client, bare_editor, address):
    bare_editor.is_staff = True
    bare_editor.save()
    client.force_login(bare_editor)
    response = client.get(address)
    assert response.status_code == 302
    assert response.url == "/accounts/security/"
    page = client.get(response.url)
    assert page.status_code == 200
    assert "needs a second factor" in page.content.decode()
    assert "Set up an authenticator app" in page.content.decode()


def test_the_api_answers_a_session_without_a_factor_with_json_403(client, bare_editor):
    client.force_login(bare_editor)
    response = client.get("/api/v1/editorial/articles/")
    assert response.status_code == 403
    assert "second factor" in response.json()["detail"]
    assert client.get("/api/v1/articles/").status_code == 200  # readers' API stays open


def test_readers_pages_stay_open_without_a_factor(client, bare_editor):
    client.force_login(bare_editor)
    assert client.get("/articles/").status_code == 200


def test_setting_up_a_factor_opens_the_workspaces(client, bare_editor):
    client.force_login(bare_editor)
    assert client.get("/editor/").status_code == 302
    totp_activate(user=bare_editor, secret=SECRET)
    assert client.get("/editor/").status_code == 200


def test_an_author_may_go_without_a_factor(client, author):
    client.force_login(author)
    assert client.get("/author/").status_code == 200


def test_signing_in_without_a_factor_leads_to_setting_one_up(client, bare_editor):
    assert _password_step(client, "new-editor").url == "/home/"
    assert client.get("/home/").url == "/accounts/security/"
    # Changing factors asks for the password again (allauth's reauthentication), then shows the secret.
    reauthenticate = client.get("/accounts/2fa/totp/activate/")
    assert reauthenticate.url.startswith("/accounts/reauthenticate/")
    client.post(reauthenticate.url, {"password": "pass"})
    page = client.get("/accounts/2fa/totp/activate/")
    assert page.status_code == 200
    secret = page.context["form"].secret
    response = client.post("/accounts/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response.status_code == 302
    assert Authenticator.objects.filter(user=bare_editor, type="totp").exists()
    assert client.get("/editor/").status_code == 200


# Signing in with a code


def test_password_then_code_signs_an_editor_in_and_records_it(client, editor):
    response = _password_step(client, "editor")
    assert response.status_code == 302 and response.url == STEP
    assert _signed_in_as(client) is None  # the password alone signs nobody in
    response = client.post(STEP, {"code": totp_code(SECRET)}, REMOTE_ADDR="10.1.1.1")
    assert response.status_code == 302
    assert _signed_in_as(client) == str(editor.pk)
    assert client.get("/editor/").status_code == 200
    sign_in = SignIn.objects.get(user=editor)
    assert (sign_in.address, sign_in.method) == ("10.1.1.1", SignInMethod.SECOND_FACTOR)


def test_a_wrong_code_is_refused_with_a_message_and_logged(client, editor, caplog):
    _password_step(client, "editor")
    wrong = f"{(int(totp_code(SECRET)) + 1) % 1_000_000:06d}"
    with caplog.at_level(logging.WARNING, logger="identity"):
        response = client.post(STEP, {"code": wrong})
    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert _signed_in_as(client) is None
    assert "second factor refused" in caplog.text


def test_a_replayed_code_is_refused(client, editor, caplog):
    code = totp_code(SECRET)
    _password_step(client, "editor")
    assert client.post(STEP, {"code": code}).status_code == 302
    client.logout()
    _password_step(client, "editor")
    with caplog.at_level(logging.WARNING, logger="identity"):
        response = client.post(STEP, {"code": code})
    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert _signed_in_as(client) is None
    assert "second factor refused" in caplog.text


def test_a_recovery_code_works_once(client, editor, caplog):
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    codes = RecoveryCodes.activate(editor).generate_codes()
    _password_step(client, "editor")
    assert client.post(STEP, {"code": codes[0]}).status_code == 302
    assert _signed_in_as(client) == str(editor.pk)
    client.logout()
    _password_step(client, "editor")
    with caplog.at_level(logging.WARNING, logger="identity"):
        response = client.post(STEP, {"code": codes[0]})
    assert response.status_code == 200
    assert "Incorrect code." in response.content.decode()
    assert _signed_in_as(client) is None
    assert "second factor refused" in caplog.text
    assert client.post(STEP, {"code": codes[1]}).status_code == 302


def test_the_lockout_still_counts_wrong_passwords(client, editor):
    for _ in range(5):
        _password_step(client, "editor", password="wrong")
    assert _password_step(client, "editor").status_code == 429
    assert _password_step(client, "editor", address="10.2.2.2").status_code == 302  # another address gets in


def test_the_admins_own_login_form_cannot_skip_the_second_factor(client, admin_user):
    response = client.post("/admin/login/", {"username": "admin", "password": "password", "next": "/admin/"})
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")
    assert _signed_in_as(client) is None
    assert client.get("/admin/", follow=True).redirect_chain[-1][0].startswith("/accounts/login/")
