"""Admin for content. The Article admin lives in ``reviewboard.admin``: its transition buttons call
the workflow services there, and ``articles`` never imports ``reviewboard``."""

from django.contrib import admin
from django.db.models import Count

from articles.models import Byline, ChangeNote, Reference, Revision, Specialty


class ArchiveModelAdmin(admin.ModelAdmin):
    """Changelists of tables that grow with the archive: newest first from the primary key's index, 50 rows a
    page, no full count, and no date hierarchy (its choices scan the whole table); filter by date instead."""

    list_per_page = 50
    show_full_result_count = False
    ordering = ("-pk",)


class ImmutableAdminMixin:
    """View-only admin for rows written once: no add, change or delete, whoever asks."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Specialty)
class SpecialtyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "review_interval_days", "article_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(article_count=Count("articles"))

    @admin.display(description="articles", ordering="article_count")
    def article_count(self, obj):
        return obj.article_count


class ReferenceInline(ImmutableAdminMixin, admin.TabularInline):
    model = Reference
    readonly_fields = ("number", "kind", "title", "source", "year", "authors", "doi", "pmid", "url")
    fields = readonly_fields
    extra = 0


@admin.register(Revision)
class RevisionAdmin(ImmutableAdminMixin, ArchiveModelAdmin):
    list_display = ["title", "article", "number", "created_by", "created_at"]
    list_filter = ["article__state", "article__specialty", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["article__current_revision", "article__approved_revision", "created_by"]
    search_fields = ["title", "article__slug"]
    readonly_fields = (
        "article",
        "number",
        "title",
        "summary_patient",
        "summary_professional",
        "sections",
        "created_by",
        "change_note",
        "created_at",
    )
    fields = readonly_fields
    inlines = [ReferenceInline]


@admin.register(Reference)
class ReferenceAdmin(ImmutableAdminMixin, ArchiveModelAdmin):
    list_display = ["__str__", "revision", "kind", "source", "year"]
    list_filter = ["kind"]
    list_select_related = ["revision"]
    search_fields = ["title", "source", "authors", "doi", "pmid", "revision__article__slug"]
    readonly_fields = ("revision", "number", "kind", "title", "source", "year", "authors", "doi", "pmid", "url")
    fields = readonly_fields


@admin.register(Byline)
class BylineAdmin(admin.ModelAdmin):
    """Authors' credentials as readers see them beside their names (authors edit their own in the workspace)."""

    list_display = ["user", "credentials"]
    search_fields = ["user__first_name", "user__last_name", "credentials"]
    raw_id_fields = ["user"]


@admin.register(ChangeNote)
class ChangeNoteAdmin(ArchiveModelAdmin):
    """Notes for readers: written in the workspaces through the service, published at approval; read here."""

    list_display = ["revision", "is_correction", "approved_at", "edited_by"]
    list_filter = ["is_correction", ("approved_at", admin.DateFieldListFilter)]
    list_select_related = ["revision", "edited_by"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
