"""The review's own records: comment threads anchored to the text, and checklists with their answers."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from articles.models import Article, ImmutableModel, Revision, Specialty


class AnchorField(models.TextChoices):
    SUMMARY_PATIENT = "summary_patient", "Summary for patients and caregivers"
    SUMMARY_PROFESSIONAL = "summary_professional", "Summary for healthcare professionals"
    SECTION = "section", "Section"
    REFERENCE = "reference", "Reference"


class ThreadStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class CommentThread(models.Model):
    """A discussion about one passage of one revision: never deleted.

    Where it was written (``revision``, ``field``, ``index``, ``paragraph``, ``start``/``end`` in the
    paragraph's text as readers see it, and the ``quote`` itself) never changes. Where it sits now
    (``anchor_*``) follows the passage to later revisions while the passage is unchanged; when it is
    not, the thread stays on the revision it last matched, shown as "on an earlier revision".
    """

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="comment_threads")
    revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="+")
    field = models.CharField(max_length=30, choices=AnchorField.choices)
    # The section's position from 0, the reference's number, or 0 for a summary.
    index = models.PositiveIntegerField(default=0)
    paragraph = models.PositiveIntegerField(default=0)
    quote = models.TextField(max_length=5000, help_text="The passage, as readers see it.")
    whole_paragraph = models.BooleanField(default=False)
    start = models.PositiveIntegerField(default=0)
    end = models.PositiveIntegerField(default=0)
    anchor_revision = models.ForeignKey(Revision, on_delete=models.PROTECT, related_name="+")
    anchor_index = models.PositiveIntegerField(default=0)
    anchor_paragraph = models.PositiveIntegerField(default=0)
    anchor_start = models.PositiveIntegerField(default=0)
    confidential = models.BooleanField(default=False, help_text="Editors and the board only; never the authors.")
    status = models.CharField(max_length=10, choices=ThreadStatus.choices, default=ThreadStatus.OPEN)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["article", "anchor_revision"], name="thread_article_anchor_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(end__gte=models.F("start")), name="thread_passage_in_order"),
        ]

    def __str__(self) -> str:
        return f"Thread {self.pk} on {self.get_field_display().lower()} of revision {self.revision_id}"

    @property
    def is_open(self) -> bool:
        return self.status == ThreadStatus.OPEN

    def resolve(self, *, by: object, when: object = None) -> None:
        """Mark the thread resolved; in memory only."""
        self.status = ThreadStatus.RESOLVED
        self.resolved_by = by  # type: ignore[assignment]
        self.resolved_at = when or timezone.now()  # type: ignore[assignment]

    def reopen(self) -> None:
        """Open the thread again; in memory only."""
        self.status = ThreadStatus.OPEN
        self.resolved_by = None
        self.resolved_at = None


class ThreadComment(ImmutableModel):
    """One message of a thread; the first is the thread's opening comment. Written once."""

    thread = models.ForeignKey(CommentThread, on_delete=models.PROTECT, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=5000)
    created_at = models.DateTimeField(default=timezone.now)
    # Set when the authors wrote this reply with their response letter: the round the letter opened.
    review_round = models.ForeignKey(
        "reviewboard.ReviewRound", null=True, blank=True, on_delete=models.PROTECT, related_name="letter_replies"
    )

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Comment {self.pk} in thread {self.thread_id}"


class ChecklistItem(models.Model):
    """One question a reviewer answers about every article of a specialty."""

    specialty = models.ForeignKey(Specialty, on_delete=models.CASCADE, related_name="checklist_items")
    text = models.CharField(max_length=300)
    required = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True, help_text="Inactive items are not asked any more; answers stay.")

    class Meta:
        ordering = ["specialty", "position", "pk"]

    def __str__(self) -> str:
        return self.text


class ChecklistAnswerChoice(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_APPLICABLE = "na", "Not applicable"


class ChecklistAnswer(ImmutableModel):
    """A reviewer's answer to one checklist item, stored with the review, with the item's words as asked."""

    review = models.ForeignKey("reviewboard.Review", on_delete=models.PROTECT, related_name="checklist_answers")
    item = models.ForeignKey(ChecklistItem, on_delete=models.PROTECT, related_name="answers")
    item_text = models.CharField(max_length=300)
    required = models.BooleanField()
    position = models.PositiveSmallIntegerField(default=0)
    answer = models.CharField(max_length=3, choices=ChecklistAnswerChoice.choices)
    note = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["review", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["review", "item"], name="one_answer_per_review_and_item"),
        ]

    def __str__(self) -> str:
        return f"{self.item_text}: {self.get_answer_display()}"


class EditorialSettings(models.Model):
    """Settings the editors manage for the whole review process: one row."""

    authors_see_reviewer_names = models.BooleanField(
        default=False,
        help_text=(
            "Whether authors see the names of the board members who review their articles, on the feedback and "
            "in the comment threads. The public “Reviewed by” list on approved pages is not affected."
        ),
    )

    class Meta:
        verbose_name = "editorial settings"
        verbose_name_plural = "editorial settings"

    def __str__(self) -> str:
        return "Editorial settings"


class ReviewRating(models.Model):
    """An editor's rating of one review, 1 to 5: seen by editors only."""

    review = models.OneToOneField("reviewboard.Review", on_delete=models.CASCADE, related_name="rating")
    rating = models.PositiveSmallIntegerField()
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=5), name="review_rating_1_to_5")]

    def __str__(self) -> str:
        return f"{self.rating}/5 for review {self.review_id}"
