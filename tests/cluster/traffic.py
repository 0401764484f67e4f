"""The cluster test's traffic: anonymous readers through the balancer, and articles driven through the workflow.

Each revision's title carries a marker ("Cluster <run> <article> r<revision>"), so that whatever a reader is shown
can be checked against what the board had approved by then.
"""

import random
import re
import threading
import time
from dataclasses import dataclass, field

import requests

from tests.cluster.api import ApiClient, Journal, Transient

BOARD = ("dr.neuro", "dr.neuro2", "dr.cardio", "dr.pharma")


def title(run: str, article: int, revision: int) -> str:
    return f"Cluster {run} {article} r{revision}"


def slug(run: str, article: int) -> str:
    return f"cluster-{run}-{article}"


def content(run: str, article: int, revision: int) -> dict:
    return {
        "title": title(run, article, revision),
        "summary_patient": f"What readers should know, revision {revision}.",
        "summary_professional": f"What clinicians should know, revision {revision}.",
        "sections": [{"heading": "From the Guidelines", "body": f"Evidence for revision {revision} [1]."}],
        "references": [{"kind": "guideline", "title": "A guideline", "source": "A society", "year": 2024}],
    }


# Readers


@dataclass(frozen=True)
class Read:
    path: str
    started: float
    ended: float
    status: int  # 0: no answer
    node: str
    shown: frozenset  # (article, revision) markers in the answer
    error: str = ""

    @property
    def failed(self) -> bool:
        return self.status == 0 or self.status >= 500


class Readers:
    """Anonymous readers reading pages, the list and the public API through the balancer, until stopped."""

    def __init__(self, base: str, run: str, *, threads: int):
        self.base, self.run = base, run
        self.marker = re.compile(rf"Cluster {re.escape(run)} (\d+) r(\d+)")
        self.reads: list[Read] = []
        self.articles: list[int] = []  # the articles readers pick from; the test appends as they are created
        self.focus: int | None = None  # an article read by every reader, when set
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._read, daemon=True) for _ in range(threads)]

    def __enter__(self):
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)

    def _path(self, rng: random.Random) -> str:
        focus, articles = self.focus, list(self.articles)
        if focus is not None:
            return f"/articles/{slug(self.run, focus)}/"
        roll = rng.random()
        if roll < 0.15 or not articles:
            return f"/articles/?q=cluster+{self.run}"
        article = rng.choice(articles)
        if roll < 0.3:
            return f"/api/v1/articles/{slug(self.run, article)}/"
        return f"/articles/{slug(self.run, article)}/"

    def _read(self) -> None:
        rng = random.Random()  # noqa: S311 (a traffic mix, not a secret)
        session = requests.Session()  # keep-alive; never a session cookie: an anonymous reader
        while not self._stop.is_set():
            path = self._path(rng)
            started = time.time()
            error = ""
            try:
                response = session.get(f"{self.base}{path}", timeout=30)
                status, node, text = response.status_code, response.headers.get("X-Served-By", ""), response.text
            except requests.RequestException as failure:
                status, node, text, error = 0, "", "", repr(failure)
            shown = frozenset((int(a), int(r)) for a, r in self.marker.findall(text))
            with self._lock:
                self.reads.append(Read(path, started, time.time(), status, node, shown, error))
            if self.focus is None:
                time.sleep(0.01)


# The workflow


