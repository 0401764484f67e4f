"""Admin for content. The Article admin lives in ``reviewboard.admin``: its transition buttons call
the workflow services there, and ``articles`` never imports ``reviewboard``."""

from django.contrib import admin
from django.db.models import Count

from articles.models import Reference, Revision, Specialty


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
    list_display = ["name", "slug", "article_count"]
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
class RevisionAdmin(ImmutableAdminMixin, admin.ModelAdmin):
    list_display = ["title", "article", "number", "created_by", "created_at"]
    list_filter = ["article__state", "article__specialty"]
    list_select_related = ["article__current_revision", "article__approved_revision", "created_by"]
    search_fields = ["title", "article__slug"]
    date_hierarchy = "created_at"
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
class ReferenceAdmin(ImmutableAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "revision", "kind", "source", "year"]
    list_filter = ["kind"]
    list_select_related = ["revision"]
    search_fields = ["title", "source", "authors", "doi", "pmid", "revision__article__slug"]
    readonly_fields = ("revision", "number", "kind", "title", "source", "year", "authors", "doi", "pmid", "url")
    fields = readonly_fields
