"""Selectors for the editorial dashboard: each returns one table, computed in the database.

Every function takes the same ``DashboardFilters`` and runs a fixed number of queries (one or
two), whatever the number of rows, so the whole page stays within its query budget.
"""

import math
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Aggregate, Avg, Count, Exists, F, FloatField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, TruncWeek
from django.utils import timezone

from articles.followup_models import FollowUpQuestion, FollowUpStatus
from articles.models import Article, ArticleState, review_overdue_condition
from reviewboard.models import OPEN_STATUSES, AssignmentStatus, BoardMember, ReviewAssignment, TransitionLogEntry
from reviewboard.review_models import ReviewRating

PERCENTILES = (0.5, 0.9)
PERIOD_CHOICES = {"30": 30, "90": 90, "365": 365}
DEFAULT_PERIOD = "90"
RECENT_ACTIVITY_ROWS = 20
WORK_MEM = "32MB"


MAX_PERIOD_YEARS = 5
EARLIEST_DATE = date(1970, 1, 1)


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return date(day.year + years, 3, 1)


def period_problem(start: date, end: date) -> str | None:
    """Return why the dashboard cannot show the period ``start``..``end`` (inclusive), or None if it can.

    A period is at most five years, within 1970 and a year from now: the dashboard's reads grow with it.
    """
    latest = _years_after(timezone.localdate(), 1)
    if start < EARLIEST_DATE or end > latest:
        return f"Choose dates between {EARLIEST_DATE:%-d %B %Y} and {latest:%-d %B %Y}."
    if start > end:
        return "The period starts after it ends."
    if end >= _years_after(start, MAX_PERIOD_YEARS):
        return f"Choose a period of at most {MAX_PERIOD_YEARS} years; export a longer span one period at a time."
    return None


@dataclass(frozen=True)
class DashboardFilters:
    """What the dashboard is narrowed to: a period [start, end), a specialty and an editor."""

    start: datetime
    end: datetime
    specialty_id: int | None = None
    editor_id: int | None = None
    today: date = field(default_factory=timezone.localdate)

    @cached_property
    def review_overdue(self) -> Q:
        """The condition on articles past their next review date, read once for the whole dashboard."""
        return review_overdue_condition()

    @classmethod
    def last_days(cls, days: int, **kwargs) -> "DashboardFilters":
        end = timezone.now()
        return cls(start=end - timedelta(days=days), end=end, **kwargs)


