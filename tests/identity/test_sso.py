"""Single sign-on, end to end in one process: allauth's OpenID Connect client against a real provider.

django-oauth-toolkit's OIDC provider runs on the test's live server (tests.identity.oidc_provider); the site
reaches it over HTTP for discovery, the token and the user info, as it would an institution's. The browser's
side (the redirects) is Django's test client: one client for the person at the site, one at the institution.
"""

import logging
from urllib.parse import parse_qs, urlsplit

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.apps import apps
from django.conf import settings as django_settings
from django.contrib.auth import SESSION_KEY, get_user_model
from django.core.management import call_command
from django.test import Client, override_settings

from identity.models import SignIn, SignInMethod
from tests import factories
from tests.identity import oidc_provider

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.urls("tests.identity.oidc_urls")]

CLIENT_ID = "editorial-site"
CLIENT_SECRET = "institution-shared-secret"  # noqa: S105  (a test fixture's)


@pytest.fixture(scope="module")
def rsa_key():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


@pytest.fixture(scope="module")
def provider_installed(django_db_setup, django_db_blocker):
    """django-oauth-toolkit installed and migrated for this module's tests, then taken away again."""
    from django.core.checks.registry import registry

    # Importing the toolkit registers its system checks for good; they would fail once it is uninstalled (a
    # Celery worker started by a later test runs every check), so the registry is put back as it was.
    checks_before = set(registry.registered_checks), set(registry.deployment_checks)
    installed = [*django_settings.INSTALLED_APPS, "oauth2_provider"]
    try:
        with django_db_blocker.unblock(), override_settings(INSTALLED_APPS=installed):
            call_command("migrate", "oauth2_provider", verbosity=0)
            yield
            call_command("migrate", "oauth2_provider", "zero", verbosity=0)  # its tables refer to users
    finally:
        registry.registered_checks, registry.deployment_checks = checks_before
    assert not apps.is_installed("oauth2_provider")


@pytest.fixture
def institution(provider_installed, live_server, settings, rsa_key):
    """The institution's provider with the site registered as its client, and the site configured to use it."""
    from oauth2_provider.models import Application

    settings.OAUTH2_PROVIDER = {
        "OIDC_ENABLED": True,
        "OIDC_RSA_PRIVATE_KEY": rsa_key,
        "OAUTH2_VALIDATOR_CLASS": "tests.identity.oidc_validator.InstitutionValidator",
        "SCOPES": {"openid": "OpenID Connect", "email": "Email", "profile": "Profile"},
        "PKCE_REQUIRED": False,
    }
    owner = get_user_model().objects.create_user("institution-admin")
    Application.objects.create(
        name="Editorial site",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris="http://testserver/accounts/oidc/hospital/login/callback/",  # the browser's site
        algorithm=Application.RS256_ALGORITHM,
        skip_authorization=True,
        user=owner,
    )
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {
            "OAUTH_PKCE_ENABLED": True,
            "APPS": [
                {
                    "provider_id": "hospital",
                    "name": "St Mary's Hospital",
                    "client_id": CLIENT_ID,
                    "secret": CLIENT_SECRET,
                    "settings": {"server_url": f"{live_server.url}/idp", "token_auth_method": "client_secret_post"},
                }
            ],
        }
    }
    oidc_provider.DIRECTORY.clear()
    oidc_provider.TAMPER.clear()
    yield live_server
    oidc_provider.TAMPER.clear()


def _at_institution(username, email, verified=True):
    """Return a browser signed in at the institution as ``username``, whose directory says ``email``."""
    oidc_provider.DIRECTORY[username] = (email, verified)
    person = get_user_model().objects.create_user(username)  # the institution's account, no email here
    browser = Client()
    browser.force_login(person)
    return browser


def _start(site, live_server_url):
    """Press the institution's button on the login page; return the provider's authorization address."""
    response = site.post("/accounts/oidc/hospital/login/")
    assert response.status_code == 302
    assert response.url.startswith(f"{live_server_url}/idp/authorize/")
    return response.url


def _authorize(idp_browser, authorize_url):
    """The institution signs its person in; return the site's callback address it redirects to."""
    parts = urlsplit(authorize_url)
    response = idp_browser.get(parts.path, parse_qs(parts.query))
    assert response.status_code == 302, response.content[:500]
    return response.url


