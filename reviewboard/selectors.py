"""Reads for the workflow's use cases."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from articles.models import Article, ArticleState, Revision, Specialty
from articles.people import person_name
from reviewboard.models import (
    OPEN_STATUSES,
    AssignmentStatus,
    BoardMember,
    Decision,
    Review,
    ReviewAssignment,
    ReviewRound,
    TransitionLogEntry,
)
from reviewboard.notifications.models import Channel, EventStatus, Message, OutboxEvent
from reviewboard.permissions import Person, ThreadRights, thread_rights
from reviewboard.policy import round_member_ids
from reviewboard.review_models import ChecklistAnswer, ChecklistItem, CommentThread, EditorialSettings, ThreadComment


@dataclass
class Suggestion:
    """A board member the automatic assigner considered, and why."""

    board_member: BoardMember
    open_load: int
    in_specialty: bool
    eligible: bool
    reasons: list[str] = field(default_factory=list)


def open_round(*, article: Article) -> ReviewRound | None:
    """Return the article's open review round, if it is being reviewed."""
    return ReviewRound.objects.open().filter(article=article).select_related("revision").first()


def reviewer_suggestions(*, article: Article) -> list[Suggestion]:
    """Rank active board members for the article's open round: eligible first, specialty, then lowest load."""
    author_ids = set(article.authors.values_list("pk", flat=True))
    conflicted = set(article.conflicts.values_list("board_member_id", flat=True))
    review_round = open_round(article=article)
    already = round_member_ids(review_round=review_round) if review_round else set()
    members = (
        BoardMember.objects.active()
        .select_related("user")
        .annotate(open_load=Count("assignments", filter=Q(assignments__status__in=OPEN_STATUSES), distinct=True))
        .annotate(in_specialty=Count("specialties", filter=Q(specialties=article.specialty_id), distinct=True))
    )
    suggestions = []
    for member in members:
        open_load: int = member.open_load  # type: ignore[attr-defined]  # annotated above
        in_specialty = member.in_specialty > 0  # type: ignore[attr-defined]  # annotated above
        reasons = [
            f"specialty {article.specialty}" if in_specialty else "outside the specialty",
            f"{open_load} of {member.capacity} open reviews",
        ]
        eligible = True
        if member.user_id in author_ids:
            eligible, reasons = False, [*reasons, "an author of this article"]
        if member.pk in conflicted:
            eligible, reasons = False, [*reasons, "declared a conflict of interest"]
        if member.pk in already:
            eligible, reasons = False, [*reasons, "already a reviewer in this round"]
        if open_load >= member.capacity:
            eligible, reasons = False, [*reasons, "at capacity"]
        suggestions.append(Suggestion(member, open_load, in_specialty, eligible, reasons))
    suggestions.sort(key=lambda s: (not s.eligible, not s.in_specialty, s.open_load, s.board_member.pk))
    return suggestions


def _filtered(articles: QuerySet[Article], *, state: str | None, specialty: str | None) -> QuerySet[Article]:
    if state:
        articles = articles.filter(state=state)
    if specialty:
        articles = articles.filter(specialty__slug=specialty)
    return articles


def editorial_articles(
    *, state: str | None = None, specialty: str | None = None, oldest_first: bool = False
) -> QuerySet[Article]:
    """Return every article for the editors' lists, most recently changed first (``specialty`` is a slug).

    ``oldest_first`` turns a list into a queue: the article that has waited longest comes first.
    """
    articles = Article.objects.select_related("specialty", "current_revision", "approved_revision").prefetch_related(
        "authors"
    )
    order = ("updated_at", "pk") if oldest_first else ("-updated_at", "-pk")
    return _filtered(articles, state=state, specialty=specialty).order_by(*order)


