"""API tokens (knox): hashed, expiring, several a person, listed and revoked, all gone with a new password."""

import datetime

import pytest
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from articles.exceptions import ValidationFailed
from identity import services
from tests import factories
from tests.totp import totp_code

pytestmark = pytest.mark.django_db


def _api(secret):
    return APIClient(headers={"Authorization": f"Token {secret}"})


def test_the_token_page_creates_a_token_shown_once_and_stored_as_a_digest(client, author):
    client.force_login(author)
    response = client.post("/accounts/tokens/", {"name": "Nightly import"})
    assert response.status_code == 200
    secret = response.context["issued"].secret
    page = response.content.decode()
    assert secret in page and "shown only once" in page
    token = AuthToken.objects.get(user=author)
    assert secret not in (token.digest, token.token_key) and token.token_key == secret[:15]
    assert token.label.name == "Nightly import"
    assert _api(secret).get("/api/v1/drafts/").status_code == 200
    listed = client.get("/accounts/tokens/").content.decode()
    assert "Nightly import" in listed and secret not in listed


def test_a_person_holds_several_tokens_up_to_the_limit(author, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_LIMIT_PER_USER": 3}
    secrets = [services.api_token_create(user=author, name=f"t{n}").secret for n in range(3)]
    assert all(_api(s).get("/api/v1/drafts/").status_code == 200 for s in secrets)
    with pytest.raises(ValidationFailed) as refused:
        services.api_token_create(user=author, name="one too many")
    assert "revoke one" in refused.value.errors[0].message


def test_a_token_name_follows_the_text_rules(author):
    with pytest.raises(ValidationFailed) as refused:
        services.api_token_create(user=author, name="two\nlines")
    assert refused.value.errors[0].field == "name"


def test_revoking_a_token_stops_it_and_only_it(client, author):
    kept = services.api_token_create(user=author, name="kept")
    gone = services.api_token_create(user=author, name="gone")
    client.force_login(author)
    response = client.post(f"/accounts/tokens/{gone.token.token_key}/revoke/", follow=True)
    assert "The token is revoked" in response.content.decode()
    assert _api(gone.secret).get("/api/v1/drafts/").status_code == 401
    assert _api(kept.secret).get("/api/v1/drafts/").status_code == 200


def test_nobody_revokes_another_persons_token(client, author):
    theirs = services.api_token_create(user=author, name="theirs")
    client.force_login(factories.AuthorFactory())
    response = client.post(f"/accounts/tokens/{theirs.token.token_key}/revoke/", follow=True)
    assert "no such token among yours" in response.content.decode()
    assert _api(theirs.secret).get("/api/v1/drafts/").status_code == 200


def test_an_expired_token_is_refused(author):
    issued = services.api_token_create(user=author)
    AuthToken.objects.filter(pk=issued.token.pk).update(expiry=timezone.now() - datetime.timedelta(seconds=1))
    assert _api(issued.secret).get("/api/v1/drafts/").status_code == 401


def test_tokens_expire_after_the_configured_time(author, settings):
    issued = services.api_token_create(user=author)
    expected = timezone.now() + settings.REST_KNOX["TOKEN_TTL"]
    assert abs((issued.token.expiry - expected).total_seconds()) < 60


@pytest.mark.parametrize("surface", ["page", "reset", "admin", "model"])
def test_a_new_password_revokes_every_token(client, author, surface, admin_client):
    secrets = [services.api_token_create(user=author, name=f"t{n}").secret for n in range(2)]
    new = "a-Fresh-pass-2025"
    if surface == "page":
        client.force_login(author)
        client.post("/accounts/password/change/", {"oldpassword": "pass", "password1": new, "password2": new})
    elif surface == "reset":
        import re

        from django.core import mail

        client.post("/accounts/password/reset/", {"email": author.email})
        link = re.search(r"http://testserver(/accounts/password/reset/key/\S+/)", mail.outbox[-1].body).group(1)
        client.post(client.get(link).url, {"password1": new, "password2": new})
    elif surface == "admin":
        admin_client.post(f"/admin/auth/user/{author.pk}/password/", {"password1": new, "password2": new})
    else:
        author.set_password(new)
        author.save()
    author.refresh_from_db()
    assert author.check_password(new)
    assert not AuthToken.objects.filter(user=author).exists()
    assert all(_api(s).get("/api/v1/drafts/").status_code == 401 for s in secrets)


def test_saving_a_person_without_a_new_password_keeps_the_tokens(author):
    issued = services.api_token_create(user=author)
    author.first_name = "Renamed"
    author.save()
    assert _api(issued.secret).get("/api/v1/drafts/").status_code == 200


# The API's own sign-in


def test_the_api_sign_in_asks_staff_for_their_code(editor):
    client = APIClient()
    asked = client.post("/api/v1/auth/token/", {"username": "editor", "password": "pass"}, format="json")
    assert asked.status_code == 400
    assert asked.json()["field_errors"][0]["field"] == "code"
    wrong = client.post(
        "/api/v1/auth/token/", {"username": "editor", "password": "pass", "code": "000000"}, format="json"
    )
    assert wrong.status_code == 400
    code = totp_code(factories.TOTP_SECRET)
    good = client.post("/api/v1/auth/token/", {"username": "editor", "password": "pass", "code": code}, format="json")
    assert good.status_code == 200
    assert _api(good.json()["token"]).get("/api/v1/editorial/articles/").status_code == 200
    replay = client.post("/api/v1/auth/token/", {"username": "editor", "password": "pass", "code": code}, format="json")
    assert replay.status_code == 400


def test_the_api_sign_in_refuses_staff_without_a_factor():
    factories.EditorFactory(username="bare", role__second_factor=False)
    response = APIClient().post("/api/v1/auth/token/", {"username": "bare", "password": "pass"}, format="json")
    assert response.status_code == 403
    assert "second factor" in response.json()["detail"]


def test_a_token_stops_working_when_its_holder_must_have_a_factor_and_has_none(author):
    issued = services.api_token_create(user=author)
    author.groups.add(factories.EditorFactory(role__second_factor=False).groups.first())  # promoted to editor
    response = _api(issued.secret).get("/api/v1/drafts/")
    assert response.status_code == 401
    assert "second factor" in response.json()["detail"]


@pytest.mark.parametrize(
    "body, field",
    [
        ({"username": "edi\x00tor", "password": "pass"}, "username"),
        ({"username": "x" * 151, "password": "pass"}, "username"),
        ({"username": ["editor"], "password": "pass"}, "username"),
        ({"username": "editor", "password": ["pass"]}, "password"),
    ],
)
def test_the_api_sign_in_refuses_malformed_credentials_beside_their_field(body, field):
    response = APIClient().post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 400
    assert [error["field"] for error in response.json()["field_errors"]] == [field]
