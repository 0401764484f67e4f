"""End-to-end fixtures: a real headless Chromium (Debian's `chromium` package) driven by Playwright.

The browser is never downloaded (`playwright install` is not used): it is /usr/bin/chromium, which
scripts/install-browser.sh installs. Without it every end-to-end test is skipped, with the reason.
Each person in a journey gets their own browser context, so their cookies (session, audience) stay
apart. Screenshots of the key pages go to artifacts/screenshots/ (git-ignored).
"""

import os
import threading
import time
from pathlib import Path

import pytest
from django.core.signals import request_finished, request_started

from tests.factories import TOTP_SECRET
from tests.totp import seconds_left, totp_code

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
PASSWORD = "pass"  # tests.factories.UserFactory's password
TIMEOUT_MS = 10_000  # a page that takes longer than this is a failure, not something to wait for
DESKTOP = {"width": 1280, "height": 900}
_saved: list[Path] = []
PHONE = {"width": 390, "height": 844}


class InFlight:
    """Counts the requests the live server is handling, from Django's request signals.

    A page closed at the end of a test may still send a request (the editor saves on ``pagehide``):
    if the test's database were flushed while the server thread handles it, the server would leave
    the shared connection half-way through a transaction and break every later test on it.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.count = 0
        self.changed = time.monotonic()

    def started(self, **kwargs):
        if threading.current_thread() is threading.main_thread():
            return  # the test client, not the live server
        with self.lock:
            self.count += 1
            self.changed = time.monotonic()

    def finished(self, **kwargs):
        if threading.current_thread() is threading.main_thread():
            return
        with self.lock:
            self.count -= 1
            self.changed = time.monotonic()

    def wait_until_quiet(self, quiet=0.3, timeout=TIMEOUT_MS / 1000):
        """Return once no request has been in flight for ``quiet`` seconds; fail after ``timeout``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                idle = self.count <= 0 and time.monotonic() - self.changed >= quiet
            if idle:
                return
            time.sleep(0.05)
        raise AssertionError(f"the live server still handled {self.count} request(s) {timeout} s after the test")


in_flight = InFlight()
request_started.connect(in_flight.started, dispatch_uid="e2e-in-flight-started")
request_finished.connect(in_flight.finished, dispatch_uid="e2e-in-flight-finished")


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module; skipped when Debian's chromium is not installed."""
    if not CHROMIUM.exists():
        pytest.skip("Chromium not installed: run scripts/install-browser.sh")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("Playwright not installed: make install")

    # Playwright's sync API runs an event loop in this thread, which trips Django's async-safety
    # check on every ORM call the test makes. Allowed only while the browser is up, then restored.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def new_page(browser):
    """Return a function that opens a page in a fresh browser context (a person of their own)."""
    contexts = []

    def open_page(viewport=None):
        context = browser.new_context(viewport=viewport or DESKTOP)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()
    in_flight.wait_until_quiet()  # before the test's database goes away


@pytest.fixture
def login(live_server):
    """Return a function that logs ``user`` in on ``page`` through the login form."""

    def log_in(page, user, secret=TOTP_SECRET):
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("#id_login", user.username)
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        if "/accounts/2fa/authenticate/" in page.url:  # staff have an authenticator app (tests.factories)
            enter_totp(page, secret)
        return page

    return log_in


def enter_totp(page, secret: str) -> None:
    """Give the second-factor step the current code; a code is accepted once, so a repeat waits for the next."""
    for _ in range(2):
        page.fill("#id_code", totp_code(secret))
        page.get_by_role("button", name="Sign In").click()
        page.wait_for_load_state()
        if "/accounts/2fa/authenticate/" not in page.url:
            return
        time.sleep(seconds_left() + 0.5)
    raise AssertionError("the second-factor step refused two consecutive codes")


@pytest.fixture
def screenshot():
    """Return a function that saves a full-page PNG of ``page`` under artifacts/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def shoot(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        _saved.append(path)
        return path

    return shoot


def pytest_terminal_summary(terminalreporter):
    """List the screenshots the end-to-end tests saved."""
    if _saved:
        terminalreporter.section("end-to-end screenshots")
        for path in _saved:
            terminalreporter.write_line(str(path))
