"""The API as the cluster test's authors, editors and board members use it: one small client.

Everything about signing in and sending credentials is here, so that a change of token scheme (knox, say) is
changed in this file only. Every call is recorded (start, end, status, node) for the test's failure accounting.
"""

import threading
import time
from dataclasses import dataclass

import requests

PASSWORD = "demo-pass-2025"  # every demo user's (manage.py load_demo)
TRANSIENT = {502, 503, 504}  # what HAProxy answers for a request the killed node held


@dataclass(frozen=True)
class Call:
    """One HTTP request and how it ended (status 0: no answer at all)."""

    who: str
    method: str
    path: str
    started: float
    ended: float
    status: int
    node: str
    error: str = ""

    @property
    def failed(self) -> bool:
        return self.status == 0 or self.status in TRANSIENT


class Journal:
    """Every call made, from every thread."""

    def __init__(self):
        self._lock = threading.Lock()
        self.calls: list[Call] = []

    def add(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)


class Transient(Exception):
    """The request may not have reached the application, or its answer was lost: find out, then retry."""


class ApiClient:
    """One person signed in to the API with a token."""

    def __init__(self, base: str, username: str, journal: Journal):
        self.base, self.username, self.journal = base, username, journal
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {self._token()}"

    def _token(self) -> str:
        for _ in range(10):
            response = requests.post(
                f"{self.base}/api/v1/auth/token/", json={"username": self.username, "password": PASSWORD}, timeout=30
            )
            if response.status_code == 200:
                return response.json()["token"]
            time.sleep(0.5)
        raise AssertionError(f"{self.username} could not sign in: {response.status_code} {response.text[:200]}")

    def request(self, method: str, path: str, *, json=None, request_id: str | None = None) -> requests.Response:
        """Send one request; raise Transient when the answer is HAProxy's 502/503/504 or none."""
        headers = {"X-Request-ID": request_id} if request_id else {}
        started = time.time()
        try:
            response = self.session.request(method, f"{self.base}{path}", json=json, headers=headers, timeout=30)
        except requests.RequestException as error:
            self.journal.add(Call(self.username, method, path, started, time.time(), 0, "", repr(error)))
            raise Transient(str(error)) from error
        node = response.headers.get("X-Served-By", "")
        self.journal.add(Call(self.username, method, path, started, time.time(), response.status_code, node))
        if response.status_code in TRANSIENT:
            raise Transient(f"{response.status_code} from {node}")
        return response

    def get(self, path: str) -> dict:
        response = self.request("GET", path)
        assert response.status_code == 200, f"GET {path} as {self.username}: {response.status_code} {response.text}"
        return response.json()

    def post(self, path: str, json=None, *, request_id: str | None = None) -> requests.Response:
        return self.request("POST", path, json=json or {}, request_id=request_id)
