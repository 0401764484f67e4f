"""Readers and the editorial board at once, on PostgreSQL: a few seconds of real concurrent load.

Reader threads fetch the list, a search and article pages through the test client while author,
editor and board member threads drive the workflow through ``reviewboard.services`` on the same
articles, each thread on its own connection. Afterwards the database must tell one consistent
story: readers saw no error, every service call that succeeded left exactly the transition it
stands for in the log and every failed one left none, each article's log is a chain ending in its
state, and each transition's outbox event was written with it.
"""

import random
import threading
import time
import traceback
from collections import Counter
from dataclasses import dataclass, replace

import pytest
from django.db import connection
from django.test import Client

from articles import services as content
from articles.exceptions import DomainError
from articles.models import Article, ArticleState
from articles.services import revision_content
from reviewboard import services
from reviewboard.models import AssignmentStatus, Decision, ReviewAssignment, TransitionLogEntry
from reviewboard.notifications.models import OutboxEvent
from tests import factories

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

S = ArticleState
LOAD_SECONDS = 5
WORKFLOW_ARTICLES = 6
READERS = 3

# Services that always make exactly one transition when they succeed, by the state they leave.
ALWAYS_TRANSITIONS = {
    "article_submit": S.SUBMITTED,
    "article_withdraw": S.DRAFT,
    "article_revise": S.DRAFT,
    "article_reject": S.REJECTED,
    "review_request_changes": S.CHANGES_REQUESTED,
}
# Services that make a transition only sometimes: the first assignment opens review, the
# approval that meets the policy approves.
MAYBE_TRANSITIONS = {"assignment_create": S.UNDER_REVIEW, "review_approve": S.APPROVED}


@dataclass(frozen=True)
class Call:
    service: str
    article_id: int
    actor_id: int
    succeeded: bool


class Load:
    """The shared record of a load run: service calls, reader responses, unexpected errors."""

    def __init__(self):
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.calls: list[Call] = []
        self.responses: list[tuple[str, int]] = []
        self.crashes: list[str] = []

    def call(self, service: str, article_id: int, actor, action):
        """Run one service call; a domain error is an expected outcome, anything else is not."""
        try:
            result = action()
        except DomainError:
            succeeded, result = False, None
        else:
            succeeded = True
        with self.lock:
            self.calls.append(Call(service, article_id, actor.pk, succeeded))
        return result

    def run(self, name: str, step) -> threading.Thread:
        """Start a thread repeating ``step(rng)`` until the load stops."""

        def loop():
            rng = random.Random(name)
            try:
                while not self.stop.is_set():
                    step(rng)
            except Exception:  # noqa: BLE001 - the test reports every crash
                with self.lock:
                    self.crashes.append(f"{name}: {traceback.format_exc()}")
            finally:
                connection.close()

        thread = threading.Thread(target=loop, name=name)
        thread.start()
        return thread


def _published(slug, *, specialty, author, editor, members):
    article = factories.ArticleFactory(slug=slug, authors=[author], specialty=specialty)
    services.article_submit(article=article, actor=author)
    for member in members[:2]:
        assignment = services.assignment_create(article=article, board_member=member, actor=editor)
        services.assignment_accept(assignment=assignment, actor=member.user)
        services.review_submit(assignment=assignment, actor=member.user, decision=Decision.APPROVE)
    article.refresh_from_db()
    assert article.state == S.APPROVED
    return article


def _author_step(load, author, articles):
    def step(rng):
        article = Article.objects.get(pk=rng.choice(articles).pk)
        if article.state == S.DRAFT and article.current_revision_id == article.approved_revision_id:
            # Revised after approval: write the new text before it goes back to the board.
            if not _edit(load, article, author):
                return
            load.call(
                "article_submit", article.pk, author, lambda: services.article_submit(article=article, actor=author)
            )
        elif article.state == S.DRAFT:
            load.call(
                "article_submit", article.pk, author, lambda: services.article_submit(article=article, actor=author)
            )
        elif article.state == S.CHANGES_REQUESTED:
            if _edit(load, article, author):
                load.call(
                    "article_submit", article.pk, author, lambda: services.article_submit(article=article, actor=author)
                )
        elif article.state in (S.SUBMITTED, S.UNDER_REVIEW) and rng.random() < 0.1:
            load.call(
                "article_withdraw",
                article.pk,
                author,
                lambda: services.article_withdraw(article=article, actor=author, reason="A figure needs checking."),
            )
        elif article.state == S.APPROVED and rng.random() < 0.5:
            load.call(
                "article_revise", article.pk, author, lambda: services.article_revise(article=article, actor=author)
            )

    return step