def articles_per_state(*, articles: QuerySet[Article] | None = None) -> dict[str, int]:
    """Return how many of ``articles`` (every article by default) are in each state, zeros included."""
    counts = dict.fromkeys(ArticleState.values, 0)
    rows = (articles if articles is not None else Article.objects.all()).order_by().values_list("state")
    for state, count in rows.annotate(count=Count("pk")).values_list("state", "count"):
        counts[state] = count
    return counts


def open_review_counts(*, articles: list[Article]) -> dict[int, int]:
    """Return the open assignments of each of ``articles`` (a page of them), by article id."""
    rows = (
        ReviewAssignment.objects.open()
        .filter(revision__article__in=[article.pk for article in articles])
        .order_by()
        .values_list("revision__article")
        .annotate(count=Count("pk"))
    )
    return dict(rows.values_list("revision__article", "count"))


def authored_articles(*, user: User, state: str | None = None, specialty: str | None = None) -> QuerySet[Article]:
    """Return the articles ``user`` writes, most recently changed first."""
    articles = (
        Article.objects.authored_by(user)
        .select_related("specialty", "current_revision", "approved_revision")
        .prefetch_related("authors")
    )
    return _filtered(articles, state=state, specialty=specialty).order_by("-updated_at", "-pk")


def article_assignments(*, article: Article) -> QuerySet[ReviewAssignment]:
    """Return the assignments of every round of the article, newest round first."""
    return (
        ReviewAssignment.objects.filter(revision__article=article)
        .select_related("revision__article", "review_round", "board_member__user", "review")
        .order_by("-review_round__number", "due_date", "pk")
    )


def article_timeline(*, article: Article) -> QuerySet[TransitionLogEntry]:
    """Return the article's transitions, oldest first."""
    return article.transitions.select_related("actor", "revision")


def open_assignments_for(*, board_member: BoardMember) -> QuerySet[ReviewAssignment]:
    """Return the member's invitations and accepted reviews, most urgent first."""
    return board_member.assignments.open().select_related("revision__article").order_by("due_date", "pk")


def approving_board_members(revision: Revision) -> list[BoardMember]:
    """Return the board members whose completed reviews approved ``revision``, by name, with their specialties."""
    return approving_board_members_by_revision([revision.pk]).get(revision.pk, [])


def approving_board_members_by_revision(revision_ids: list[int]) -> dict[int, list[BoardMember]]:
    """Return, by revision id, the board members whose completed reviews approved each revision, by name."""
    reviews = (
        Review.objects.filter(
            assignment__revision_id__in=revision_ids,
            assignment__status=AssignmentStatus.COMPLETED,
            decision=Decision.APPROVE,
        )
        .select_related("assignment__board_member__user")
        .prefetch_related(
            Prefetch("assignment__board_member__specialties", queryset=Specialty.objects.order_by("name"))
        )
        .order_by("assignment__board_member__user__last_name", "assignment__board_member__user__first_name", "pk")
    )
    by_revision: dict[int, list[BoardMember]] = {}
    for review in reviews:
        by_revision.setdefault(review.assignment.revision_id, []).append(review.assignment.board_member)
    return by_revision


