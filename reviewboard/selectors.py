"""Reads for the workflow's use cases."""

from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from articles.models import Article, ArticleState, Specialty
from articles.prepared import PreparedQuery
from reviewboard.models import (
    OPEN_STATUSES,
    AssignmentStatus,
    BoardMember,
    Decision,
    Review,
    ReviewAssignment,
    TransitionLogEntry,
)
from reviewboard.notifications.models import Channel, EventStatus, Message, OutboxEvent


@dataclass
class Suggestion:
    """A board member the automatic assigner considered, and why."""

    board_member: BoardMember
    open_load: int
    in_specialty: bool
    eligible: bool
    reasons: list[str] = field(default_factory=list)


def reviewer_suggestions(*, article: Article) -> list[Suggestion]:
    """Rank active board members for the article: eligible first, specialty, then lowest load."""
    author_ids = set(article.authors.values_list("pk", flat=True))
    conflicted = set(article.conflicts.values_list("board_member_id", flat=True))
    already = set(
        ReviewAssignment.objects.live()
        .filter(revision_id=article.current_revision_id)
        .values_list("board_member_id", flat=True)
    )
    members = (
        BoardMember.objects.active()
        .select_related("user")
        .annotate(open_load=Count("assignments", filter=Q(assignments__status__in=OPEN_STATUSES), distinct=True))
        .annotate(in_specialty=Count("specialties", filter=Q(specialties=article.specialty_id), distinct=True))
    )
    suggestions = []
    for member in members:
        reasons = []
        eligible = True
        in_specialty = member.in_specialty > 0
        reasons.append(f"specialty {article.specialty}" if in_specialty else "outside the specialty")
        reasons.append(f"{member.open_load} of {member.capacity} open reviews")
        if member.user_id in author_ids:
            eligible, reasons = False, [*reasons, "an author of this article"]
        if member.pk in conflicted:
            eligible, reasons = False, [*reasons, "declared a conflict of interest"]
        if member.pk in already:
            eligible, reasons = False, [*reasons, "already assigned to this revision"]
        if member.open_load >= member.capacity:
            eligible, reasons = False, [*reasons, "at capacity"]
        suggestions.append(Suggestion(member, member.open_load, in_specialty, eligible, reasons))
    suggestions.sort(key=lambda s: (not s.eligible, not s.in_specialty, s.open_load, s.board_member.pk))
    return suggestions


def article_timeline(*, article: Article) -> QuerySet[TransitionLogEntry]:
    """Return the article's transitions, oldest first."""
    return article.transitions.select_related("actor", "revision")


def open_assignments_for(*, board_member: BoardMember) -> QuerySet[ReviewAssignment]:
    """Return the member's invitations and accepted reviews, most urgent first."""
    return board_member.assignments.open().select_related("revision__article").order_by("due_date", "pk")


# Compiled once (articles.prepared): every uncached reader page runs it.
_APPROVING_MEMBERS = PreparedQuery(
    lambda revision_id: (
        BoardMember.objects.filter(
            assignments__revision_id=revision_id,
            assignments__status=AssignmentStatus.COMPLETED,
            assignments__review__decision=Decision.APPROVE,
        )
        .order_by("user__last_name", "user__first_name", "assignments__review", "specialties__name")
        .values_list(
            "assignments__review",
            "pk",
            "user_id",
            "credentials",
            "user__username",
            "user__first_name",
            "user__last_name",
            "specialties__pk",
            "specialties__name",
        )
    ),
    revision_id=-1,  # no revision has it
)


def approving_board_members(revision) -> list[BoardMember]:
    """Return the board members whose completed reviews approved ``revision``, by name."""
    # Every uncached reader page asks, so one query (a row per member and specialty) instead of a query for the
    # members and one for their specialties. The instances are built as the ORM builds them (``from_db``): the
    # fields read here are loaded, any other is deferred, and ``specialties.all()`` answers from the rows read.
    db = _APPROVING_MEMBERS.db_for_read()
    rows = _APPROVING_MEMBERS.rows(using=db, revision_id=revision.pk)
    user_model = get_user_model()
    members, specialties = {}, {}  # by approving review: a member is listed once per review, as always
    for review, member, user, credentials, username, first_name, last_name, specialty, name in rows:
        if review not in members:
            members[review] = _loaded(BoardMember, db, id=member, user_id=user, credentials=credentials)
            members[review].user = _loaded(
                user_model, db, id=user, username=username, first_name=first_name, last_name=last_name
            )
            specialties[review] = []
        if specialty is not None:
            specialties[review].append(_loaded(Specialty, db, id=specialty, name=name))
    for review, member in members.items():
        prefetched = member.specialties.all()
        prefetched._result_cache, prefetched._prefetch_done = specialties[review], True
        member._prefetched_objects_cache = {"specialties": prefetched}
    return list(members.values())


def _loaded(model, db: str, **values):
    """Return an instance of ``model`` as the ORM loads one with only ``values``' fields (the others deferred)."""
    names = [field.attname for field in model._meta.concrete_fields if field.attname in values]
    return model.from_db(db, names, [values[name] for name in names])


def author_feedback(*, article: Article) -> QuerySet[Review]:
    """Return the reviews of the article as its authors may see them: never the confidential comments."""
    return (
        Review.objects.filter(assignment__revision__article=article)
        .defer("confidential_comments")
        .select_related("assignment__revision")
        .order_by("-created_at")
    )


@dataclass(frozen=True)
class OperationsSnapshot:
    """What an operator watches of the workflow (config.metrics exports it to Prometheus)."""

    articles_per_state: dict[str, int]
    reviews_past_due: int
    oldest_pending_event_age_seconds: float
    failed_messages: int


def operations_snapshot() -> OperationsSnapshot:
    """Return articles per state, open reviews past due, the oldest pending outbox event's age and failed messages."""
    counts = dict(Article.objects.order_by().values_list("state").annotate(count=Count("pk")))
    now = timezone.now()
    oldest = (
        OutboxEvent.objects.filter(status=EventStatus.PENDING).order_by("created_at").values_list("created_at").first()
    )
    return OperationsSnapshot(
        articles_per_state={state: counts.get(state, 0) for state in ArticleState.values},
        reviews_past_due=ReviewAssignment.objects.open().filter(due_date__lt=timezone.localdate(now)).count(),
        oldest_pending_event_age_seconds=max((now - oldest[0]).total_seconds(), 0.0) if oldest else 0.0,
        failed_messages=Message.objects.filter(channel=Channel.EMAIL, sent_at__isnull=True, attempts__gt=0).count(),
    )