def _edit(load, article, author) -> bool:
    """Write a new revision of ``article``; return whether it was written."""
    revision = article.current_revision
    text = replace(revision_content(revision), summary_patient=f"{revision.summary_patient} Updated.")
    edited = load.call(
        "revision_create",
        article.pk,
        author,
        lambda: content.revision_create(article=article, actor=author, content=text, change_note="Addressed feedback"),
    )
    return edited is not None


def _editor_step(load, editor, articles, members):
    def step(rng):
        article = Article.objects.get(pk=rng.choice(articles).pk)
        if article.state == S.UNDER_REVIEW and rng.random() < 0.02:
            load.call(
                "article_reject",
                article.pk,
                editor,
                lambda: services.article_reject(article=article, actor=editor, reason="Out of scope."),
            )
        elif article.state in (S.SUBMITTED, S.UNDER_REVIEW):
            member = rng.choice(members)
            load.call(
                "assignment_create",
                article.pk,
                editor,
                lambda: services.assignment_create(article=article, board_member=member, actor=editor),
            )
        else:
            time.sleep(0.005)

    return step


def _reviewer_step(load, member):
    user = member.user

    def step(rng):
        open_assignments = list(
            ReviewAssignment.objects.filter(
                board_member=member, status__in=[AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED]
            ).select_related("revision")
        )
        if not open_assignments:
            time.sleep(0.005)
            return
        assignment = rng.choice(open_assignments)
        article_id = assignment.revision.article_id
        if assignment.status == AssignmentStatus.INVITED:
            load.call(
                "assignment_accept",
                article_id,
                user,
                lambda: services.assignment_accept(assignment=assignment, actor=user),
            )
        elif rng.random() < 0.8:
            load.call(
                "review_approve",
                article_id,
                user,
                lambda: services.review_submit(assignment=assignment, actor=user, decision=Decision.APPROVE),
            )
        else:
            load.call(
                "review_request_changes",
                article_id,
                user,
                lambda: services.review_submit(
                    assignment=assignment,
                    actor=user,
                    decision=Decision.REQUEST_CHANGES,
                    comments_to_author="Cite the guideline for the dose.",
                ),
            )

    return step


def _reader_step(load, paths):
    client = Client()

    def step(rng):
        path = rng.choice(paths)
        status = client.get(path).status_code
        with load.lock:
            load.responses.append((path, status))

    return step


def _assert_log_is_a_chain_ending_in_the_state(article):
    rows = list(TransitionLogEntry.objects.filter(article=article).order_by("pk"))
    state = S.DRAFT
    for row in rows:
        assert row.from_state == state, f"{article.slug}: {row} does not follow {state}"
        state = row.to_state
    assert Article.objects.get(pk=article.pk).state == state, article.slug


