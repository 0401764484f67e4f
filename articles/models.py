from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.urls import reverse
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from articles.exceptions import DomainError


class Specialty(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)
    review_interval_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Days between reviews of its articles; empty: REREVIEW_AFTER_DAYS."
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "specialties"

    def __str__(self) -> str:
        return self.name


class ArticleState(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    UNDER_REVIEW = "under_review", "Under review"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    RETRACTED = "retracted", "Retracted"


S = ArticleState


def published_condition(prefix: str = "") -> models.Q:
    """The condition an article (reached through ``prefix``, e.g. ``"article__"``) meets when readers may see it."""
    return models.Q(**{f"{prefix}approved_revision__isnull": False, f"{prefix}retracted_at__isnull": True})


class ArticleQuerySet(models.QuerySet["Article"]):
    def published(self) -> "ArticleQuerySet":
        """Articles a reader may see: approved at least once and not retracted since."""
        return self.filter(published_condition())

    def review_overdue(self, now: datetime | None = None) -> "ArticleQuerySet":
        """Approved articles whose approval is older than their review interval (Article.review_interval)."""
        return self.filter(review_overdue_condition(now), state=S.APPROVED)

    def authored_by(self, user: Any) -> "ArticleQuerySet":
        return self.filter(authors=user)


def review_overdue_condition(now: datetime | None = None) -> Q:
    """Return the condition on articles whose approval is older than their review interval.

    The intervals in use are few (the site's, some specialties', some articles'), read in one query; the rule
    is one condition on ``approved_at`` per interval, which the indexes serve, rather than date arithmetic in SQL.
    """
    now = now or timezone.now()

    def older(days: int) -> Q:
        return Q(approved_at__lte=now - timedelta(days=days))

    specialty_days = (
        Specialty.objects.filter(review_interval_days__isnull=False).order_by().values_list("review_interval_days")
    )
    article_days = (
        Article.objects.filter(review_interval_days__isnull=False).order_by().values_list("review_interval_days")
    )
    rows = specialty_days.annotate(own=Value(False)).union(article_days.annotate(own=Value(True)))
    condition = Q(review_interval_days__isnull=True, specialty__review_interval_days__isnull=True) & older(
        settings.REREVIEW_AFTER_DAYS
    )
    for days, own in rows:
        if own:
            condition |= Q(review_interval_days=days) & older(days)
        else:
            condition |= Q(review_interval_days__isnull=True, specialty__review_interval_days=days) & older(days)
    return condition


class TransitionsOnlyMixin(FSMModelMixin):
    """A model whose state field changes through its transitions only (a protected django-fsm field)."""

    state_field_name = "state"

    def clean_fields(self, exclude: Any = None) -> None:
        # django-fsm refuses the re-assignment that field cleaning would make.
        super().clean_fields(exclude={*(exclude or ()), self.state_field_name})


class Article(TransitionsOnlyMixin, models.Model):
    slug = models.SlugField(max_length=200, unique=True)
    specialty = models.ForeignKey(Specialty, on_delete=models.PROTECT, related_name="articles")
    authors = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="articles")
    state = FSMField(default=S.DRAFT, choices=S.choices, protected=True, db_index=True)
    current_revision = models.ForeignKey("Revision", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    approved_revision = models.ForeignKey("Revision", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The revision last sent to review: frozen while it is reviewed, and what its reviewers saw.
    submitted_revision = models.ForeignKey(
        "Revision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # Set by retract, cleared only by a new approval: a reopened article stays hidden until then.
    retracted_at = models.DateTimeField(null=True, blank=True)
    # The retraction notice written for readers (COPE): shown with the 410 at the article's address.
    retraction_notice = models.TextField(blank=True, max_length=2000)
    review_interval_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Days between reviews of this article; empty: its specialty's interval."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        indexes = [
            models.Index(fields=["state", "-updated_at"]),
            # The dashboard: articles per state, and approved articles due for re-review oldest first.
            models.Index(fields=["state", "approved_at"], name="article_state_approved_idx"),
            models.Index(fields=["specialty", "state", "approved_at"], name="article_specialty_state_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("articles:detail", args=[self.slug])

    @property
    def title(self) -> str:
        revision = self.current_revision or self.approved_revision
        return revision.title if revision else self.slug

    @property
    def is_editable(self) -> bool:
        return self.state in (S.DRAFT, S.CHANGES_REQUESTED)

    @property
    def accepts_reviewers(self) -> bool:
        """Whether board members may be assigned now: from submission until the review ends."""
        return self.state in (S.SUBMITTED, S.UNDER_REVIEW)

    def review_interval(self) -> int:
        """Return the days between reviews: the article's own interval, else its specialty's, else the site's."""
        return self.review_interval_days or self.specialty.review_interval_days or settings.REREVIEW_AFTER_DAYS

    @property
    def review_due_at(self) -> datetime | None:
        """Return when the approved text is due for review again: its approval plus the review interval."""
        if self.approved_at is None:
            return None
        return self.approved_at + timedelta(days=self.review_interval())

    def is_review_overdue(self, now: datetime | None = None) -> bool:
        """Whether the approved text is past the date of its next review."""
        due = self.review_due_at
        return due is not None and due <= (now or timezone.now())

    # Conditions: facts about the article itself.

    def has_revision(self) -> bool:
        return self.current_revision_id is not None

    def has_new_revision(self) -> bool:
        """Whether the authors wrote a revision since the one last sent to review."""
        return self.current_revision_id is not None and self.current_revision_id != self.submitted_revision_id

    # Transitions: they change the object in memory only; services save and log.

    @transition(field=state, source=S.DRAFT, target=S.SUBMITTED, conditions=[has_revision])  # type: ignore[list-item]
    def submit(self) -> None:
        """Send the current revision to the editors."""
        self.submitted_revision = self.current_revision

    @transition(field=state, source=S.CHANGES_REQUESTED, target=S.SUBMITTED, conditions=[has_new_revision])  # type: ignore[list-item]
    def resubmit(self) -> None:
        """Send the revision written after the reviewers' feedback back to the editors."""
        self.submitted_revision = self.current_revision

    @transition(field=state, source=[S.SUBMITTED, S.UNDER_REVIEW], target=S.DRAFT)
    def withdraw(self) -> None:
        """Take the submission back to draft."""

    @transition(field=state, source=S.SUBMITTED, target=S.UNDER_REVIEW)
    def start_review(self) -> None:
        """Open review once reviewers are assigned."""

    @transition(field=state, source=S.UNDER_REVIEW, target=S.CHANGES_REQUESTED)
    def request_changes(self) -> None:
        """Return the article to its authors with the reviewers' feedback."""

    @transition(field=state, source=S.UNDER_REVIEW, target=S.APPROVED, conditions=[has_revision])  # type: ignore[list-item]
    def approve(self, *, reviewed: "Revision", when: datetime) -> None:
        """Publish ``reviewed``, the exact revision the board approved."""
        self.approved_revision = reviewed
        self.approved_at = when
        self.retracted_at = None
        self.retraction_notice = ""

    @transition(field=state, source=[S.SUBMITTED, S.UNDER_REVIEW, S.CHANGES_REQUESTED], target=S.REJECTED)
    def reject(self) -> None:
        """Decline the submission."""

    @transition(field=state, source=S.APPROVED, target=S.DRAFT)
    def revise(self) -> None:
        """Start a new draft; the approved revision stays public."""

    @transition(field=state, source=S.APPROVED, target=S.RETRACTED)
    def retract(self, *, when: datetime | None = None, notice: str = "") -> None:
        """Withdraw the approved article from readers until a new approval, with a notice for them."""
        self.retracted_at = when or timezone.now()
        self.retraction_notice = notice

    @transition(field=state, source=[S.REJECTED, S.RETRACTED], target=S.DRAFT)
    def reopen(self) -> None:
        """Bring a rejected or retracted article back to draft."""


class ImmutableRowError(DomainError):
    """A row written once was about to change."""


class ImmutableModel(models.Model):
    """Rows that are written once and never updated or deleted one by one."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ImmutableRowError(f"{self._meta.verbose_name} {self.pk} is immutable; create a new one.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableRowError(f"{self._meta.verbose_name} {self.pk} is kept for the record and cannot be deleted.")


class Revision(ImmutableModel):
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    summary_patient = models.TextField("summary for patients and caregivers", max_length=2000)
    summary_professional = models.TextField("summary for healthcare professionals", max_length=2000)
    # [{"heading": str, "body": markdown}], in reading order.
    sections = models.JSONField(default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    change_note = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["article", "number"]
        constraints = [models.UniqueConstraint(fields=["article", "number"], name="revision_number_per_article")]
        # An article's revision ids from the index alone: the dashboard narrowed to a specialty joins
        # its articles' assignments through them (173 ms -> 88 ms for the workload on 1,000,000 revisions).
        indexes = [models.Index(fields=["article", "id"], name="revision_article_id_idx")]

    def __str__(self) -> str:
        return f"{self.title} (revision {self.number})"


class ReferenceKind(models.TextChoices):
    GUIDELINE = "guideline", "Guideline"
    RESEARCH = "research", "Research"
    REVIEW = "review", "Review"
    OTHER = "other", "Other"


class Reference(ImmutableModel):
    revision = models.ForeignKey(Revision, on_delete=models.CASCADE, related_name="references")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=20, choices=ReferenceKind.choices)
    title = models.CharField(max_length=500)
    source = models.CharField(max_length=300, blank=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    authors = models.CharField(max_length=500, blank=True)
    doi = models.CharField("DOI", max_length=200, blank=True)
    pmid = models.CharField("PMID", max_length=20, blank=True)
    url = models.URLField("URL", max_length=500, blank=True)
    volume = models.CharField(max_length=20, blank=True)
    issue = models.CharField(max_length=20, blank=True)
    pages = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["revision", "number"]
        constraints = [models.UniqueConstraint(fields=["revision", "number"], name="reference_number_per_revision")]

    def __str__(self) -> str:
        return f"[{self.number}] {self.title}"


class ChangeNote(models.Model):
    """What changed in a revision, written for readers: by its author on resubmission, edited by an editor.

    One per revision. ``approved_at`` is set when the revision is approved: the approved ones, newest first,
    are the article's public history. A note flagged as a correction is listed on the corrections page.
    """

    revision = models.OneToOneField(Revision, on_delete=models.CASCADE, related_name="reader_note")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="reader_notes")
    text = models.TextField(blank=True, max_length=1000)
    is_correction = models.BooleanField(
        default=False, help_text="The revision corrects an error readers may have relied on."
    )
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["article", "-approved_at"]
        indexes = [models.Index(fields=["article", "approved_at"], name="changenote_approved_idx")]

    def __str__(self) -> str:
        return f"Change note of {self.revision}"


class Byline(models.Model):
    """How an author is named to readers: credentials beside the name."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="byline")
    credentials = models.CharField(max_length=100, blank=True, help_text='For example "MD, MPH".')

    def __str__(self) -> str:
        return f"Byline of {self.user_id}"


class LookupStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class ReferenceLookup(models.Model):
    """A DOI or PMID an author asked to look up; a Celery task fills in the reference or the reason it failed."""

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10)  # "doi" or "pmid"
    value = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=LookupStatus.choices, default=LookupStatus.PENDING)
    reference = models.JSONField(default=dict, blank=True)
    message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.kind} {self.value} ({self.status})"


from articles.followup_models import FollowUpQuestion, FollowUpStatus  # noqa: E402, F401  (its own module, one app)
from articles.stored_models import ReaderGeneration, StoredPage, StoredPageKind, StoredSearch  # noqa: E402, F401  (its own module, one app)