@contextmanager
def reporting_transaction():
    """Run the dashboard's reads in one transaction: one snapshot, tuned for aggregates on PostgreSQL.

    The setting lasts until the transaction ends (``set_config(..., true)``): room to sort the
    durations in memory (JIT is off for every connection, in settings). One query on PostgreSQL
    besides the transaction's own; nothing elsewhere.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('work_mem', %s, true)", [WORK_MEM])
        yield


def rereview_after_days() -> int:
    return getattr(settings, "REREVIEW_AFTER_DAYS", 365)


# Filters shared by the selectors. The editor of an article is whoever started its review
# (the actor of ``start_review``, that is who assigned its reviewers).


def _articles(filters: DashboardFilters) -> QuerySet[Article]:
    articles = Article.objects.order_by()
    if filters.specialty_id:
        articles = articles.filter(specialty_id=filters.specialty_id)
    if filters.editor_id:
        articles = articles.filter(_review_started_by(filters.editor_id, article=OuterRef("pk")))
    return articles


def _log(filters: DashboardFilters) -> QuerySet[TransitionLogEntry]:
    log = TransitionLogEntry.objects.order_by()
    if filters.specialty_id:
        log = log.filter(article__specialty_id=filters.specialty_id)
    if filters.editor_id:
        log = log.filter(_review_started_by(filters.editor_id, article=OuterRef("article_id")))
    return log


def _review_started_by(editor_id: int, *, article: OuterRef) -> Exists:
    """Return whether ``editor_id`` started the review of ``article`` (that is, is its editor)."""
    return Exists(TransitionLogEntry.objects.filter(article=article, transition="start_review", actor_id=editor_id))


def _assignments(filters: DashboardFilters) -> QuerySet[ReviewAssignment]:
    assignments = ReviewAssignment.objects.order_by()
    if filters.specialty_id:
        assignments = assignments.filter(revision__article__specialty_id=filters.specialty_id)
    if filters.editor_id:
        assignments = assignments.filter(assigned_by_id=filters.editor_id)
    return assignments


# Percentiles of durations: percentile_cont in PostgreSQL, the same interpolation in Python
# over the raw durations elsewhere (SQLite has no ordered-set aggregates).


@dataclass(frozen=True)
class DurationStats:
    count: int
    median_seconds: float | None
    p90_seconds: float | None


def percentile_cont(values: list[float], fraction: float) -> float | None:
    """Return the ``fraction`` percentile of ``values`` with linear interpolation, as PostgreSQL."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def duration_stats(sql: str, params, *, groups=None) -> dict:
    """Return {group_key: DurationStats} of ``ended_at - started_at`` over the rows of ``sql``.

    ``sql`` selects the columns ``group_key``, ``started_at`` and ``ended_at``. One query.
    With ``groups`` (every key there can be), PostgreSQL reads each group's rows on its own, from
    an index led by the group key, instead of sorting all the rows by group first.
    Only trusted SQL (the ORM's or this module's) may be passed; values go in ``params``.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            fractions = ", ".join(repr(p) for p in PERCENTILES)
            # One sort of the durations serves every percentile. date_part gives float8; EXTRACT
            # gives numeric, which sorts about twice as slowly (191 ms -> 91 ms over 285,000 stays).
            aggregates = (
                f"count(*) AS n, percentile_cont(ARRAY[{fractions}]::float8[]) WITHIN GROUP "
                "(ORDER BY date_part('epoch', ended_at - started_at)) AS percentiles"
            )
            if groups:
                keys = ", ".join(["(%s)"] * len(groups))
                cursor.execute(
                    f"SELECT g.key, d.n, d.percentiles FROM (VALUES {keys}) AS g(key) "  # noqa: S608
                    f"CROSS JOIN LATERAL (SELECT {aggregates} FROM ({sql}) AS stays "
                    "WHERE stays.group_key = g.key) AS d WHERE d.n > 0",
                    [*groups, *params],
                )
            else:
                cursor.execute(f"SELECT group_key, {aggregates} FROM ({sql}) AS stays GROUP BY group_key", params)  # noqa: S608
            return {key: DurationStats(n, *(float(v) for v in values)) for key, n, values in cursor.fetchall()}
        # SQLite: the durations themselves, the percentiles in Python.
        cursor.execute(
            f"SELECT group_key, (julianday(ended_at) - julianday(started_at)) * 86400.0 FROM ({sql}) AS durations",  # noqa: S608
            params,
        )
        durations = defaultdict(list)
        for key, seconds in cursor.fetchall():
            durations[key].append(round(seconds, 3))
    return {
        key: DurationStats(len(values), *(percentile_cont(values, p) for p in PERCENTILES))
        for key, values in durations.items()
    }


class MedianSeconds(Aggregate):
    """The median of ``end - start`` in seconds (PostgreSQL's ``percentile_cont``), as an aggregate."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY date_part('epoch', %(expressions)s))"
    arg_joiner = " - "
    output_field = FloatField()

    def __init__(self, start: str, end: str, **extra):
        super().__init__(F(end), F(start), **extra)


def queryset_duration_stats(rows: QuerySet, *, group_by: str, start: str, end: str, groups=None) -> dict:
    """Return {group: DurationStats} of ``end - start`` over the rows of a queryset."""
    selected = rows.order_by().values(group_key=F(group_by), started_at=F(start), ended_at=F(end))
    return duration_stats(*selected.query.sql_with_params(), groups=groups)


# The tables.


@dataclass(frozen=True)
class StateCount:
    state: str
    label: str
    count: int


@dataclass(frozen=True)
class StateSummary:
    states: list[StateCount]
    due_for_rereview: int
    questions_waiting: int


def state_summary(filters: DashboardFilters) -> StateSummary:
    """Return the articles in each state now, how many are due for re-review, and the open follow-up questions.

    The questions are the whole intake queue (what /editor/intake/ lists), whatever the filters:
    the queue is not split by specialty or editor. One query, the count folded into the states'.
    """
    overdue = filters.review_overdue
    waiting = (
        FollowUpQuestion.objects.filter(status=FollowUpStatus.OPEN).order_by().values("status").annotate(n=Count("pk"))
    )
    rows = (
        _articles(filters)
        .values("state")
        # Counting the (never null) state lets PostgreSQL answer from the (state, approved_at) index alone.
        .annotate(
            n=Count("state"),
            due=Count("state", filter=Q(state=ArticleState.APPROVED) & overdue),
            waiting=Subquery(waiting.values("n")),
        )
        .order_by()
    )
    counts = {row["state"]: row for row in rows}
    table = [StateCount(s.value, s.label, counts[s.value]["n"] if s.value in counts else 0) for s in ArticleState]
    if counts:
        questions = next(iter(counts.values()))["waiting"] or 0
    else:  # no article matches the filters: the queue is counted on its own
        questions = FollowUpQuestion.objects.filter(status=FollowUpStatus.OPEN).count()
    return StateSummary(table, sum(row["due"] for row in counts.values()), questions)


def articles_per_state(filters: DashboardFilters) -> tuple[list[StateCount], int]:
    """Return the number of articles in each state now, and how many are due for re-review."""
    summary = state_summary(filters)
    return summary.states, summary.due_for_rereview


@dataclass(frozen=True)
class TimeInState:
    state: str
    label: str
    count: int
    median_seconds: float | None
    p90_seconds: float | None


def time_in_state(filters: DashboardFilters) -> list[TimeInState]:
    """Return how long articles stayed in each state they left during the period.

    A stay runs from the transition that entered the state (or the article's creation, for the
    first draft) to the transition that left it; stays not yet ended are not counted. Each log row
    carries when its stay began (``entered_at``), so only the period's rows are read.
    """
    stays = _log(filters).filter(created_at__gte=filters.start, created_at__lt=filters.end)
    stats = queryset_duration_stats(
        stays, group_by="from_state", start="entered_at", end="created_at", groups=ArticleState.values
    )
    return [
        TimeInState(s.value, s.label, stats[s.value].count, stats[s.value].median_seconds, stats[s.value].p90_seconds)
        for s in ArticleState
        if s.value in stats
    ]


@dataclass(frozen=True)
class WeekCount:
    week: date
    count: int


def approvals_per_week(filters: DashboardFilters) -> list[WeekCount]:
    """Return the approvals in each week (from Monday) of the period, weeks without any included."""
    rows = (
        _log(filters)
        .filter(to_state=ArticleState.APPROVED, created_at__gte=filters.start, created_at__lt=filters.end)
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(n=Count("created_at"))
        .order_by("week")
    )
    counts = {_as_date(row["week"]): row["n"] for row in rows}
    first = _week_start(timezone.localtime(filters.start).date())
    last = _week_start(timezone.localtime(filters.end - timedelta(microseconds=1)).date())
    weeks = []
    week = first
    while week <= last:
        weeks.append(WeekCount(week, counts.get(week, 0)))
        week += timedelta(days=7)
    return weeks


def _week_start(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _as_date(value) -> date:
    return timezone.localtime(value).date() if isinstance(value, datetime) else value


def overdue_reviews(filters: DashboardFilters, *, limit: int | None = 50) -> QuerySet[ReviewAssignment]:
    """Return the open assignments past their due date, most overdue first."""
    rows = (
        _assignments(filters)
        .filter(status__in=OPEN_STATUSES, due_date__lt=filters.today)
        .select_related("revision__article", "board_member__user", "assigned_by")
        .order_by("due_date", "pk")
    )
    return rows[:limit] if limit else rows


@dataclass(frozen=True)
class Workload:
    board_member: BoardMember
    open: int
    overdue: int
    completed: int
    declined: int
    invited: int
    median_turnaround_seconds: float | None

    @property
    def decline_rate(self) -> float | None:
        return self.declined / self.invited if self.invited else None


def board_workload(filters: DashboardFilters) -> list[Workload]:
    """Return each board member's load: open assignments now, and what happened in the period.

    Completed and the median turnaround (invitation to completed review) count reviews completed
    in the period; the decline rate is declined invitations over all invitations sent in the
    period, cancelled ones left out. Busiest first.
    """
    assignments = _assignments(filters)
    in_period = Q(created_at__gte=filters.start, created_at__lt=filters.end)
    completed_in_period = Q(
        status=AssignmentStatus.COMPLETED, completed_at__gte=filters.start, completed_at__lt=filters.end
    )
    postgresql = connection.vendor == "postgresql"
    open_now = Q(status__in=OPEN_STATUSES)
    none, no_median = Value(0), Cast(Value(None), FloatField())
    if filters.specialty_id:
        # Narrowed to a specialty, every pass would join the specialty's revisions again: one pass
        # over the rows any count looks at, joined once, costs less.
        parts = [
            assignments.filter(open_now | in_period | completed_in_period)
            .values("board_member_id")
            .annotate(
                open=Count("board_member", filter=open_now),
                overdue=Count("board_member", filter=open_now & Q(due_date__lt=filters.today)),
                completed=Count("board_member", filter=completed_in_period),
                declined=Count("board_member", filter=in_period & Q(status=AssignmentStatus.DECLINED)),
                invited=Count("board_member", filter=in_period & ~Q(status=AssignmentStatus.CANCELLED)),
                turnaround=(
                    MedianSeconds("created_at", "completed_at", filter=completed_in_period) if postgresql else no_median
                ),
            )
        ]
    else:
        # Three passes, each over only the rows it counts and through its own index (open now,
        # invited in the period, completed in the period), added up per member below; the rest of
        # the archive is never read. On PostgreSQL the median turnaround comes with the completed pass.
        parts = [
            assignments.filter(open_now)
            .values("board_member_id")
            .annotate(
                open=Count("board_member"),
                overdue=Count("board_member", filter=Q(due_date__lt=filters.today)),
                completed=none,
                declined=none,
                invited=none,
                turnaround=no_median,
            ),
            assignments.filter(in_period)
            .values("board_member_id")
            .annotate(
                open=none,
                overdue=none,
                completed=none,
                declined=Count("board_member", filter=Q(status=AssignmentStatus.DECLINED)),
                invited=Count("board_member", filter=~Q(status=AssignmentStatus.CANCELLED)),
                turnaround=no_median,
            ),
            assignments.filter(completed_in_period)
            .values("board_member_id")
            .annotate(
                open=none,
                overdue=none,
                completed=Count("board_member"),
                declined=none,
                invited=none,
                turnaround=MedianSeconds("created_at", "completed_at") if postgresql else no_median,
            ),
        ]
    compiled = [part.order_by().query.sql_with_params() for part in parts]
    union = " UNION ALL ".join(part_sql for part_sql, _ in compiled)
    sql = (
        "SELECT board_member_id, SUM(open) AS open, SUM(overdue) AS overdue, "  # noqa: S608 (SQL from the ORM)
        "SUM(completed) AS completed, SUM(declined) AS declined, SUM(invited) AS invited, "
        "MAX(turnaround) AS turnaround "
        f"FROM ({union}) AS parts GROUP BY board_member_id "
        "HAVING SUM(open) > 0 OR SUM(completed) > 0 OR SUM(invited) > 0"
    )
    counts = {row["board_member_id"]: row for row in _with_members(sql, [p for _, ps in compiled for p in ps])}
    if postgresql:
        turnaround = {key: row["turnaround"] for key, row in counts.items() if row["turnaround"] is not None}
    else:
        stats = queryset_duration_stats(
            assignments.filter(completed_in_period), group_by="board_member_id", start="created_at", end="completed_at"
        )
        turnaround = {key: value.median_seconds for key, value in stats.items()}
    members = [_member(row) for row in counts.values()]
    table = [
        Workload(
            board_member=member,
            open=counts[member.pk]["open"],
            overdue=counts[member.pk]["overdue"],
            completed=counts[member.pk]["completed"],
            declined=counts[member.pk]["declined"],
            invited=counts[member.pk]["invited"],
            median_turnaround_seconds=turnaround.get(member.pk),
        )
        for member in members
    ]
    table.sort(key=lambda w: (-w.open, -w.completed, w.board_member.display_name))
    return table


def _with_members(sql: str, params) -> list[dict]:
    """Return the per-member rows of ``sql``, each with its member's name: one query, not two.

    The members are joined to the aggregated rows (a few hundred), not to every assignment.
    Only SQL from the ORM or this module may be passed; values go in ``params``.
    """
    member, user = BoardMember._meta.db_table, get_user_model()._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT counts.*, m.credentials AS member_credentials, u.id AS member_user_id, "  # noqa: S608
            f"u.username AS member_username, u.first_name AS member_first_name, u.last_name AS member_last_name "
            f"FROM ({sql}) AS counts JOIN {member} m ON m.id = counts.board_member_id "
            f"JOIN {user} u ON u.id = m.user_id",
            params,
        )
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, values, strict=True)) for values in cursor.fetchall()]