@dataclass
class Desk:
    """Authors, the editor and the board members, each signed in to the API."""

    base: str
    run: str
    journal: Journal
    approvals: dict = field(default_factory=dict)  # (article, revision) -> (start, end) of the approving call

    def __post_init__(self):
        self.author = ApiClient(self.base, "author", self.journal)
        self.editor = ApiClient(self.base, "editor", self.journal)
        self.board = [ApiClient(self.base, name, self.journal) for name in BOARD]

    def view(self, article: int) -> dict | None:
        """Return the article as its author sees it, or None if it does not exist yet."""
        for _ in range(20):
            try:
                response = self.author.request("GET", f"/api/v1/drafts/{slug(self.run, article)}/")
            except Transient:
                time.sleep(0.2)
                continue
            return response.json() if response.status_code == 200 else None
        raise AssertionError("the author could not read the article")

    def step(self, action, done, *, what: str) -> None:
        """Do ``action`` once: a call that failed in flight is retried only if ``done()`` says it did not happen."""
        for _ in range(20):
            try:
                if done():
                    return
                response = action()
                if response.status_code < 300 or done():  # done(): an earlier try that looked lost had gone through
                    return
            except Transient:
                time.sleep(0.2)
                continue
            raise AssertionError(f"{what}: {response.status_code} {response.text[:300]}")
        raise AssertionError(f"{what}: still failing after retries")

    def state(self, article: int) -> str | None:
        view = self.view(article)
        return view["state"] if view else None

    def publish(self, article: int, revision: int) -> None:
        """Take the article's ``revision`` from nothing (or approved) to approved, through the API."""
        name = slug(self.run, article)
        if revision == 1:
            self.step(
                lambda: self.author.post(
                    "/api/v1/drafts/", {"slug": name, "specialty": "neurology"} | content(self.run, article, 1)
                ),
                lambda: self.view(article) is not None,
                what=f"create {name}",
            )
        else:
            self.step(
                lambda: self.author.post(f"/api/v1/drafts/{name}/revise/"),
                lambda: self.state(article) == "draft",
                what=f"revise {name}",
            )
            self.step(
                lambda: self.author.post(f"/api/v1/drafts/{name}/revisions/", content(self.run, article, revision)),
                lambda: self._revision(article) == revision,
                what=f"new revision of {name}",
            )
        self.step(
            lambda: self.author.post(f"/api/v1/drafts/{name}/submit/"),
            lambda: self.state(article) != "draft",
            what=f"submit {name}",
        )
        self.step(
            lambda: self.editor.post(f"/api/v1/editorial/articles/{name}/auto-assign/"),
            lambda: self.state(article) in ("under_review", "approved"),
            what=f"assign {name}",
        )
        invited = [(member, found) for member in self.board for found in self._open_assignments(member, name)]
        assert invited, f"nobody was assigned to {name}"
        for member, assignment in invited:
            self.step(
                lambda m=member, a=assignment: m.post(f"/api/v1/assignments/{a}/accept/"),
                lambda m=member, a=assignment: m.get(f"/api/v1/assignments/{a}/")["status"] != "invited",
                what=f"accept {name}",
            )
        for index, (member, assignment) in enumerate(invited):
            last = index == len(invited) - 1
            # The specialty's checklist, every item checked: a review answers it before it can be submitted.
            checklist = [{"item": item["id"], "answer": "yes"} for item in self._checklist(member, assignment)]
            started = time.time()
            self.step(
                lambda m=member, a=assignment, c=checklist: m.post(
                    f"/api/v1/assignments/{a}/review/",
                    {"decision": "approve", "comments_to_author": "Clear.", "checklist": c},
                ),
                lambda m=member, a=assignment: m.get(f"/api/v1/assignments/{a}/")["status"] == "completed",
                what=f"review {name}",
            )
            if last:
                self.approvals[(article, revision)] = (started, time.time())
        view = self.view(article)
        assert view["state"] == "approved" and view["approved_revision"] == revision, view

    def _revision(self, article: int) -> int | None:
        view = self.view(article)
        return view["current_revision"]["number"] if view and view["current_revision"] else None

    def _checklist(self, member: ApiClient, assignment: int) -> list[dict]:
        """Return the assignment's checklist items; a read lost in flight (a node killed meanwhile) is read again."""
        for _ in range(20):
            try:
                return member.get(f"/api/v1/assignments/{assignment}/")["checklist"]
            except Transient:
                time.sleep(0.2)
        raise AssertionError("could not read the checklist")

    def _open_assignments(self, member: ApiClient, name: str) -> list[int]:
        for _ in range(20):
            try:
                listing = member.get("/api/v1/assignments/")
            except Transient:
                time.sleep(0.2)
                continue
            rows = listing["results"] if isinstance(listing, dict) else listing
            return [row["id"] for row in rows if row["article"] == name and row["status"] == "invited"]
        raise AssertionError("could not list assignments")
