"""Shapes of the API's requests and responses. Serializers validate types only; rules live in services."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from articles.models import Article, ArticleState, Reference, ReferenceKind, Revision, Specialty
from articles.rendering import render_markdown
from articles.services import RevisionContent
from reviewboard.models import AssignmentStatus, BoardMember, Decision, Review, ReviewAssignment

# Errors


class ErrorSerializer(serializers.Serializer):
    """Every error the API answers: a sentence, the list of problems, and the fields at fault."""

    detail = serializers.CharField()
    errors = serializers.ListField(child=serializers.CharField())
    fields = serializers.DictField(required=False, child=serializers.ListField(child=serializers.CharField()))


# Content, as readers and reviewers see it


class SpecialtySerializer(serializers.ModelSerializer):
    class Meta:
        model = Specialty
        fields = ["slug", "name"]


class ReferenceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Reference
        fields = ["number", "kind", "title", "source", "year", "authors", "doi", "pmid", "url"]


class SectionSerializer(serializers.Serializer):
    heading = serializers.CharField()
    markdown = serializers.CharField(source="body")
    html = serializers.SerializerMethodField()

    def get_html(self, section: dict) -> str:
        return render_markdown(section.get("body", ""))


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
    url = serializers.SerializerMethodField()

    def get_url(self, revision: Revision) -> str:
        return revision.article.get_absolute_url()


class PublishedArticleQuerySerializer(serializers.Serializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="Words to search for.")
    specialty = serializers.SlugField(required=False, help_text="A specialty's slug, e.g. neurology.")


# Authors


class SectionInputSerializer(serializers.Serializer):
    heading = serializers.CharField(allow_blank=True, max_length=200)
    body = serializers.CharField(allow_blank=True, max_length=20_000, help_text="Markdown; cite as [1].")


class ReferenceInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ReferenceKind.choices)
    title = serializers.CharField(max_length=500)
    source = serializers.CharField(required=False, allow_blank=True, max_length=300)
    year = serializers.IntegerField(required=False, allow_null=True, min_value=1000, max_value=2999)
    authors = serializers.CharField(required=False, allow_blank=True, max_length=500)
    doi = serializers.CharField(required=False, allow_blank=True, max_length=200)
    pmid = serializers.CharField(required=False, allow_blank=True, max_length=20)
    url = serializers.URLField(required=False, allow_blank=True, max_length=500)


class RevisionInputSerializer(serializers.Serializer):
    """A new revision's content; the whole of it, since revisions are never edited in place."""

    title = serializers.CharField(max_length=200)
    summary_patient = serializers.CharField(allow_blank=True, max_length=2000)
    summary_professional = serializers.CharField(allow_blank=True, max_length=2000)
    sections = SectionInputSerializer(many=True, max_length=30)
    references = ReferenceInputSerializer(many=True, required=False, max_length=200)
    change_note = serializers.CharField(required=False, allow_blank=True, max_length=500)

    def content(self) -> RevisionContent:
        data = self.validated_data
        return RevisionContent(
            title=data["title"],
            summary_patient=data["summary_patient"],
            summary_professional=data["summary_professional"],
            sections=[dict(section) for section in data["sections"]],
            references=[dict(reference) for reference in data.get("references", [])],
        )


class DraftCreateSerializer(RevisionInputSerializer):
    slug = serializers.SlugField(max_length=200, help_text="The article's address, e.g. what-causes-myoclonus.")
    specialty = serializers.SlugField(max_length=100, help_text="A specialty's slug, e.g. neurology.")

    def validate_specialty(self, slug: str) -> Specialty:
        # Checked as a slug first, so no stray character ever reaches the database.
        specialty = Specialty.objects.filter(slug=slug).first()
        if specialty is None:
            raise serializers.ValidationError(f'There is no specialty "{slug}".')
        return specialty


class ReviewFeedbackSerializer(serializers.ModelSerializer):
    """A review as its authors see it: never the confidential comments."""

    revision = serializers.IntegerField(source="assignment.revision.number")

    class Meta:
        model = Review
        fields = ["revision", "decision", "comments_to_author", "created_at"]


class AuthorArticleSerializer(serializers.ModelSerializer):
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
        ]

    @extend_schema_field(ReviewFeedbackSerializer(many=True))
    def get_feedback(self, article: Article):
        reviews = (
            Review.objects.filter(assignment__revision__article=article, assignment__status=AssignmentStatus.COMPLETED)
            .select_related("assignment__revision")
            .order_by("created_at", "pk")
        )
        return ReviewFeedbackSerializer(reviews, many=True).data


class ArticleSummarySerializer(serializers.ModelSerializer):
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
        ]

    def get_authors(self, article: Article) -> list[str]:
        return [user.get_full_name() or user.get_username() for user in article.authors.all()]


class StateQuerySerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=ArticleState.choices, required=False)
    specialty = serializers.SlugField(required=False)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


# Board members


class BoardMemberSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="display_name")
    specialties = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

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


class AssignmentDetailSerializer(AssignmentSerializer):
    """An assignment with the exact revision the board member reviews."""

    content = RevisionContentSerializer(source="revision")

    class Meta(AssignmentSerializer.Meta):
        fields = [*AssignmentSerializer.Meta.fields, "content"]


class AssignmentQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED], required=False, help_text="Open statuses only."
    )


class DeclineSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)
    conflict_of_interest = serializers.BooleanField(default=False)


class ReviewInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=Decision.choices)
    comments_to_author = serializers.CharField(required=False, allow_blank=True, max_length=20_000, default="")
    confidential_comments = serializers.CharField(required=False, allow_blank=True, max_length=20_000, default="")


class ReviewSerializer(serializers.ModelSerializer):
    assignment = serializers.IntegerField(source="assignment_id")

    class Meta:
        model = Review
        fields = ["id", "assignment", "decision", "comments_to_author", "confidential_comments", "created_at"]


# Editors


class AssignInputSerializer(serializers.Serializer):
    board_member = serializers.PrimaryKeyRelatedField(queryset=BoardMember.objects.select_related("user"))
    due_date = serializers.DateField(required=False, allow_null=True)


class AutoAssignInputSerializer(serializers.Serializer):
    count = serializers.IntegerField(required=False, min_value=1, max_value=10)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField()


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField()
