from datetime import datetime
from typing import Any

from anyascii import anyascii
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.text import slugify
from django_fsm import FSMField, transition

from articles.models import Article, ArticleState, ImmutableModel, Revision, Specialty, TransitionsOnlyMixin
from articles.people import person_name


class BoardMemberQuerySet(models.QuerySet["BoardMember"]):
    def active(self) -> "BoardMemberQuerySet":
        return self.filter(active=True, user__is_active=True)


class BoardMember(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="board_member")
    credentials = models.CharField(max_length=100, help_text='For example "MD, PhD".')
    specialties = models.ManyToManyField(Specialty, related_name="board_members")
    capacity = models.PositiveSmallIntegerField(default=5, help_text="Open assignments this member can hold at once.")
    active = models.BooleanField(default=True)
    # The public profile: readers see it on the board page and the member's own page.
    slug = models.SlugField(max_length=120, unique=True, null=True, blank=True, help_text="The profile's address.")
    affiliation = models.CharField(max_length=200, blank=True)
    orcid = models.CharField("ORCID iD", max_length=19, blank=True, help_text="For example 0000-0002-1825-0097.")
    biography = models.TextField(blank=True, max_length=2000)
    disclosure = models.TextField(
        blank=True, max_length=2000, help_text="Interests readers should know of; empty: no conflicts declared."
    )
    # Recorded by an editor who checked the credentials; a profile edit by the member does not clear it.
    verified_at = models.DateTimeField(null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    objects = BoardMemberQuerySet.as_manager()

    class Meta:
        ordering = ["user__last_name", "user__first_name"]

    def __str__(self) -> str:
        return f"{self.display_name}, {self.credentials}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self.slug:
            self.slug = self.free_slug()
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("transparency:profile", args=[self.slug]) if self.slug else reverse("transparency:board")

    @property
    def display_name(self) -> str:
        return person_name(self.user)

    @property
    def profile_url(self) -> str:
        """Return the public profile's address, or "" where the URLconf has no profiles (the readers' own)."""
        try:
            return self.get_absolute_url()
        except NoReverseMatch:
            return ""

    def free_slug(self) -> str:
        """Return an unused profile address made from the member's name."""
        base = slugify(anyascii(self.user.get_full_name())) or "member"
        slug, suffix = base, 1
        while BoardMember.objects.filter(slug=slug).exclude(pk=self.pk).exists():
            suffix += 1
            slug = f"{base}-{suffix}"
        return slug


class RoundOutcome(models.TextChoices):
    APPROVED = "approved", "Approved"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class ReviewRoundQuerySet(models.QuerySet["ReviewRound"]):
    def open(self) -> "ReviewRoundQuerySet":
        return self.filter(closed_at__isnull=True)


class ReviewRound(models.Model):
    """One submission of one revision to the board: its assignments and reviews belong to it.

    A round opens when a revision is submitted and closes with the outcome of its review (or the
    authors' withdrawal). The approval policy counts the reviews of the open round only.
    """

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="review_rounds")
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="review_rounds")
    number = models.PositiveIntegerField()
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=30, choices=RoundOutcome.choices, blank=True)
    response_letter = models.TextField(
        blank=True, max_length=20_000, help_text="The authors' answer to the previous round: what changed and why."
    )

    objects = ReviewRoundQuerySet.as_manager()

    class Meta:
        ordering = ["article", "number"]
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="round_number_per_article"),
            models.UniqueConstraint(
                fields=["article"], condition=Q(closed_at__isnull=True), name="one_open_round_per_article"
            ),
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True, outcome="") | (Q(closed_at__isnull=False) & ~Q(outcome="")),
                name="round_closed_with_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"Round {self.number} of {self.article_id} (revision {self.revision_id})"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    def close(self, *, outcome: str, when: datetime | None = None) -> None:
        """End the round with ``outcome``; in memory only."""
        self.closed_at = when or timezone.now()
        self.outcome = outcome


class AssignmentStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


OPEN_STATUSES = (AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED)
LIVE_STATUSES = (*OPEN_STATUSES, AssignmentStatus.COMPLETED)


class ReviewAssignmentQuerySet(models.QuerySet["ReviewAssignment"]):
    def open(self) -> "ReviewAssignmentQuerySet":
        return self.filter(status__in=OPEN_STATUSES)

    def live(self) -> "ReviewAssignmentQuerySet":
        """Assignments that count for the revision: open or completed."""
        return self.filter(status__in=LIVE_STATUSES)


