"""Shapes of the API's requests and responses. Serializers validate types only; rules live in services."""

from typing import Any

from django.core.validators import ProhibitNullCharactersValidator
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from articles import text
from articles.models import Article, ArticleState, Reference, ReferenceKind, Revision, Specialty
from articles.people import person_name
from articles.rendering import render_body
from articles.services import RevisionContent
from reviewboard.actions import available_actions
from reviewboard.models import AssignmentStatus, BoardMember, Decision, Review, ReviewAssignment
from reviewboard.selectors import author_feedback, checklist_items, name_reviewers, names_shown_to, shown_name

PROHIBITED_BY_DRF = (ProhibitNullCharactersValidator, ProhibitSurrogateCharactersValidator)


def text_input(rule: text.TextRule, *, help_text: str = "", **kwargs) -> serializers.CharField:
    """Return a field that parses text for a service, which cleans it by ``rule`` and decides whether it is required.

    The rule's limits are documented in the schema from here.
    """
    limit = f"At most {rule.max_length:,} characters{'' if rule.multiline else ', one line'}."
    field = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text=f"{help_text} {limit}".strip(),
        **kwargs,
    )
    # DRF refuses NUL and surrogates itself; the service refuses them, with every other rule of the field.
    field.validators = [v for v in field.validators if not isinstance(v, PROHIBITED_BY_DRF)]
    return field


# Errors


class FieldErrorSerializer(serializers.Serializer):
    field = serializers.CharField(help_text='The field: "title", "sections.body", "reason"; "" for the whole request.')
    index = serializers.IntegerField(allow_null=True, help_text="The item's position in its list, from 0.")
    code = serializers.CharField(help_text="A stable code for programs: required, max_length, line_break, ...")
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    """Every error the API answers: a sentence, the list of problems, and the fields at fault."""

    detail = serializers.CharField()
    # Fields named like DRF's own serializer attributes: this serializer only documents the error shape.
    errors = serializers.ListField(child=serializers.CharField())  # type: ignore[assignment]
    fields = serializers.DictField(  # type: ignore[assignment]
        required=False, child=serializers.ListField(child=serializers.CharField())
    )
    field_errors = FieldErrorSerializer(many=True, required=False)


# Content, as readers and reviewers see it


class SpecialtySerializer(serializers.ModelSerializer):
    class Meta:
        model = Specialty
        fields = ["slug", "name"]


class ReferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reference
        fields = [
            "number", "kind", "title", "source", "year", "authors", "volume", "issue", "pages", "doi", "pmid", "url"
        ]  # fmt: skip


class SectionSerializer(serializers.Serializer):
    heading = serializers.CharField()
    level = serializers.SerializerMethodField(help_text="1: a section; 2: a sub-section of the section before it.")
    markdown = serializers.CharField(source="body")
    html = serializers.SerializerMethodField()

    def get_level(self, section: dict) -> int:
        return section.get("level", 1)

    def get_html(self, section: dict) -> str:
        return render_body(section.get("body", ""))


class ReviewerSerializer(serializers.Serializer):
    name = serializers.CharField(source="display_name")
    credentials = serializers.CharField()
    specialties = serializers.SerializerMethodField()

    def get_specialties(self, member: BoardMember) -> list[str]:
        return [specialty.name for specialty in member.specialties.all()]


class RevisionContentSerializer(serializers.ModelSerializer):
    """One revision's full content: title, both summaries, sections and references."""

    sections = SectionSerializer(many=True)
    references = ReferenceSerializer(many=True)

    class Meta:
        model = Revision
        fields = [
            "number",
            "title",
            "summary_patient",
            "summary_professional",
            "sections",
            "references",
            "change_note",
            "created_at",
        ]


# Public


class PublishedArticleSerializer(serializers.ModelSerializer):
    """An approved article in a list: its approved title and summaries."""

    title = serializers.CharField(source="approved_revision.title")
    summary_patient = serializers.CharField(source="approved_revision.summary_patient")
    summary_professional = serializers.CharField(source="approved_revision.summary_professional")
    specialty = SpecialtySerializer()
    url = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = ["slug", "title", "specialty", "summary_patient", "summary_professional", "approved_at", "url"]

    def get_url(self, article: Article) -> str:
        return article.get_absolute_url()


class PublishedArticleDetailSerializer(serializers.Serializer):
    """An approved article as readers see it: the approved revision only."""

    slug = serializers.CharField(source="article.slug")
    title = serializers.CharField()
    specialty = SpecialtySerializer(source="article.specialty")
    revision = serializers.IntegerField(source="number")
    summary_patient = serializers.CharField()
    summary_professional = serializers.CharField()
    sections = SectionSerializer(many=True)
    references = ReferenceSerializer(many=True)
    reviewers = ReviewerSerializer(many=True)
    approved_at = serializers.DateTimeField(source="article.approved_at")
    next_review_due = serializers.DateTimeField(source="article.review_due_at")
    url = serializers.SerializerMethodField()

    def get_url(self, revision: Revision) -> str:
        return revision.article.get_absolute_url()


class PublishedArticleQuerySerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="Words to search for.")
    specialty = serializers.SlugField(required=False, help_text="A specialty's slug, e.g. neurology.")


# Authors


class SectionInputSerializer(serializers.Serializer):
    heading = text_input(text.SECTION_HEADING)
    level = serializers.IntegerField(required=False, default=1, help_text="1: a section; 2: a sub-section.")
    body = text_input(text.SECTION_BODY, help_text="Markdown; cite references as [1] or [2, 3].")


class ReferenceInputSerializer(serializers.Serializer):
    kind = serializers.CharField(required=False, help_text=f"One of: {', '.join(ReferenceKind.values)}.")
    title = text_input(text.REFERENCE_TITLE, help_text="Required.")
    source = text_input(text.REFERENCE_SOURCE, help_text="Journal or issuing body.")  # type: ignore[assignment]
    year = serializers.IntegerField(required=False, allow_null=True, help_text="Four digits.")
    authors = text_input(text.REFERENCE_AUTHORS)
    volume = text_input(text.REFERENCE_VOLUME)
    issue = text_input(text.REFERENCE_ISSUE)
    pages = text_input(text.REFERENCE_PAGES)
    doi = text_input(text.REFERENCE_DOI, help_text="For example 10.1212/WNL.0000000000001234.")
    pmid = text_input(text.REFERENCE_PMID, help_text="Digits only.")
    url = text_input(text.REFERENCE_URL, help_text="https:// or http://")


class RevisionInputSerializer(serializers.Serializer):
    """A new revision's content; the whole of it, since revisions are never edited in place."""

    title = text_input(text.TITLE, default="", help_text="Required; phrased as the reader's question.")
    summary_patient = text_input(text.SUMMARY_PATIENT, default="", help_text="Required before submission.")
    summary_professional = text_input(text.SUMMARY_PROFESSIONAL, default="", help_text="Required before submission.")
    sections = SectionInputSerializer(many=True, help_text=f"At most {text.MAX_SECTIONS} sections.")
    references = ReferenceInputSerializer(many=True, required=False, help_text=f"At most {text.MAX_REFERENCES}.")
    change_note = text_input(text.CHANGE_NOTE)

    def content(self) -> RevisionContent:
        data = self.validated_data
        return RevisionContent(
            title=data["title"],
            summary_patient=data.get("summary_patient", ""),
            summary_professional=data.get("summary_professional", ""),
            sections=[dict(section) for section in data.get("sections", [])],
            references=[dict(reference) for reference in data.get("references", [])],
        )


class DraftCreateSerializer(RevisionInputSerializer):
    slug = text_input(text.SLUG, help_text="The article's address, e.g. what-causes-myoclonus; empty: from the title.")
    specialty = serializers.SlugField(max_length=100, help_text="A specialty's slug, e.g. neurology.")

    def validate_specialty(self, slug: str) -> Specialty:
        # Checked as a slug first, so no stray character ever reaches the database.
        specialty = Specialty.objects.filter(slug=slug).first()
        if specialty is None:
            raise serializers.ValidationError(f'There is no specialty "{slug}".')
        return specialty


class ReviewFeedbackSerializer(serializers.ModelSerializer):
    """A review as its authors see it (``reviewboard.selectors.author_feedback``): never the confidential comments."""

    revision = serializers.IntegerField(source="assignment.revision.number")
    round = serializers.IntegerField(source="assignment.review_round.number")
    reviewer = serializers.CharField(
        source="reviewer_name",
        help_text='The board member\'s name, or "Reviewer 1", "Reviewer 2" where the editors keep reviewers anonymous.',
    )

    class Meta:
        model = Review
        fields = ["revision", "round", "reviewer", "decision", "comments_to_author", "created_at"]


class ActionSerializer(serializers.Serializer):
    """Something the person may do to the article now (``reviewboard.actions``)."""

    name = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # the action's label, not DRF's
    reason_required = serializers.BooleanField()
    destructive = serializers.BooleanField()


class ActionsMixin(serializers.Serializer):
    """Adds ``actions``: what the requesting person may do to the article now, from the action registry."""

    actions = serializers.SerializerMethodField()

    @extend_schema_field(ActionSerializer(many=True))
    def get_actions(self, article: Article) -> Any:
        return ActionSerializer(available_actions(self.context["request"].user, article), many=True).data


