"""Build a large, consistent editorial archive for measuring the dashboard.

Bypasses the services on purpose: they lock, validate and log one article at a time, which
would take hours for 100,000 articles. The rows are written with bulk inserts instead, but
follow the workflow exactly: every article's state is the ``to_state`` of its last log row, each
log row's ``from_state`` is the previous row's ``to_state``, every decision round has the
assignments and reviews that caused it, approved articles pin the revision the board approved,
and timestamps increase along each history. Never run it on a production database.
"""

import random
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from articles.followup_models import FollowUpQuestion, FollowUpStatus
from articles.models import Article, ArticleState, Revision, Specialty
from articles.permissions import AUTHORS_GROUP, EDITORS_GROUP
from reviewboard.management.profile import add_allow_production_argument, refuse_production_unless_allowed
from reviewboard.models import (
    AssignmentStatus,
    BoardMember,
    Decision,
    Review,
    ReviewAssignment,
    ReviewRound,
    RoundOutcome,
    TransitionLogEntry,
)

S = ArticleState
FULL_ARTICLES = 100_000
REVISIONS_PER_ARTICLE = 10
REVIEWS_PER_ARTICLE = 3  # 300,000 for the full archive
ARTICLES_PER_MEMBER = 200  # 500 board members for the full archive
SPECIALTIES = [
    "Neurology",
    "Cardiology",
    "Pharmacology",
    "Oncology",
    "Endocrinology",
    "Gastroenterology",
    "Dermatology",
    "Psychiatry",
    "Pulmonology",
    "Rheumatology",
    "Nephrology",
    "Paediatrics",
]
FINAL_STATES = {
    S.APPROVED: 0.55,
    S.DRAFT: 0.08,
    S.SUBMITTED: 0.05,
    S.UNDER_REVIEW: 0.10,
    S.CHANGES_REQUESTED: 0.07,
    S.REJECTED: 0.07,
    S.RETRACTED: 0.08,
}
# States whose history ends with (at least) one decided review round.
DECIDED = (S.APPROVED, S.RETRACTED, S.REJECTED, S.CHANGES_REQUESTED)
MAX_ROUNDS = REVISIONS_PER_ARTICLE - 1
SECTIONS = [{"heading": "From the Guidelines", "body": "Seeded text citing a guideline [1]."}]


def tag_filter(tag: str) -> Q:
    """Return the filter of the articles one run seeded (their slugs start with its tag)."""
    return Q(slug__startswith=f"{tag}-")


@contextmanager
def explicit_timestamps(*models):
    """Let bulk inserts keep the ``created_at`` they are given instead of ``auto_now_add``."""
    fields = [f for m in models for f in m._meta.concrete_fields if getattr(f, "auto_now_add", False)]
    for f in fields:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f in fields:
            f.auto_now_add = True


@dataclass
class Plan:
    """One article's history, before it is written."""

    state: str
    rounds: int
    created_at: datetime
    author_id: int = 0
    specialty_index: int = 0
    events: list = field(default_factory=list)  # (transition, from, to, revision number, actor id, when, reason)
    revision_times: dict = field(default_factory=dict)
    assignments: list = field(default_factory=list)  # dicts, with an optional review decision
    review_rounds: list = field(default_factory=list)  # dicts: revision number, opened, closed, outcome
    approved_at: datetime | None = None
    retracted_at: datetime | None = None