def author_feedback(*, article: Article) -> QuerySet[Review]:
    """Return the reviews of the article as its authors may see them, newest first: never the confidential comments.

    Every surface that shows authors their feedback (the workspace, the API) reads it here.
    """
    return (
        Review.objects.filter(assignment__revision__article=article, assignment__status=AssignmentStatus.COMPLETED)
        .only(
            "decision",
            "comments_to_author",
            "created_at",
            "assignment__revision__number",
            "assignment__review_round__number",
            # Named to the authors only where the editors allow it (``names_shown_to``).
            "assignment__board_member__credentials",
            "assignment__board_member__user__first_name",
            "assignment__board_member__user__last_name",
            "assignment__board_member__user__email",
        )
        .select_related("assignment__revision", "assignment__review_round", "assignment__board_member__user")
        .order_by("-created_at", "-pk")
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


def visible_threads(*, user: Person, article: Article, rights: ThreadRights | None = None) -> QuerySet[CommentThread]:
    """Return the article's comment threads that ``user`` may see, oldest first, with their comments and people.

    Confidential threads only for editors and the board (``permissions.thread_rights``); nothing for
    anyone who may not see the threads. Every surface (the review page, the author's page, the API) reads here.
    """
    rights = rights or thread_rights(user, article)
    if not rights.view:
        return CommentThread.objects.none()
    threads = CommentThread.objects.filter(article=article)
    if not rights.confidential:
        threads = threads.filter(confidential=False)
    comments = ThreadComment.objects.select_related("author").order_by("created_at", "pk")
    return threads.select_related("opened_by", "resolved_by", "revision", "anchor_revision").prefetch_related(
        Prefetch("comments", queryset=comments)
    )


def letter_replies(
    *, user: Person, article: Article, review_round: ReviewRound, rights: ThreadRights | None = None
) -> list[ThreadComment]:
    """Return the replies the authors wrote with ``review_round``'s response letter that ``user`` may see, in
    thread order, each with its thread (the passage it is on)."""
    threads = visible_threads(user=user, article=article, rights=rights)
    return list(
        ThreadComment.objects.filter(review_round=review_round, thread__in=threads.values("pk"))
        .select_related("thread", "author")
        .order_by("thread__created_at", "thread__pk", "pk")
    )


def checklist_items(*, specialty_id: int) -> QuerySet[ChecklistItem]:
    """Return the checklist a reviewer answers for an article of the specialty, in order."""
    return ChecklistItem.objects.filter(specialty_id=specialty_id, active=True).order_by("position", "pk")


@dataclass
class ChecklistRow:
    text: str
    required: bool
    answers: list[ChecklistAnswer | None]


@dataclass
class ChecklistComparison:
    """One round's checklist answers, an item a row and a reviewer a column."""

    round_number: int
    revision_number: int
    reviewers: list[BoardMember]
    rows: list[ChecklistRow]


def checklist_comparison(*, article: Article) -> list[ChecklistComparison]:
    """Return every round's checklist answers side by side for the editors, newest round first."""
    answers = (
        ChecklistAnswer.objects.filter(review__assignment__revision__article=article)
        .select_related(
            "review__assignment__board_member__user",
            "review__assignment__review_round",
            "review__assignment__revision",
        )
        .order_by("-review__assignment__review_round__number", "review__created_at", "position", "pk")
    )
    rounds: dict[int, ChecklistComparison] = {}
    cells: dict[tuple[int, str], dict[int, ChecklistAnswer]] = {}
    order: dict[int, list[tuple[str, bool]]] = {}
    for answer in answers:
        assignment = answer.review.assignment
        number = assignment.review_round.number
        comparison = rounds.setdefault(number, ChecklistComparison(number, assignment.revision.number, [], []))
        if assignment.board_member not in comparison.reviewers:
            comparison.reviewers.append(assignment.board_member)
        key = (answer.item_text, answer.required)
        if key not in order.setdefault(number, []):
            order[number].append(key)
        cells.setdefault((number, answer.item_text), {})[assignment.board_member_id] = answer
    for number, comparison in rounds.items():
        comparison.rows = [
            ChecklistRow(
                text,
                required,
                [cells.get((number, text), {}).get(member.pk) for member in comparison.reviewers],
            )
            for text, required in order[number]
        ]
    return list(rounds.values())


def reviewed_before(*, assignment: ReviewAssignment) -> ReviewAssignment | None:
    """Return the member's completed review of the same article in the latest earlier round, if any."""
    if assignment.review_round.number == 1:
        return None  # the first round has none before it
    return (
        ReviewAssignment.objects.filter(
            board_member_id=assignment.board_member_id,
            revision__article_id=assignment.revision.article_id,
            status=AssignmentStatus.COMPLETED,
            review_round__number__lt=assignment.review_round.number,
        )
        .select_related("revision", "review_round")
        .order_by("-review_round__number")
        .first()
    )


def article_rounds(*, article: Article) -> QuerySet[ReviewRound]:
    """Return the article's review rounds, newest first, with their revisions."""
    return article.review_rounds.select_related("revision").order_by("-number")


def round_reviews_for_reviewer(*, assignment: ReviewAssignment) -> list[Review]:
    """Return the other reviews of the assignment's round once the round has ended: never the confidential comments.

    Only a reviewer who completed a review in the round reads them, and only after its outcome is known.
    """
    review_round = assignment.review_round
    if review_round.is_open or assignment.status != AssignmentStatus.COMPLETED:
        return []
    return list(
        Review.objects.filter(assignment__review_round=review_round, assignment__status=AssignmentStatus.COMPLETED)
        .exclude(assignment=assignment)
        .defer("confidential_comments")
        .select_related("assignment__board_member__user")
        .order_by("created_at", "pk")
    )


def public_board() -> QuerySet[BoardMember]:
    """Return the active board members readers see, by name, with their specialties and verifying editor."""
    return (
        BoardMember.objects.active()
        .select_related("user", "verified_by")
        .prefetch_related(Prefetch("specialties", queryset=Specialty.objects.order_by("name")))
        .order_by("user__last_name", "user__first_name", "pk")
    )


def editorial_settings() -> EditorialSettings:
    """Return the editors' settings (the one row, created with the defaults when missing)."""
    return EditorialSettings.objects.get_or_create(pk=1)[0]


def names_shown_to(*, user: Person, article: Article, rights: ThreadRights | None = None) -> dict[int, str] | None:
    """Return the names to show ``user`` instead of reviewers' own, by user id; None where real names are shown.

    Authors see "Reviewer 1", "Reviewer 2" (in the order they were invited) unless the editors let them
    see reviewers' names (``EditorialSettings.authors_see_reviewer_names``). Editors and the board see names.
    """
    rights = rights or thread_rights(user, article)
    if not rights.view or rights.confidential:
        return None  # editors and the board see names; the authors are the ones who see threads but no confidential
    if editorial_settings().authors_see_reviewer_names:
        return None
    reviewers = (
        ReviewAssignment.objects.filter(revision__article=article)
        .order_by("created_at", "pk")
        .values_list("board_member__user_id", flat=True)
    )
    pseudonyms: dict[int, str] = {}
    for user_id in reviewers:
        if user_id != user.pk:
            pseudonyms.setdefault(user_id, f"Reviewer {len(pseudonyms) + 1}")
    return pseudonyms


def shown_name(person: User | None, names: dict[int, str] | None) -> str:
    """Return how ``person`` is named to someone given ``names`` (from ``names_shown_to``)."""
    if person is None:
        return ""
    if names is not None and person.pk in names:
        return names[person.pk]
    return person_name(person)


def name_reviewers(reviews: Iterable[Review], names: dict[int, str] | None) -> list[Review]:
    """Return ``reviews`` (from ``author_feedback``) with ``reviewer_name`` as the viewer may see it, given ``names``
    (from ``names_shown_to``): the board member's name, or "Reviewer N" where authors do not see names.

    The web's and the API's author feedback both name their reviewers here.
    """
    rows = list(reviews)
    for review in rows:
        review.reviewer_name = shown_name(review.assignment.board_member.user, names)  # type: ignore[attr-defined]
    return rows


def name_people(thread: CommentThread, names: dict[int, str] | None) -> None:
    """Set ``shown_name`` on the thread's comments and its opener and resolver, as the viewer may see them."""
    thread.opener_name = shown_name(thread.opened_by, names)  # type: ignore[attr-defined]
    thread.resolver_name = shown_name(thread.resolved_by, names)  # type: ignore[attr-defined]
    for comment in thread.comments.all():
        comment.shown_name = shown_name(comment.author, names)  # type: ignore[attr-defined]