def _member(row: dict) -> BoardMember:
    """Rebuild the board member (and user) a workload row names, for display only (never saved)."""
    user = get_user_model()(
        id=row["member_user_id"],
        username=row["member_username"],
        first_name=row["member_first_name"],
        last_name=row["member_last_name"],
    )
    return BoardMember(id=row["board_member_id"], user=user, credentials=row["member_credentials"])


def due_for_rereview(filters: DashboardFilters, *, limit: int | None = 50) -> QuerySet[Article]:
    """Return approved articles past their next review date (approval plus review interval), oldest first."""
    rows = (
        _articles(filters)
        .filter(filters.review_overdue, state=ArticleState.APPROVED)
        .select_related("approved_revision", "specialty")
        .order_by("approved_at", "pk")
    )
    return rows[:limit] if limit else rows


def recent_activity(filters: DashboardFilters, *, limit: int = RECENT_ACTIVITY_ROWS) -> list[TransitionLogEntry]:
    """Return the latest transitions, newest first."""
    return list(_log(filters).select_related("article", "revision", "actor").order_by("-created_at", "-pk")[:limit])


def average_ratings(board_member_ids: list[int]) -> dict[int, tuple[float, int]]:
    """Return each member's mean editor rating of their reviews and how many were rated (all time), by member id."""
    rows = (
        ReviewRating.objects.filter(review__assignment__board_member_id__in=board_member_ids)
        .order_by()
        .values_list("review__assignment__board_member_id")
        .annotate(mean=Avg("rating"), count=Count("pk"))
    )
    return {member_id: (float(mean), count) for member_id, mean, count in rows}
