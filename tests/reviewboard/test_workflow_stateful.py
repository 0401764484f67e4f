"""A Hypothesis state machine drives the workflow services with random actions and actors.

Every refusal must be a ``DomainError`` that writes nothing; every success writes exactly the
transitions it claims. After each step the invariants below hold.
"""

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import Client, TestCase, override_settings
from django.utils.html import escape
from hypothesis import HealthCheck, event, settings, strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from articles import local_pages
from articles.exceptions import DomainError
from articles.fingerprint import fingerprint
from articles.models import Article, ArticleState, Revision, StoredPage
from articles.selectors import published_revision, stored_cards, stored_page
from articles.services import RevisionContent, revision_create
from reviewboard import events, services
from reviewboard.models import AssignmentStatus, Decision, Review, ReviewAssignment, TransitionLogEntry
from tests import factories

S = ArticleState
ACTORS = ["author", "editor", "neuro0", "neuro1", "neuro2", "cardio", "outsider"]
MEMBERS = ["neuro0", "neuro1", "neuro2", "cardio"]
reasons = st.sampled_from(["", "  "] + ["A documented reason."] * 6)


def actors(usual):
    """Mostly the role that may act, sometimes anyone: refusals must be clean too."""
    return st.sampled_from([usual] * 3 * len(ACTORS) + ACTORS)


mostly_true = st.sampled_from([True, True, True, False])


def _submit_rows(state) -> int:
    """A submission writes one row; a resubmission that re-invited the last round's reviewers also starts review."""
    return 2 if state == S.UNDER_REVIEW else 1