def _callback(site, callback_url, **params):
    parts = urlsplit(callback_url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | params
    return site.get(parts.path, query)


def test_an_institution_signs_in_an_existing_author_by_verified_email(institution, caplog):
    author = factories.AuthorFactory(username="dr.who", email="Helen.Carter@StMarys.example")
    idp = _at_institution("hcarter", "helen.carter@stmarys.example")
    site = Client()
    login_page = site.get("/accounts/login/").content.decode()
    assert "St Mary&#x27;s Hospital" in login_page or "St Mary's Hospital" in login_page
    response = _callback(site, _authorize(idp, _start(site, institution.url)))
    assert response.status_code == 302, response.content[:800]
    assert site.session.get(SESSION_KEY) == str(author.pk)
    assert site.get("/author/").status_code == 200
    assert SignIn.objects.get(user=author).method == SignInMethod.SINGLE_SIGN_ON


def test_an_editor_signing_in_by_sso_still_gives_the_second_factor(institution):
    editor = factories.EditorFactory(username="chief", email="chief@stmarys.example")
    idp = _at_institution("chief-at-idp", "chief@stmarys.example")
    site = Client()
    response = _callback(site, _authorize(idp, _start(site, institution.url)))
    assert response.status_code == 302
    assert response.url == "/accounts/2fa/authenticate/"
    assert site.session.get(SESSION_KEY) is None
    from tests.totp import totp_code

    assert site.post("/accounts/2fa/authenticate/", {"code": totp_code(factories.TOTP_SECRET)}).status_code == 302
    assert site.session.get(SESSION_KEY) == str(editor.pk)


def test_a_person_new_to_the_site_gets_an_account_without_any_role(institution):
    idp = _at_institution("newcomer", "newcomer@stmarys.example")
    site = Client()
    _callback(site, _authorize(idp, _start(site, institution.url)))
    person = get_user_model().objects.get(email="newcomer@stmarys.example")
    assert site.session.get(SESSION_KEY) == str(person.pk)
    assert not person.is_staff and not person.is_superuser and not person.groups.exists()
    assert "no editorial role" in site.get("/home/").content.decode()


def _refused(site, response, caplog, reason):
    assert site.session.get(SESSION_KEY) is None
    page = site.get("/accounts/login/").content.decode()
    assert reason in caplog.text
    return page


def test_an_unverified_email_is_refused(institution, caplog):
    factories.AuthorFactory(email="victim@stmarys.example")
    idp = _at_institution("impostor", "victim@stmarys.example", verified=False)
    site = Client()
    with caplog.at_level(logging.WARNING, logger="identity"):
        response = _callback(site, _authorize(idp, _start(site, institution.url)))
    assert response.status_code == 302 and response.url == "/accounts/login/"
    page = _refused(site, response, caplog, "no verified email")
    assert "did not confirm your email address" in page


def test_a_wrong_state_is_refused(institution, caplog):
    factories.AuthorFactory(email="a@stmarys.example")
    idp = _at_institution("a", "a@stmarys.example")
    site = Client()
    callback = _authorize(idp, _start(site, institution.url))
    with caplog.at_level(logging.WARNING, logger="identity"):
        response = _callback(site, callback, state="forged-state")
    page = _refused(site, response, caplog, "single sign-on failed")
    assert "Single sign-on did not complete" in page


def test_a_code_from_another_sign_in_is_refused_by_its_nonce(institution, caplog, settings):
    """An attacker's code (their own sign-in, their nonce) put into the victim's callback with the victim's state."""
    settings.SOCIALACCOUNT_PROVIDERS["openid_connect"]["OAUTH_PKCE_ENABLED"] = False  # so only the nonce stands
    factories.AuthorFactory(email="attacker@stmarys.example")
    victim_site, attacker_site = Client(), Client()
    attacker_idp = _at_institution("attacker", "attacker@stmarys.example")
    victims_authorize = _start(victim_site, institution.url)
    attackers_callback = _authorize(attacker_idp, _start(attacker_site, institution.url))
    victims_state = parse_qs(urlsplit(victims_authorize).query)["state"][0]
    with caplog.at_level(logging.WARNING, logger="identity"):
        response = _callback(victim_site, attackers_callback, state=victims_state)
    assert response.status_code == 302
    page = _refused(victim_site, response, caplog, "nonce is not the one sent")
    assert "Single sign-on did not complete" in page


@pytest.mark.parametrize("tamper", ["expired", "foreign"])
def test_an_expired_or_foreign_id_token_is_refused(institution, caplog, tamper):
    factories.AuthorFactory(email="b@stmarys.example")
    idp = _at_institution("b", "b@stmarys.example")
    site = Client()
    oidc_provider.TAMPER.add(tamper)
    with caplog.at_level(logging.WARNING, logger="identity"):
        response = _callback(site, _authorize(idp, _start(site, institution.url)))
    page = _refused(site, response, caplog, "single sign-on failed")
    assert "Single sign-on did not complete" in page
