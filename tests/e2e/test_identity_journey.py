"""An editor's first sign-in in Chromium: sent to set up an authenticator app, sets it up, signs in with it.

Screenshots at 1280 and 390 px go to artifacts/screenshots/identity-*.png.
"""

import time

import pytest

from tests import factories
from tests.e2e.conftest import DESKTOP, PASSWORD, PHONE
from tests.e2e.test_pages import serious_violations
from tests.totp import seconds_left, totp_code

pytestmark = pytest.mark.django_db(transaction=True)


def _shoot_both(page, screenshot, name):
    """Save the page at both widths and check it with axe-core; return the problems found."""
    problems = []
    for width, viewport in (("1280", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(viewport)
        screenshot(page, f"identity-{name}-{width}")
        problems += [f"{name} at {width}: {v}" for v in serious_violations(page)]
        if page.evaluate("document.scrollingElement.scrollWidth - innerWidth"):
            problems.append(f"{name} at {width}: scrolls sideways")
    page.set_viewport_size(DESKTOP)
    return problems


def _fresh_code(secret: str) -> str:
    """Return a code that was not used yet: allauth accepts each code once."""
    if seconds_left() < 3:
        time.sleep(seconds_left() + 0.2)
    return totp_code(secret)


def test_an_editor_sets_up_an_authenticator_app_and_signs_in_with_it(live_server, new_page, screenshot):
    editor = factories.EditorFactory(
        username="new.editor", first_name="Nadia", last_name="Osei", role__second_factor=False
    )
    factories.ArticleFactory()
    page = new_page()
    problems = []

    # Password first: the editor has no second factor, so the desk sends her to set one up.
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", editor.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/accounts/security/")
    assert "needs a second factor" in page.content()
    problems += _shoot_both(page, screenshot, "security-required")
    page.goto(f"{live_server.url}/editor/")
    assert page.url.endswith("/accounts/security/")

    # Set up: the password again (allauth's reauthentication), then the secret and a code from the app.
    page.get_by_role("link", name="Set up an authenticator app").click()
    page.wait_for_url("**/accounts/reauthenticate/**")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_url("**/accounts/2fa/totp/activate/")
    problems += _shoot_both(page, screenshot, "totp-activate")
    secret = page.input_value("#authenticator_secret")
    page.fill("#id_code", "000000")
    page.get_by_role("button", name="Activate").click()
    assert "Incorrect code." in page.content()
    page.fill("#id_code", _fresh_code(secret))
    page.get_by_role("button", name="Activate").click()
    page.wait_for_load_state()
    assert "/accounts/2fa/totp/activate/" not in page.url
    page.goto(f"{live_server.url}/editor/")
    assert page.url.endswith("/editor/")
    page.goto(f"{live_server.url}/accounts/security/")
    assert "On since" in page.content()
    problems += _shoot_both(page, screenshot, "security-with-factor")

    # Signing out and in again: the password, then the code.
    page.get_by_role("button", name="Log out").click()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_login", editor.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/accounts/2fa/authenticate/")
    problems += _shoot_both(page, screenshot, "second-factor-step")
    time.sleep(seconds_left() + 0.2)  # the activation used this period's code
    page.fill("#id_code", totp_code(secret))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/editor/")
    page.goto(f"{live_server.url}/accounts/security/")
    assert page.locator("text=Password and second factor").count() >= 1  # the history names how
    assert problems == []