class WorkflowMachine(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self._savepoint = transaction.savepoint()
        neurology = factories.SpecialtyFactory(name="Neurology", slug="neurology")
        cardiology = factories.SpecialtyFactory(name="Cardiology", slug="cardiology")
        author = factories.AuthorFactory(username="sm_author")
        self.users = {
            "author": author,
            "editor": factories.EditorFactory(username="sm_editor"),
            "outsider": factories.AuthorFactory(username="sm_outsider"),
        }
        self.members = {}
        for name in MEMBERS:
            specialty = cardiology if name == "cardio" else neurology
            member = factories.BoardMemberFactory(user__username=f"sm_{name}", specialties=[specialty])
            self.members[name] = member
            self.users[name] = member.user
        self.article = factories.ArticleFactory(authors=[author], specialty=neurology, slug="sm-article")
        self.expected_log_rows = 0
        self.snapshots = {}
        self._snapshot_revisions()

    def teardown(self):
        transaction.savepoint_rollback(self._savepoint)

    # Helpers

    def _state(self):
        return Article.objects.get(pk=self.article.pk).state

    def _log_count(self):
        return TransitionLogEntry.objects.filter(article=self.article).count()

    def _attempt(self, call, *, transitions=None):
        """Run ``call``. On a refusal nothing may change; on success count the transitions.

        ``transitions`` is the number of log rows a success writes; None means "one if the state
        changed" (assigning and reviewing transition only sometimes).
        """
        before_state, before_rows = self._state(), self._log_count()
        before_reviews = Review.objects.filter(assignment__revision__article=self.article).count()
        try:
            result = call()
        except DomainError as error:
            assert error.message
            assert self._state() == before_state
            assert self._log_count() == before_rows
            assert Review.objects.filter(assignment__revision__article=self.article).count() == before_reviews
            return None
        after_state = self._state()
        event(f"reached {after_state}")
        if transitions is None:
            transitions = int(after_state != before_state)
        elif callable(transitions):
            transitions = transitions(after_state)
        self.expected_log_rows += transitions
        assert self._log_count() == self.expected_log_rows
        return result

    def _assignments(self):
        return list(ReviewAssignment.objects.filter(revision__article=self.article).order_by("pk"))

    def _pick_assignment(self, index, *, prefer_open=False):
        assignments = self._assignments()
        if prefer_open:
            assignments = [a for a in assignments if a.is_open] or assignments
        return assignments[index % len(assignments)] if assignments else None

    def _snapshot_revisions(self):
        for revision in Revision.objects.filter(article=self.article):
            self.snapshots.setdefault(revision.pk, self._snapshot(revision))

    @staticmethod
    def _snapshot(revision):
        return (
            revision.number,
            revision.title,
            revision.summary_patient,
            revision.summary_professional,
            revision.sections,
            [(r.number, r.kind, r.title) for r in revision.references.order_by("number")],
        )

    # Rules

    @rule(actor=actors("author"))
    def submit(self, actor):
        self._attempt(
            lambda: services.article_submit(article=self.article, actor=self.users[actor]), transitions=_submit_rows
        )

    @rule(actor=actors("author"), reason=reasons)
    def withdraw(self, actor, reason):
        self._attempt(
            lambda: services.article_withdraw(article=self.article, actor=self.users[actor], reason=reason),
            transitions=1,
        )

    @rule(actor=actors("author"), title=st.sampled_from(["", "What causes tremor?", "Why do muscles twitch?"]))
    def edit(self, actor, title):
        content = RevisionContent(
            title=title,
            summary_patient="Plain words.",
            summary_professional="Clinical words.",
            sections=[{"heading": "From the Guidelines", "body": "It is known [1]."}],
            references=[{"kind": "guideline", "title": "A guideline", "year": 2024}],
        )
        self._attempt(
            lambda: revision_create(article=self.article, actor=self.users[actor], content=content), transitions=0
        )
        self._snapshot_revisions()

    @rule(actor=actors("editor"), member=st.sampled_from(MEMBERS))
    def assign(self, actor, member):
        self._attempt(
            lambda: services.assignment_create(
                article=self.article, board_member=self.members[member], actor=self.users[actor]
            )
        )

    @rule(actor=actors("editor"))
    def auto_assign(self, actor):
        self._attempt(lambda: services.assignments_auto(article=self.article, actor=self.users[actor]))

    @rule(actor=actors("outsider"), index=st.integers(0, 30), assigned_member=mostly_true)
    def accept(self, actor, index, assigned_member):
        assignment = self._pick_assignment(index, prefer_open=assigned_member)
        if assignment is None:
            return
        user = assignment.board_member.user if assigned_member else self.users[actor]
        self._attempt(lambda: services.assignment_accept(assignment=assignment, actor=user), transitions=0)

    @rule(actor=actors("outsider"), index=st.integers(0, 30), assigned_member=mostly_true, conflict=st.booleans())
    def decline(self, actor, index, assigned_member, conflict):
        assignment = self._pick_assignment(index, prefer_open=assigned_member)
        if assignment is None:
            return
        user = assignment.board_member.user if assigned_member else self.users[actor]
        self._attempt(
            lambda: services.assignment_decline(
                assignment=assignment, actor=user, reason="Conflict." if conflict else "", conflict_of_interest=conflict
            ),
            transitions=0,
        )

    @rule(
        actor=actors("outsider"),
        index=st.integers(0, 30),
        assigned_member=mostly_true,
        decision=st.sampled_from([*Decision.values, *[Decision.APPROVE] * 4, "bogus"]),
        comments=st.sampled_from(["", "Please cite the 2024 guideline."]),
    )
    def review(self, actor, index, assigned_member, decision, comments):
        assignment = self._pick_assignment(index, prefer_open=assigned_member)
        if assignment is None:
            return
        user = assignment.board_member.user if assigned_member else self.users[actor]
        review = self._attempt(
            lambda: services.review_submit(
                assignment=assignment, actor=user, decision=decision, comments_to_author=comments
            )
        )
        if review is None:
            return
        assignment.refresh_from_db()
        assert assignment.status == AssignmentStatus.COMPLETED
        article = Article.objects.get(pk=self.article.pk)
        last = TransitionLogEntry.objects.filter(article=self.article).order_by("pk").last()
        if article.state == S.APPROVED and last.transition == "approve" and last.created_at >= review.created_at:
            assert article.approved_revision_id == assignment.revision_id == last.revision_id
        if decision == Decision.REQUEST_CHANGES:
            assert article.state == S.CHANGES_REQUESTED

    @rule()
    def drive_to_approval(self):
        """The author submits, the editor auto-assigns and everyone approves (each step may be refused)."""
        author, editor = self.users["author"], self.users["editor"]
        self._attempt(lambda: services.article_submit(article=self.article, actor=author), transitions=_submit_rows)
        self._attempt(lambda: services.assignments_auto(article=self.article, actor=editor))
        self.review_round([Decision.APPROVE] * len(MEMBERS))

    @rule(decisions=st.lists(st.sampled_from([*[Decision.APPROVE] * 15, *Decision.values]), min_size=1, max_size=4))
    def review_round(self, decisions):
        """The invited members accept and decide, in turn: the path to approval, taken often enough."""
        current = Article.objects.get(pk=self.article.pk).current_revision_id
        open_assignments = [a for a in self._assignments() if a.is_open and a.revision_id == current]
        for assignment, decision in zip(open_assignments, decisions, strict=False):
            user = assignment.board_member.user
            if assignment.status == AssignmentStatus.INVITED:
                accept = lambda a=assignment, u=user: services.assignment_accept(assignment=a, actor=u)  # noqa: E731
                self._attempt(accept, transitions=0)
            self._attempt(
                lambda a=assignment, u=user, d=decision: services.review_submit(
                    assignment=a, actor=u, decision=d, comments_to_author="Cite the guideline."
                )
            )

    @rule(actor=actors("editor"), reason=reasons)
    def reject(self, actor, reason):
        self._attempt(
            lambda: services.article_reject(article=self.article, actor=self.users[actor], reason=reason),
            transitions=1,
        )

    @rule(actor=actors("editor"), reason=reasons)
    def retract(self, actor, reason):
        self._attempt(
            lambda: services.article_retract(article=self.article, actor=self.users[actor], reason=reason),
            transitions=1,
        )

    @rule(actor=actors("editor"), reason=reasons)
    def reopen(self, actor, reason):
        self._attempt(
            lambda: services.article_reopen(article=self.article, actor=self.users[actor], reason=reason),
            transitions=1,
        )

    @rule(actor=actors("author"), reason=reasons)
    def revise(self, actor, reason):
        self._attempt(
            lambda: services.article_revise(article=self.article, actor=self.users[actor], reason=reason),
            transitions=1,
        )

    @rule()
    def reader_reads(self):
        """A reader opens the page in each wording, and the list: stored pages and cards fill as readers read."""
        shown = published_revision(slug=self.article.slug, with_references=False)
        article = Article.objects.select_related("current_revision").get(pk=self.article.pk)
        unapproved = article.current_revision.title if article.current_revision else None
        client = Client()
        for audience in ("patient", "professional"):
            response = client.get(f"/articles/{self.article.slug}/", {"audience": audience})
            if shown is None:
                assert response.status_code in (404, 410)
                continue
            html = response.content.decode()
            assert f'<h1 id="article-title">{escape(shown.title)}</h1>' in html
        listed = client.get("/articles/").content.decode()
        if shown is not None:
            assert escape(shown.title) in listed
        if unapproved and (shown is None or unapproved != shown.title):
            assert escape(unapproved) not in listed

    # Invariants

    @invariant()
    def stored_pages_and_cards_served_are_of_the_approved_revision(self):
        article = Article.objects.get(pk=self.article.pk)
        shown = published_revision(slug=article.slug, with_references=False)
        for kind in ("patient", "professional"):
            page = stored_page(slug=article.slug, kind=kind, origin="http://testserver", fingerprint=fingerprint())
            assert page is None or (shown is not None and f">{escape(shown.title)}</h1>" in page[0])
        cards = stored_cards(article_ids=[article.pk], fingerprint=fingerprint())
        assert not cards or (shown is not None and escape(shown.title) in cards[article.pk])
        # A row stamped with the article as it stands was rendered from its approved revision, and no other.
        current = StoredPage.objects.filter(article=article, article_updated_at=article.updated_at)
        assert all(row.revision_id == article.approved_revision_id for row in current)

    @invariant()
    def published_revision_was_approved(self):
        shown = published_revision(slug=self.article.slug)
        if shown is not None:
            assert TransitionLogEntry.objects.filter(
                article=self.article, transition="approve", revision=shown
            ).exists()

    @invariant()
    def every_success_wrote_exactly_its_log_rows(self):
        assert self._log_count() == self.expected_log_rows

    @invariant()
    def log_is_a_chain_ending_in_the_current_state(self):
        rows = list(TransitionLogEntry.objects.filter(article=self.article).order_by("pk"))
        previous = S.DRAFT
        for row in rows:
            assert row.from_state == previous, f"{row} does not follow {previous}"
            assert row.from_state != row.to_state
            previous = row.to_state
        assert self._state() == previous

    @invariant()
    def revisions_never_change(self):
        for revision in Revision.objects.filter(article=self.article).prefetch_related("references"):
            assert self._snapshot(revision) == self.snapshots[revision.pk]

    @invariant()
    def reviews_belong_to_completed_assignments(self):
        assert (
            not Review.objects.filter(assignment__revision__article=self.article)
            .exclude(assignment__status=AssignmentStatus.COMPLETED)
            .exists()
        )

    @invariant()
    def no_open_assignment_outside_review(self):
        if self._state() not in (S.SUBMITTED, S.UNDER_REVIEW):
            assert not ReviewAssignment.objects.open().filter(revision__article=self.article).exists()


def machine_settings(*, examples: int, steps: int) -> settings:
    return settings(
        max_examples=examples,
        stateful_step_count=steps,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


@pytest.mark.django_db
@override_settings(READER_CACHE_SECONDS=0, ROOT_URLCONF="config.urls")  # the stored pages, not the reader cache
def test_workflow_state_machine_keeps_its_invariants():
    run_state_machine_as_test(WorkflowMachine, settings=machine_settings(examples=60, steps=50))


class CommittingWorkflowMachine(WorkflowMachine):
    """The same workflow with each change's after-commit work run, as when it commits: the reader cache's
    invalidation, the web process's copies retired (articles.local_pages, on Redis), the stored pages retired and
    rendered again. Readers then read through the reader cache, which must never show them anything else than
    the approved revision, nor one approved before the current."""

    def __init__(self):
        super().__init__()
        self._forget_cached_pages()

    def _attempt(self, call, *, transitions=None):
        with TestCase.captureOnCommitCallbacks(execute=True):
            result = super()._attempt(call, transitions=transitions)
        self.reader_reads()  # right after every change: a page cached before it must not answer
        return result

    def teardown(self):
        super().teardown()
        self._forget_cached_pages()  # the database goes back to the savepoint; so must what was cached from it

    @staticmethod
    def _forget_cached_pages():
        cache.clear()
        local_pages.forget_all()


@pytest.mark.django_db
@override_settings(READER_CACHE_SECONDS=300, ROOT_URLCONF="config.urls")
def test_workflow_state_machine_keeps_its_reader_invariants_through_the_reader_cache(monkeypatch):
    monkeypatch.setattr(events, "nudge_relay", lambda: None)  # the outbox's nudge to a worker: none runs here
    run_state_machine_as_test(CommittingWorkflowMachine, settings=machine_settings(examples=30, steps=40))
