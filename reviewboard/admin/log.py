"""The transition log: read-only, append-only."""

from django.contrib import admin

from articles.admin import ArchiveModelAdmin, ImmutableAdminMixin
from articles.models import Article
from reviewboard.admin.links import admin_link
from reviewboard.models import TransitionLogEntry


class TransitionFilter(admin.SimpleListFilter):
    """The article's transitions by name, from its state machine (not a scan of the log for its distinct values)."""

    title = "transition"
    parameter_name = "transition"

    def lookups(self, request, model_admin):
        names = sorted({t.name for t in Article._meta.get_field("state").get_all_transitions(Article)})
        return [(name, name.replace("_", " ")) for name in names]

    def queryset(self, request, queryset):
        return queryset.filter(transition=self.value()) if self.value() else queryset


@admin.register(TransitionLogEntry)
class TransitionLogEntryAdmin(ImmutableAdminMixin, ArchiveModelAdmin):
    list_display = ["created_at", "article_link", "transition", "from_state", "to_state", "actor", "reason"]
    list_filter = [TransitionFilter, "to_state", "article__specialty", ("created_at", admin.DateFieldListFilter)]
    list_select_related = ["actor", "article__current_revision", "article__approved_revision"]
    search_fields = ["article__slug", "reason", "actor__username"]
    readonly_fields = ("article", "revision", "transition", "from_state", "to_state", "actor", "reason", "created_at")
    fields = readonly_fields

    @admin.display(description="article", ordering="article__slug")
    def article_link(self, obj):
        return admin_link(obj.article, obj.article.slug)