class ReviewAssignment(TransitionsOnlyMixin, models.Model):
    review_round = models.ForeignKey(ReviewRound, on_delete=models.PROTECT, related_name="assignments")
    # The round's revision, kept on the row for the queues and the dashboard's indexes.
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="assignments")
    board_member = models.ForeignKey(BoardMember, on_delete=models.PROTECT, related_name="assignments")
    status = FSMField(max_length=20, choices=AssignmentStatus.choices, default=AssignmentStatus.INVITED, protected=True)
    due_date = models.DateField()
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decline_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    state_field_name = "status"

    objects = ReviewAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["due_date", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["review_round", "board_member"],
                condition=Q(status__in=LIVE_STATUSES),
                name="one_live_assignment_per_member_and_round",
            )
        ]
        indexes = [
            models.Index(fields=["board_member", "status"]),
            models.Index(fields=["status", "due_date"]),
            # The dashboard: open assignments by due date (overdue, workload), invitations and
            # completions in a period (workload, turnaround).
            # Each carries the columns its pass reads, so PostgreSQL answers from the index alone
            # (INCLUDE is ignored elsewhere).
            models.Index(
                fields=["due_date", "id"],
                include=["board_member"],
                condition=Q(status__in=OPEN_STATUSES),
                name="assignment_open_due_idx",
            ),
            models.Index(fields=["created_at"], include=["board_member", "status"], name="assignment_created_idx"),
            models.Index(
                fields=["completed_at"],
                include=["board_member", "created_at"],
                condition=Q(status=AssignmentStatus.COMPLETED),
                name="assignment_completed_idx",
            ),
            # Completions per member in order: the workload's median turnaround groups by member
            # without sorting every completion of a long period first.
            models.Index(
                fields=["board_member", "completed_at"],
                include=["created_at"],
                condition=Q(status=AssignmentStatus.COMPLETED),
                name="assignment_member_done_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.board_member} on {self.revision} ({self.get_status_display()})"

    @property
    def article(self) -> Article:
        return self.revision.article

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    # Transitions: they change the object in memory only; services save them and publish their events.

    @transition(field=status, source=AssignmentStatus.INVITED, target=AssignmentStatus.ACCEPTED)
    def accept(self) -> None:
        """Accept the invitation to review."""
        self.responded_at = timezone.now()

    @transition(field=status, source=OPEN_STATUSES, target=AssignmentStatus.DECLINED)
    def decline(self, *, reason: str = "") -> None:
        """Decline the invitation (or give back an accepted review)."""
        self.decline_reason = reason
        self.responded_at = timezone.now()

    @transition(field=status, source=AssignmentStatus.ACCEPTED, target=AssignmentStatus.COMPLETED)
    def complete(self) -> None:
        """Record that the review was submitted."""
        self.completed_at = timezone.now()

    @transition(field=status, source=OPEN_STATUSES, target=AssignmentStatus.CANCELLED)
    def cancel(self, *, reason: str = "") -> None:
        """Withdraw the invitation: the review is no longer needed."""
        self.decline_reason = reason


class ConflictOfInterest(models.Model):
    board_member = models.ForeignKey(BoardMember, on_delete=models.CASCADE, related_name="conflicts")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="conflicts")
    reason = models.CharField(max_length=500)
    declared_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["board_member", "article"], name="one_conflict_per_member_and_article")
        ]
        verbose_name_plural = "conflicts of interest"

    def __str__(self) -> str:
        return f"{self.board_member} / {self.article}"


class Decision(models.TextChoices):
    APPROVE = "approve", "Approve"
    REQUEST_CHANGES = "request_changes", "Request changes"
    RECOMMEND_REJECTION = "recommend_rejection", "Recommend rejection"


class Review(ImmutableModel):
    assignment = models.OneToOneField(ReviewAssignment, on_delete=models.PROTECT, related_name="review")
    decision = models.CharField(max_length=30, choices=Decision.choices)
    comments_to_author = models.TextField(blank=True, max_length=20_000)
    confidential_comments = models.TextField(
        blank=True, max_length=20_000, help_text="Seen by editors only, never by the authors."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} by {self.assignment.board_member}"


class TransitionLogEntry(ImmutableModel):
    """One row per transition of an article's state. Append-only."""

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="transitions")
    revision = models.ForeignKey(Revision, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    transition = models.CharField(max_length=30)
    from_state = models.CharField(max_length=20, choices=ArticleState.choices)
    to_state = models.CharField(max_length=20, choices=ArticleState.choices)
    reason = models.TextField(blank=True)
    # When the article entered ``from_state``: the previous row's ``created_at``, or the article's
    # creation for its first row. This row's ``created_at`` minus it is how long that stay lasted.
    entered_at = models.DateTimeField(help_text="When the article entered the state it left here.")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = "transition"
        indexes = [
            models.Index(fields=["article", "created_at"]),
            # The dashboard: approvals per week, from the index alone; narrowed to a specialty, joined
            # to its articles by hash (25-50 ms -> 6 ms on 490,000 log rows).
            models.Index(fields=["to_state", "created_at"], include=["article"], name="log_to_state_created_idx"),
            # The dashboard's time in state: each state's stays that ended in a period, read from the
            # index alone on PostgreSQL (include is ignored elsewhere).
            models.Index(
                fields=["from_state", "created_at"], include=["entered_at", "article"], name="log_state_stay_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.article_id}: {self.from_state} -> {self.to_state} ({self.transition})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self._state.adding and self.entered_at is None:
            self.entered_at = self.state_entered_at(self.article)
        super().save(*args, **kwargs)

    @classmethod
    def state_entered_at(cls, article: Article) -> datetime:
        """Return when ``article`` entered its current state. Caller holds the article's row lock."""
        previous = (
            cls.objects.filter(article=article).order_by("-created_at", "-pk").values_list("created_at", flat=True)
        )
        return previous.first() or article.created_at


from reviewboard.notifications.models import *  # noqa
from reviewboard.review_models import *  # noqa