class AuthorArticleSerializer(ActionsMixin, serializers.ModelSerializer):
    specialty = SpecialtySerializer()
    approved_revision = serializers.IntegerField(source="approved_revision.number", allow_null=True, default=None)
    current_revision = RevisionContentSerializer(allow_null=True)
    feedback = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "slug",
            "title",
            "state",
            "specialty",
            "current_revision",
            "approved_revision",
            "approved_at",
            "created_at",
            "updated_at",
            "feedback",
            "actions",
        ]

    @extend_schema_field(ReviewFeedbackSerializer(many=True))
    def get_feedback(self, article: Article):
        # Named as on the web: the same selectors decide whether the author sees names or "Reviewer N".
        user = self.context["request"].user
        reviews = name_reviewers(author_feedback(article=article), names_shown_to(user=user, article=article))
        return ReviewFeedbackSerializer(reviews, many=True).data


class ArticleSummarySerializer(ActionsMixin, serializers.ModelSerializer):
    """An article in a workspace list."""

    specialty = SpecialtySerializer()
    current_revision = serializers.IntegerField(source="current_revision.number", allow_null=True, default=None)
    approved_revision = serializers.IntegerField(source="approved_revision.number", allow_null=True, default=None)
    authors = serializers.SerializerMethodField()

    class Meta:
        model = Article
        fields = [
            "slug",
            "title",
            "state",
            "specialty",
            "authors",
            "current_revision",
            "approved_revision",
            "approved_at",
            "updated_at",
            "actions",
        ]

    def get_authors(self, article: Article) -> list[str]:
        return [person_name(user) for user in article.authors.all()]


class StateQuerySerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=ArticleState.choices, required=False)
    specialty = serializers.SlugField(required=False)


class ReasonSerializer(serializers.Serializer):
    reason = text_input(text.REASON)
    response_letter = text_input(
        text.RESPONSE_LETTER, help_text="Resubmissions only: what changed and why, for the round's reviewers."
    )


class LetterReplyInputSerializer(serializers.Serializer):
    thread = serializers.IntegerField(help_text="An open comment thread of the article (see its threads).")
    body = text_input(text.THREAD_COMMENT, default="", help_text="Required: the reply, posted in the thread.")


class DraftActionSerializer(ReasonSerializer):
    thread_replies = LetterReplyInputSerializer(
        many=True,
        required=False,
        help_text="Resubmissions only: a reply to open comment threads, listed with the response letter.",
    )


# Board members


class BoardMemberSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")
    specialties: Any = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = BoardMember
        fields = ["id", "name", "credentials", "specialties", "capacity", "active"]


class AssignmentSerializer(serializers.ModelSerializer):
    article = serializers.SlugField(source="revision.article.slug")
    title = serializers.CharField(source="revision.title")
    revision = serializers.IntegerField(source="revision.number")
    board_member = serializers.SerializerMethodField()

    class Meta:
        model = ReviewAssignment
        fields = [
            "id",
            "article",
            "title",
            "revision",
            "status",
            "due_date",
            "board_member",
            "decline_reason",
            "created_at",
            "responded_at",
            "completed_at",
        ]

    @extend_schema_field(OpenApiTypes.STR)
    def get_board_member(self, assignment: ReviewAssignment) -> str:
        return str(assignment.board_member.display_name)


class ChecklistItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    required = serializers.BooleanField()  # type: ignore[assignment]  # the item's field, not DRF's Field.required


class AssignmentDetailSerializer(AssignmentSerializer):
    """An assignment with the exact revision the board member reviews."""

    content = RevisionContentSerializer(source="revision")
    checklist = serializers.SerializerMethodField(help_text="The items to answer with the review, in order.")

    class Meta(AssignmentSerializer.Meta):
        fields = [*AssignmentSerializer.Meta.fields, "content", "checklist"]

    @extend_schema_field(ChecklistItemSerializer(many=True))
    def get_checklist(self, assignment) -> list:
        items = checklist_items(specialty_id=assignment.revision.article.specialty_id)
        return list(ChecklistItemSerializer(items, many=True).data)


class AssignmentQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED], required=False, help_text="Open statuses only."
    )


class DeclineSerializer(serializers.Serializer):
    reason = text_input(text.SHORT_REASON)
    conflict_of_interest = serializers.BooleanField(default=False)


class ChecklistAnswerInputSerializer(serializers.Serializer):
    item = serializers.IntegerField(help_text="The checklist item's id (see the assignment's checklist).")
    answer = serializers.CharField(allow_blank=True, help_text="yes, no or na.")
    note = text_input(text.CHECKLIST_NOTE, default="", help_text="Required to approve with no to a required item.")


