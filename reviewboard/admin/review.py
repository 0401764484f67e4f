"""Admin for the review's own records: checklists per specialty (editors define them here), the answers
stored with each review, and the comment threads (read-only: they change only through their services)."""

from django.contrib import admin

from articles.admin import ArchiveModelAdmin, ImmutableAdminMixin
from reviewboard.models import ReviewRound
from reviewboard.review_models import (
    ChecklistAnswer,
    ChecklistItem,
    CommentThread,
    EditorialSettings,
    ReviewRating,
    ThreadComment,
)


@admin.register(ChecklistItem)
class ChecklistItemAdmin(admin.ModelAdmin):
    """The questions a reviewer answers for every article of a specialty. Retire an item by making it inactive:
    the answers given to it stay with their reviews."""

    list_display = ["text", "specialty", "required", "position", "active"]
    list_editable = ["required", "position", "active"]
    list_filter = ["specialty", "required", "active"]
    list_select_related = ["specialty"]
    search_fields = ["text"]
    ordering = ["specialty__name", "position", "pk"]

    def has_delete_permission(self, request, obj=None):
        # An item someone answered is kept (its answers point at it); deactivate it instead.
        if obj is not None and obj.answers.exists():
            return False
        return super().has_delete_permission(request, obj)


class ChecklistAnswerInline(ImmutableAdminMixin, admin.TabularInline):
    model = ChecklistAnswer
    fields = ("item_text", "required", "answer", "note")
    readonly_fields = fields
    extra = 0


class ThreadCommentInline(ImmutableAdminMixin, admin.TabularInline):
    model = ThreadComment
    fields = ("author", "body", "created_at")
    readonly_fields = fields
    extra = 0


@admin.register(CommentThread)
class CommentThreadAdmin(ImmutableAdminMixin, ArchiveModelAdmin):
    list_display = ["pk", "article", "field", "quote_start", "status", "confidential", "created_at"]
    list_filter = ["status", "confidential", "field"]
    list_select_related = ["article"]
    search_fields = ["article__slug", "quote"]
    readonly_fields = (
        "article",
        "revision",
        "field",
        "index",
        "paragraph",
        "quote",
        "whole_paragraph",
        "start",
        "end",
        "anchor_revision",
        "anchor_index",
        "anchor_paragraph",
        "anchor_start",
        "confidential",
        "status",
        "opened_by",
        "created_at",
        "resolved_by",
        "resolved_at",
    )
    fields = readonly_fields
    inlines = [ThreadCommentInline]

    @admin.display(description="passage")
    def quote_start(self, obj):
        return obj.quote[:80]


@admin.register(EditorialSettings)
class EditorialSettingsAdmin(admin.ModelAdmin):
    """The one row of settings editors manage (anonymity of reviewers towards authors)."""

    list_display = ["__str__", "authors_see_reviewer_names"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not EditorialSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReviewRating)
class ReviewRatingAdmin(ImmutableAdminMixin, ArchiveModelAdmin):
    """Editors' ratings of reviews: read here, given on the editor's article page."""

    list_display = ["review", "rating", "rated_by", "rated_at"]
    list_select_related = ["review__assignment__board_member__user", "rated_by"]
    readonly_fields = ("review", "rating", "rated_by", "rated_at")
    fields = readonly_fields


@admin.register(ReviewRound)
class ReviewRoundAdmin(ImmutableAdminMixin, ArchiveModelAdmin):
    """Each submission's round: its number, revision, when it opened and closed, its outcome and the letter."""

    list_display = ["article", "number", "revision", "opened_at", "closed_at", "outcome"]
    list_filter = ["outcome"]
    list_select_related = ["article", "revision"]
    search_fields = ["article__slug"]
    readonly_fields = ("article", "number", "revision", "opened_at", "closed_at", "outcome", "response_letter")
    fields = readonly_fields
