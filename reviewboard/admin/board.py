"""Admin for board members, their assignments, conflicts of interest and reviews."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from articles.admin import ArchiveModelAdmin, ImmutableAdminMixin
from articles.exceptions import DomainError, ValidationFailed
from articles.forms import add_field_errors
from articles.people import person_name
from reviewboard import permissions, services
from reviewboard.admin.filters import BoardMemberFilter
from reviewboard.admin.links import admin_link
from reviewboard.admin.review import ChecklistAnswerInline
from reviewboard.forms import ReviewRatingForm
from reviewboard.models import OPEN_STATUSES, BoardMember, ConflictOfInterest, Review, ReviewAssignment
from reviewboard.review_models import ReviewRating


@admin.register(BoardMember)
class BoardMemberAdmin(admin.ModelAdmin):
    list_display = [
        "display_name",
        "credentials",
        "specialty_names",
        "active",
        "capacity",
        "open_load",
        "assignments_link",
        "articles_link",
    ]
    list_filter = ["active", "specialties"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "credentials"]
    filter_horizontal = ["specialties"]
    fields = [
        "user",
        "credentials",
        "specialties",
        "capacity",
        "active",
        "slug",
        "affiliation",
        "orcid",
        "biography",
        "disclosure",
        "verified_at",
        "verified_by",
    ]
    # The member writes the profile in the workspace; editors record verification there (services_profiles).
    readonly_fields = ["verified_at", "verified_by"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("user")
            .prefetch_related("specialties")
            .annotate(open_load=Count("assignments", filter=Q(assignments__status__in=OPEN_STATUSES)))
        )

    @admin.display(description="name", ordering="user__last_name")
    def display_name(self, obj):
        return obj.display_name

    @admin.display(description="specialties")
    def specialty_names(self, obj):
        return ", ".join(s.name for s in obj.specialties.all())

    @admin.display(description="open reviews", ordering="open_load")
    def open_load(self, obj):
        return obj.open_load

    @admin.display(description="assignments")
    def assignments_link(self, obj):
        url = reverse("admin:reviewboard_reviewassignment_changelist")
        return format_html('<a href="{}?board_member={}">assignments</a>', url, obj.pk)

    @admin.display(description="articles")
    def articles_link(self, obj):
        return format_html(
            '<a href="{}?reviewer={}">articles reviewed</a>', reverse("admin:articles_article_changelist"), obj.pk
        )


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(ImmutableAdminMixin, ArchiveModelAdmin):
    """Assignments are made by reviewboard.services (the Article action assigns automatically)."""

    list_display = ["board_member", "article_link", "revision_number", "status", "due_date", "created_at"]
    list_filter = [
        "status",
        "revision__article__state",
        "revision__article__specialty",
        ("due_date", admin.DateFieldListFilter),
        BoardMemberFilter,
    ]
    list_select_related = ["board_member__user", "revision__article__current_revision"]
    search_fields = ["revision__article__slug", "revision__title", "board_member__user__last_name"]
    readonly_fields = (
        "revision",
        "board_member",
        "status",
        "due_date",
        "assigned_by",
        "decline_reason",
        "created_at",
        "responded_at",
        "completed_at",
    )
    fields = readonly_fields
    actions = ["cancel_assignments"]

    def has_assign_permission(self, request):
        return permissions.user_is_editor(request.user)

    @admin.display(description="article", ordering="revision__article__slug")
    def article_link(self, obj):
        return admin_link(obj.revision.article)

    @admin.display(description="revision", ordering="revision__number")
    def revision_number(self, obj):
        return obj.revision.number

    @admin.action(description="Cancel selected assignments (unassign)", permissions=["assign"])
    def cancel_assignments(self, request, queryset):
        for assignment in queryset:
            try:
                services.assignment_cancel(assignment=assignment, actor=request.user, reason="Unassigned in the admin")
            except DomainError as error:
                self.message_user(request, f"{assignment}: {error.message}", messages.ERROR)
            else:
                self.message_user(request, f"Cancelled: {assignment.board_member.display_name}.", messages.SUCCESS)


@admin.register(ConflictOfInterest)
class ConflictOfInterestAdmin(ImmutableAdminMixin, ArchiveModelAdmin):
    """Conflicts are declared by board members through reviewboard.services."""

    list_display = ["board_member", "article", "reason", "declared_at"]
    list_select_related = ["board_member__user", "article__current_revision", "article__approved_revision"]
    list_filter = [BoardMemberFilter]
    search_fields = ["article__slug", "board_member__user__last_name", "reason"]
    readonly_fields = ("board_member", "article", "reason", "declared_at")
    fields = readonly_fields


@admin.register(Review)
class ReviewAdmin(ImmutableAdminMixin, ArchiveModelAdmin):
    """Reviews with the confidential comments: the admin is for staff only. Editors rate a review here
    (``rating/``), through ``services.review_rate``; the review itself never changes."""

    list_display = ["reviewer", "article_link", "decision", "rating_value", "created_at"]
    list_filter = ["decision", ("created_at", admin.DateFieldListFilter)]
    list_select_related = [
        "assignment__board_member__user",
        "assignment__revision__article__current_revision",
        "rating",
    ]
    search_fields = ["assignment__revision__article__slug", "assignment__board_member__user__last_name"]
    readonly_fields = (
        "assignment",
        "decision",
        "comments_to_author",
        "confidential_comments",
        "created_at",
        "editor_rating",
    )
    fields = readonly_fields
    inlines = [ChecklistAnswerInline]

    def has_rate_permission(self, request):
        return permissions.user_can_rate_reviews(request.user)

    @admin.display(description="reviewer", ordering="assignment__board_member__user__last_name")
    def reviewer(self, obj):
        return obj.assignment.board_member

    @admin.display(description="article")
    def article_link(self, obj):
        return admin_link(obj.assignment.revision.article)

    @admin.display(description="rating", ordering="rating__rating")
    def rating_value(self, obj):
        rating = _rating_of(obj)
        return f"{rating.rating}/5" if rating else "–"

    @admin.display(description="editors' rating")
    def editor_rating(self, obj):
        rating = _rating_of(obj)
        return f"{rating.rating}/5 by {person_name(rating.rated_by)}" if rating else "Not rated"

    @admin.display(description="rate")
    def rate_link(self, obj):
        url = reverse("admin:reviewboard_review_rating", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, "Change the rating" if _rating_of(obj) else "Rate this review")

    def get_readonly_fields(self, request, obj=None):
        # The link to the rating page, for those who may rate (``permissions.user_can_rate_reviews``).
        fields = tuple(super().get_readonly_fields(request, obj))
        return (*fields, "rate_link") if obj is not None and self.has_rate_permission(request) else fields

    def get_fields(self, request, obj=None):
        return self.get_readonly_fields(request, obj)

    def get_urls(self):
        rate = self.admin_site.admin_view(self.rating_view)
        return [path("<path:object_id>/rating/", rate, name="reviewboard_review_rating"), *super().get_urls()]

    def rating_view(self, request, object_id):
        """Ask for the rating on a GET; give it through ``services.review_rate`` on a POST."""
        review = self.get_object(request, unquote(object_id))
        if review is None:
            raise Http404("There is no such review.")
        if not self.has_view_permission(request, review) or not self.has_rate_permission(request):
            raise PermissionDenied("Only editors rate reviews.")
        rating = _rating_of(review)
        initial = {"rating": str(rating.rating)} if rating else {}
        form = ReviewRatingForm(request.POST if request.method == "POST" else None, initial=initial)
        if request.method == "POST":
            form.is_valid()  # it parses; the service decides
            try:
                done = services.review_rate(review=review, actor=request.user, rating=form.cleaned_data["rating"])
            except ValidationFailed as error:
                add_field_errors(form, error)
            else:
                self.message_user(request, f"Rated {done.rating}/5: {review}.", messages.SUCCESS)
                return redirect("admin:reviewboard_review_change", object_id=review.pk)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": review,
            "title": f"Rate the review: {review}",
            "form": form,
            "media": self.media,
        }
        return TemplateResponse(request, "admin/reviewboard/review/rating_form.html", context)


def _rating_of(review: Review) -> ReviewRating | None:
    try:
        return review.rating
    except ReviewRating.DoesNotExist:
        return None
