"""The transition log: read-only, append-only."""

from django.contrib import admin

from articles.admin import ImmutableAdminMixin
from reviewboard.admin.links import admin_link
from reviewboard.models import TransitionLogEntry


@admin.register(TransitionLogEntry)
class TransitionLogEntryAdmin(ImmutableAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "article_link", "transition", "from_state", "to_state", "actor", "reason"]
    list_filter = ["transition", "to_state", "article__specialty"]
    show_full_result_count = False
    list_select_related = ["actor", "article__current_revision", "article__approved_revision"]
    search_fields = ["article__slug", "reason", "actor__username"]
    date_hierarchy = "created_at"
    readonly_fields = ("article", "revision", "transition", "from_state", "to_state", "actor", "reason", "created_at")
    fields = readonly_fields

    @admin.display(description="article", ordering="article__slug")
    def article_link(self, obj):
        return admin_link(obj.article, obj.article.slug)