class ReviewInputSerializer(serializers.Serializer):
    decision = serializers.CharField(help_text=f"One of: {', '.join(Decision.values)}.")
    comments_to_author = text_input(text.COMMENTS_TO_AUTHOR, default="", help_text="Required unless you approve.")
    confidential_comments = text_input(text.CONFIDENTIAL_COMMENTS, default="", help_text="Seen by the editors only.")
    checklist = ChecklistAnswerInputSerializer(
        many=True, required=False, help_text="An answer to every required item of the article's checklist."
    )

    def review(self) -> dict:
        """Return the service's arguments, the checklist by item id."""
        data = dict(self.validated_data)
        data["checklist"] = {
            row["item"]: {"answer": row["answer"], "note": row.get("note", "")} for row in data.get("checklist", [])
        }
        return data


class ChecklistAnswerSerializer(serializers.Serializer):
    item = serializers.IntegerField(source="item_id")
    text = serializers.CharField(source="item_text")
    required = serializers.BooleanField()  # type: ignore[assignment]  # the item's field, not DRF's Field.required
    answer = serializers.CharField()
    note = serializers.CharField()


class ReviewSerializer(serializers.ModelSerializer):
    assignment = serializers.IntegerField(source="assignment_id")

    class Meta:
        model = Review
        fields = [
            "id",
            "assignment",
            "decision",
            "comments_to_author",
            "confidential_comments",
            "created_at",
            "checklist",
        ]

    checklist = ChecklistAnswerSerializer(many=True, source="checklist_answers.all", read_only=True)


# Editors


class AssignInputSerializer(serializers.Serializer):
    board_member = serializers.PrimaryKeyRelatedField(queryset=BoardMember.objects.select_related("user"))
    due_date = serializers.DateField(required=False, allow_null=True)


class AutoAssignInputSerializer(serializers.Serializer):
    count = serializers.IntegerField(required=False, min_value=1, max_value=10)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField()
    code = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text="The authenticator app's code (or a recovery code), if you have one.",
    )


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
    expiry = serializers.DateTimeField()


# Comment threads on the text


class ThreadCommentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.SerializerMethodField()
    body = serializers.CharField()
    created_at = serializers.DateTimeField()

    def get_author(self, comment) -> str:
        return shown_name(comment.author, self.context.get("names"))


class ThreadAnchorSerializer(serializers.Serializer):
    revision = serializers.IntegerField(source="anchor_revision.number", help_text="The revision's number.")
    index = serializers.IntegerField(source="anchor_index")
    paragraph = serializers.IntegerField(source="anchor_paragraph")
    start = serializers.IntegerField(source="anchor_start")


class ThreadSerializer(serializers.Serializer):
    """A thread on a passage: where it was written, where it sits now (``anchor``), and its comments."""

    id = serializers.IntegerField()
    revision = serializers.IntegerField(source="revision.number", help_text="The revision it was written on.")
    field = serializers.CharField(help_text="summary_patient, summary_professional, section or reference.")
    index = serializers.IntegerField(help_text="The section's position from 0, or the reference's number.")
    paragraph = serializers.IntegerField(help_text="The paragraph's position in the field, from 0.")
    quote = serializers.CharField(help_text="The passage, as readers see it.")
    whole_paragraph = serializers.BooleanField()
    start = serializers.IntegerField(help_text="Offset of the passage in the paragraph's text.")
    end = serializers.IntegerField()
    anchor = ThreadAnchorSerializer(
        source="*", help_text="Where it sits now: an earlier revision if its passage changed."
    )
    confidential = serializers.BooleanField()
    status = serializers.CharField()
    opened_by = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)
    comments = ThreadCommentSerializer(many=True, source="comments.all")

    def get_opened_by(self, thread) -> str:
        return shown_name(thread.opened_by, self.context.get("names"))


class ThreadInputSerializer(serializers.Serializer):
    field = serializers.CharField(help_text="summary_patient, summary_professional, section or reference.")
    index = serializers.IntegerField(default=0, help_text="The section's position from 0, or the reference's number.")
    paragraph = serializers.IntegerField(default=0, help_text="The paragraph's position in the field, from 0.")
    quote = text_input(text.QUOTED_PASSAGE, default="", help_text="Words of the paragraph; empty: all of it.")
    body = text_input(text.THREAD_COMMENT, default="", help_text="Required.")
    confidential = serializers.BooleanField(default=False, help_text="Editors and the board only.")


class ReplyInputSerializer(serializers.Serializer):
    body = text_input(text.THREAD_COMMENT, default="", help_text="Required.")


class RatingInputSerializer(serializers.Serializer):
    rating = serializers.IntegerField(help_text="1 (poor) to 5 (excellent).")


class RatingSerializer(serializers.Serializer):
    review = serializers.IntegerField(source="review_id")
    rating = serializers.IntegerField()
    rated_at = serializers.DateTimeField()