def test_readers_and_reviewers_at_once_see_no_errors_and_lose_or_double_no_transition(settings):
    settings.REVIEW_QUORUM = 2
    neurology = factories.SpecialtyFactory(name="Neurology", slug="neurology")
    editors = [factories.EditorFactory(username=f"load_editor_{n}") for n in range(2)]
    members = [
        factories.BoardMemberFactory(user__username=f"load_member_{n}", specialties=[neurology], capacity=100)
        for n in range(4)
    ]
    authors = [factories.AuthorFactory(username=f"load_author_{n}") for n in range(2)]
    published = _published("published", specialty=neurology, author=authors[0], editor=editors[0], members=members)
    retracted = _published("retracted", specialty=neurology, author=authors[0], editor=editors[0], members=members)
    services.article_retract(article=retracted, actor=editors[0], reason="Superseded.")
    # Every workflow article has both authors, so their threads race on its submissions too.
    articles = [
        factories.ArticleFactory(slug=f"workflow-{n}", authors=authors, specialty=neurology)
        for n in range(WORKFLOW_ARTICLES)
    ]
    log_before = TransitionLogEntry.objects.count()

    expected_statuses = {
        "/articles/": {200},
        "/articles/?q=symptom": {200},
        f"/articles/{published.slug}/": {200},
        f"/articles/{retracted.slug}/": {410},
        "/articles/no-such-article/": {404},
        # Readers see a workflow article once it is first approved, and not before.
        **{f"/articles/{article.slug}/": {200, 404} for article in articles},
    }
    load = Load()
    threads = [
        *(load.run(f"reader-{n}", _reader_step(load, list(expected_statuses))) for n in range(READERS)),
        *(load.run(f"author-{n}", _author_step(load, author, articles)) for n, author in enumerate(authors)),
        *(load.run(f"editor-{n}", _editor_step(load, editor, articles, members)) for n, editor in enumerate(editors)),
        *(load.run(f"member-{n}", _reviewer_step(load, member)) for n, member in enumerate(members)),
    ]
    time.sleep(LOAD_SECONDS)
    load.stop.set()
    for thread in threads:
        thread.join(timeout=30)
        assert not thread.is_alive(), f"{thread.name} hung (deadlock?)"

    assert not load.crashes, "\n".join(load.crashes)
    outcomes = Counter((call.service, "ok" if call.succeeded else "refused") for call in load.calls)
    print(f"{len(load.responses)} reader responses, {Counter(s for _, s in load.responses)}; calls {outcomes}")

    # Readers: no error responses, and a workflow article is public only once it was approved.
    assert len(load.responses) >= 50, "the readers hardly ran"
    unexpected = [(path, status) for path, status in load.responses if status not in expected_statuses[path]]
    assert not unexpected, Counter(unexpected)
    for article in articles:
        article.refresh_from_db()
        if (f"/articles/{article.slug}/", 200) in load.responses:
            assert article.approved_revision_id is not None, article.slug

    # The workflow moved, with races lost as well as won.
    succeeded = [call for call in load.calls if call.succeeded]
    assert Counter(call.service for call in succeeded)["review_approve"] > 0, Counter(c.service for c in load.calls)
    assert any(not call.succeeded for call in load.calls), (
        "no call was refused: the actors never got in each other's way"
    )

    rows = list(TransitionLogEntry.objects.filter(article__in=articles).order_by("pk"))
    assert len(rows) == TransitionLogEntry.objects.count() - log_before

    # Exactly one log row for each successful always-transition call, none for a failed one.
    expected = Counter(
        (call.article_id, call.actor_id, ALWAYS_TRANSITIONS[call.service])
        for call in succeeded
        if call.service in ALWAYS_TRANSITIONS
    )
    logged = Counter(
        (row.article_id, row.actor_id, row.to_state) for row in rows if row.to_state in set(ALWAYS_TRANSITIONS.values())
    )
    assert logged == expected

    # Opening review and approving: a row only where that actor's call on that article succeeded.
    # A resubmission re-invites the previous round's reviewers as the editorial system, which opens review too.
    system = services.system_actor().pk
    resubmitted = Counter((c.article_id, system) for c in succeeded if c.service == "article_submit")
    for service, state in MAYBE_TRANSITIONS.items():
        possible = Counter((c.article_id, c.actor_id) for c in succeeded if c.service == service)
        if service == "assignment_create":
            possible += resubmitted
        made = Counter((row.article_id, row.actor_id) for row in rows if row.to_state == state)
        assert not made - possible, f"{state} rows without a successful {service}: {made - possible}"
    assert any(row.to_state == S.APPROVED for row in rows)

    for article in articles:
        _assert_log_is_a_chain_ending_in_the_state(article)

    # Each transition's outbox event was written in the same transaction: one per log row.
    transitions = {row.transition for row in rows}
    events = Counter(
        (event.article_id, event.actor_id, event.kind)
        for event in OutboxEvent.objects.filter(article_id__in=[a.pk for a in articles], kind__in=transitions)
    )
    assert events == Counter((row.article_id, row.actor_id, row.transition) for row in rows)