class Command(BaseCommand):
    help = (
        "Seed a large archive with bulk inserts (bypassing the services, consistently): by default "
        "100,000 articles, 1,000,000 revisions, 300,000 reviews and 500 board members."
    )

    def add_arguments(self, parser):
        add_allow_production_argument(parser)
        parser.add_argument("--articles", type=int, help="Articles to create (overrides --scale).")
        parser.add_argument("--scale", type=float, default=1.0, help="Fraction of the full archive, e.g. 0.01.")
        parser.add_argument("--chunk", type=int, default=5000, help="Articles written per transaction.")
        parser.add_argument("--batch-size", type=int, default=5000)
        parser.add_argument("--seed", type=int, default=2025, help="Random seed (same seed, same archive).")

    def handle(self, *args, **options):
        refuse_production_unless_allowed(command="seed_scale", options=options)
        articles = options["articles"] or round(FULL_ARTICLES * options["scale"])
        if articles < 1:
            raise CommandError("Seed at least one article.")
        self.rng = random.Random(options["seed"])
        self.batch = options["batch_size"]
        self.now = timezone.now()
        self.tag = f"s{options['seed']}-{int(self.now.timestamp())}"
        started = timezone.now()
        with transaction.atomic():
            self._people(articles)
        plans = self._plan(articles)
        counts = dict.fromkeys(("articles", "revisions", "rounds", "assignments", "reviews", "log"), 0)
        for offset in range(0, articles, options["chunk"]):
            with (
                transaction.atomic(),
                explicit_timestamps(Article, Revision, ReviewAssignment, Review, TransitionLogEntry),
            ):
                for name, count in self._write(plans[offset : offset + options["chunk"]], offset).items():
                    counts[name] += count
            self.stdout.write(f"  {min(offset + options['chunk'], articles)}/{articles} articles written")
        with transaction.atomic():
            questions = self._questions()
        if connection.vendor == "postgresql":
            # Fresh planner statistics (without them PostgreSQL plans for the empty tables), and the
            # visibility map set, as autovacuum would, so index-only scans need not visit the heap.
            # VACUUM cannot run inside a transaction (a test's, for one): ANALYZE alone there.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        seconds = (timezone.now() - started).total_seconds()
        self.stdout.write(
            self.style.SUCCESS(
                f"Seeded {counts['articles']} articles, {counts['revisions']} revisions, "
                f"{counts['assignments']} assignments, {counts['reviews']} reviews, {counts['log']} log rows, "
                f"{questions} reader questions, {len(self.members)} board members in {seconds:.1f} s."
            )
        )

    def _questions(self) -> int:
        """Seed readers' follow-up questions on one approved article in ten, a fifth of them handled already."""
        approved = Article.objects.filter(tag_filter(self.tag), state=S.APPROVED).values_list("pk", flat=True)
        rows = []
        for n, article_id in enumerate(approved.order_by("pk")[::10]):
            closed = n % 5 == 0
            rows.append(
                FollowUpQuestion(
                    article_id=article_id,
                    question=f"Seeded reader question {n}: does this apply to children?",
                    status=FollowUpStatus.CLOSED if closed else FollowUpStatus.OPEN,
                    closed_reason="Answered by the article (seeded)." if closed else "",
                    handled_at=self.now if closed else None,
                    handled_by_id=self.rng.choice(self.editors) if closed else None,
                )
            )
        return len(FollowUpQuestion.objects.bulk_create(rows, batch_size=self.batch))

    # People and specialties.

    def _people(self, articles: int) -> None:
        User = get_user_model()
        self.specialties = [
            Specialty.objects.get_or_create(slug=name.lower(), defaults={"name": name})[0] for name in SPECIALTIES
        ]
        member_count = max(5, round(articles / ARTICLES_PER_MEMBER))
        author_count = max(3, articles // 100)
        editor_count = max(2, articles // 10_000)

        def users(kind, count):
            rows = [
                User(
                    username=f"{self.tag}-{kind}{i}",
                    first_name=kind.title(),
                    last_name=f"{i}",
                    email=f"{self.tag}-{kind}{i}@example.org",
                    password="!",  # noqa: S106  (unusable: seeded people cannot log in)
                )
                for i in range(count)
            ]
            return User.objects.bulk_create(rows, batch_size=self.batch)

        self.editors = [u.pk for u in users("editor", editor_count)]
        self.authors = [u.pk for u in users("author", author_count)]
        member_users = users("member", member_count)
        for name, ids in ((EDITORS_GROUP, self.editors), (AUTHORS_GROUP, self.authors)):
            group = Group.objects.get_or_create(name=name)[0]
            Through = User.groups.through
            Through.objects.bulk_create([Through(user_id=i, group_id=group.pk) for i in ids], batch_size=self.batch)
        members = BoardMember.objects.bulk_create(
            [BoardMember(user=u, credentials="MD", capacity=50) for u in member_users], batch_size=self.batch
        )
        Specialties = BoardMember.specialties.through
        self.pool: dict[int, list[tuple[int, int]]] = {i: [] for i in range(len(self.specialties))}
        links = []
        for n, member in enumerate(members):
            for index in {n % len(self.specialties), self.rng.randrange(len(self.specialties))}:
                self.pool[index].append((member.pk, member.user_id))
                links.append(Specialties(boardmember_id=member.pk, specialty_id=self.specialties[index].pk))
        Specialties.objects.bulk_create(links, batch_size=self.batch)
        self.members = members

    # Histories.

    def _plan(self, articles: int) -> list[Plan]:
        states = self.rng.choices(list(FINAL_STATES), weights=list(FINAL_STATES.values()), k=articles)
        plans = [
            Plan(
                state=state,
                rounds=1 if state in DECIDED else 0,
                created_at=self.now,
                author_id=self.rng.choice(self.authors),
                specialty_index=n % len(self.specialties),
            )
            for n, state in enumerate(states)
        ]
        # Two reviews per decided round: spread the remaining rounds over the articles that
        # went to review until the archive holds REVIEWS_PER_ARTICLE reviews per article.
        reviewed = [p for p in plans if p.state != S.DRAFT]
        missing = (REVIEWS_PER_ARTICLE * articles) // 2 - sum(p.rounds for p in plans)
        while missing > 0 and reviewed:
            plan = self.rng.choice(reviewed)
            if plan.rounds + (plan.state in (S.SUBMITTED, S.UNDER_REVIEW)) < MAX_ROUNDS:
                plan.rounds += 1
                missing -= 1
            else:
                reviewed.remove(plan)
        for plan in plans:
            self._history(plan)
        return plans

    def _history(self, plan: Plan) -> None:
        """Fill in the events, assignments and revision times of one article."""
        rng = self.rng
        pending = plan.state in (S.SUBMITTED, S.UNDER_REVIEW)
        submitted = plan.rounds + pending
        first = REVISIONS_PER_ARTICLE - submitted + 1  # the first revision sent for review
        t = datetime(2000, 1, 1, tzinfo=self.now.tzinfo)  # shifted to the real timeline below
        created = t
        for number in range(1, first):
            t += timedelta(hours=rng.uniform(1, 48))
            plan.revision_times[number] = t
        editor = rng.choice(self.editors)
        for j in range(submitted):
            number = first + j
            t += timedelta(hours=rng.uniform(1, 72))
            plan.revision_times[number] = t
            t += timedelta(minutes=rng.uniform(5, 120))
            if j == 0:
                plan.events.append(("submit", S.DRAFT, S.SUBMITTED, number, plan.author_id, t, ""))
            else:
                plan.events.append(("resubmit", S.CHANGES_REQUESTED, S.SUBMITTED, number, plan.author_id, t, ""))
            review_round = {"number": number, "opened": t, "closed": None, "outcome": ""}
            plan.review_rounds.append(review_round)
            if j == submitted - 1 and plan.state == S.SUBMITTED:
                break
            t += timedelta(hours=rng.uniform(2, 120))
            plan.events.append(("start_review", S.SUBMITTED, S.UNDER_REVIEW, number, editor, t, ""))
            pool = self.pool[plan.specialty_index]
            reviewers = rng.sample(pool, 3) if len(pool) >= 3 else rng.sample(self._all_members(), 3)
            assigned = t
            due = (assigned + timedelta(days=14)).date()
            if rng.random() < 0.3:
                declined_at = assigned + timedelta(hours=rng.uniform(1, 72))
                plan.assignments.append(
                    {
                        "number": number,
                        "member": reviewers[2][0],
                        "round": len(plan.review_rounds),
                        "status": AssignmentStatus.DECLINED,
                        "created": assigned,
                        "responded": declined_at,
                        "completed": None,
                        "due": due,
                        "by": editor,
                    }
                )
            if j == submitted - 1 and plan.state == S.UNDER_REVIEW:
                for member_id, _ in reviewers[:2]:
                    status = rng.choice([AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED])
                    plan.assignments.append(
                        {
                            "number": number,
                            "round": len(plan.review_rounds),
                            "member": member_id,
                            "status": status,
                            "created": assigned,
                            "responded": assigned + timedelta(hours=5) if status == AssignmentStatus.ACCEPTED else None,
                            "completed": None,
                            "due": due,
                            "by": editor,
                        }
                    )
                break
            approves = j == submitted - 1 and plan.state in (S.APPROVED, S.RETRACTED)
            decisions = [Decision.APPROVE, Decision.APPROVE if approves else Decision.REQUEST_CHANGES]
            for (member_id, user_id), decision in zip(reviewers[:2], decisions, strict=True):
                t += timedelta(hours=rng.uniform(6, 24 * 12))
                plan.assignments.append(
                    {
                        "number": number,
                        "round": len(plan.review_rounds),
                        "member": member_id,
                        "status": AssignmentStatus.COMPLETED,
                        "created": assigned,
                        "responded": assigned + timedelta(hours=3),
                        "completed": t,
                        "due": due,
                        "by": editor,
                        "decision": decision,
                    }
                )
                last_reviewer = user_id
            review_round["closed"] = t
            review_round["outcome"] = RoundOutcome.APPROVED if approves else RoundOutcome.CHANGES_REQUESTED
            if approves:
                plan.events.append(("approve", S.UNDER_REVIEW, S.APPROVED, number, last_reviewer, t, "Quorum met."))
                plan.approved_at = t
            else:
                plan.events.append(
                    ("request_changes", S.UNDER_REVIEW, S.CHANGES_REQUESTED, number, last_reviewer, t, "")
                )
        last = REVISIONS_PER_ARTICLE
        if plan.state == S.RETRACTED:
            t += timedelta(days=rng.uniform(10, 200))
            plan.events.append(("retract", S.APPROVED, S.RETRACTED, last, editor, t, "New evidence (seeded)."))
            plan.retracted_at = t
        elif plan.state == S.REJECTED:
            t += timedelta(days=rng.uniform(1, 30))
            plan.events.append(("reject", S.CHANGES_REQUESTED, S.REJECTED, last, editor, t, "Out of scope (seeded)."))
        # Place the history on the real timeline: it ends between an hour and about two years ago,
        # recently for articles still moving through review.
        recent = plan.state in (S.SUBMITTED, S.UNDER_REVIEW, S.CHANGES_REQUESTED, S.DRAFT)
        ago = timedelta(days=rng.uniform(0.05, 40 if recent else 700))
        shift = (self.now - ago) - t
        plan.created_at = created + shift
        plan.revision_times = {n: when + shift for n, when in plan.revision_times.items()}
        plan.events = [(*e[:5], e[5] + shift, e[6]) for e in plan.events]
        for review_round in plan.review_rounds:
            review_round["opened"] += shift
            review_round["closed"] = review_round["closed"] and review_round["closed"] + shift
        for a in plan.assignments:
            for key in ("created", "responded", "completed"):
                if a[key] is not None:
                    a[key] += shift
            a["due"] = (a["created"] + timedelta(days=14)).date()
        plan.approved_at = plan.approved_at and plan.approved_at + shift
        plan.retracted_at = plan.retracted_at and plan.retracted_at + shift

    def _all_members(self):
        return list(dict.fromkeys(m for pool in self.pool.values() for m in pool))

    # Writing.

    def _write(self, plans: list[Plan], offset: int) -> dict:
        articles = Article.objects.bulk_create(
            [
                Article(
                    slug=f"{self.tag}-{offset + n}",
                    specialty=self.specialties[p.specialty_index],
                    state=p.state,
                    approved_at=p.approved_at,
                    retracted_at=p.retracted_at,
                    created_at=p.created_at,
                )
                for n, p in enumerate(plans)
            ],
            batch_size=self.batch,
        )
        Through = Article.authors.through
        Through.objects.bulk_create(
            [Through(article_id=a.pk, user_id=p.author_id) for a, p in zip(articles, plans, strict=True)],
            batch_size=self.batch,
        )
        revisions = Revision.objects.bulk_create(
            [
                Revision(
                    article_id=a.pk,
                    number=number,
                    title=f"What causes seeded symptom {offset + n} (revision {number})?",
                    summary_patient="A seeded answer in plain words.",
                    summary_professional="A seeded answer for clinicians.",
                    sections=SECTIONS,
                    created_by_id=p.author_id,
                    change_note="Seeded",
                    created_at=p.revision_times[number],
                )
                for n, (a, p) in enumerate(zip(articles, plans, strict=True))
                for number in range(1, REVISIONS_PER_ARTICLE + 1)
            ],
            batch_size=self.batch,
        )
        revision_id = {(r.article_id, r.number): r.pk for r in revisions}
        ids = [a.pk for a in articles]
        last = Revision.objects.filter(article=OuterRef("pk"), number=REVISIONS_PER_ARTICLE).values("pk")[:1]
        Article.objects.filter(pk__in=ids).update(current_revision=Subquery(last))
        Article.objects.filter(pk__in=ids, approved_at__isnull=False).update(approved_revision=Subquery(last))
        rounds = ReviewRound.objects.bulk_create(
            [
                ReviewRound(
                    article_id=a.pk,
                    revision_id=revision_id[(a.pk, r["number"])],
                    number=k,
                    opened_at=r["opened"],
                    closed_at=r["closed"],
                    outcome=r["outcome"],
                )
                for a, p in zip(articles, plans, strict=True)
                for k, r in enumerate(p.review_rounds, start=1)
            ],
            batch_size=self.batch,
        )
        round_id = {(r.article_id, r.number): r.pk for r in rounds}
        latest_round = ReviewRound.objects.filter(article=OuterRef("pk")).order_by("-number").values("revision")[:1]
        Article.objects.filter(pk__in=ids).update(submitted_revision=Subquery(latest_round))
        assignment_rows, decisions = [], []
        for a, p in zip(articles, plans, strict=True):
            for row in p.assignments:
                assignment_rows.append(
                    ReviewAssignment(
                        review_round_id=round_id[(a.pk, row["round"])],
                        revision_id=revision_id[(a.pk, row["number"])],
                        board_member_id=row["member"],
                        status=row["status"],
                        due_date=row["due"],
                        assigned_by_id=row["by"],
                        created_at=row["created"],
                        responded_at=row["responded"],
                        completed_at=row["completed"],
                    )
                )
                decisions.append(row.get("decision"))
        assignments = ReviewAssignment.objects.bulk_create(assignment_rows, batch_size=self.batch)
        reviews = Review.objects.bulk_create(
            [
                Review(
                    assignment_id=assignment.pk,
                    decision=decision,
                    comments_to_author="Seeded review." if decision == Decision.APPROVE else "Please revise (seeded).",
                    created_at=assignment.completed_at,  # type: ignore[misc]  # completed: it has one
                )
                for assignment, decision in zip(assignments, decisions, strict=True)
                if decision
            ],
            batch_size=self.batch,
        )
        log = TransitionLogEntry.objects.bulk_create(
            [
                TransitionLogEntry(
                    article_id=a.pk,
                    revision_id=revision_id[(a.pk, number)],
                    actor_id=actor,
                    transition=name,
                    from_state=source,
                    to_state=target,
                    reason=reason,
                    # The stay in ``source`` began at the article's previous event (in time order), or its creation.
                    entered_at=p.events[k - 1][5] if k else p.created_at,
                    created_at=when,
                )
                for a, p in zip(articles, plans, strict=True)
                for k, (name, source, target, number, actor, when, reason) in enumerate(p.events)
            ],
            batch_size=self.batch,
        )
        return {
            "articles": len(articles),
            "revisions": len(revisions),
            "rounds": len(rounds),
            "assignments": len(assignments),
            "reviews": len(reviews),
            "log": len(log),
        }
