"""The outbox: its events and their messages, read-only, with "retry now" through the service."""

from django.contrib import admin, messages
from django.db.models import QuerySet

from articles.admin import ArchiveModelAdmin, ImmutableAdminMixin
from articles.exceptions import ActionForbidden
from reviewboard.notifications import services
from reviewboard.notifications.models import Message, OutboxEvent
from reviewboard.notifications.outbox import KINDS
from reviewboard.permissions import user_can_retry_notifications

CHANGE_LIST_TEMPLATE = "admin/reviewboard/outbox_change_list.html"


class KindFilter(admin.SimpleListFilter):
    """The kinds of event the outbox knows (``KINDS``), not a scan of the table for its distinct values."""

    title = "kind"
    parameter_name = "kind"
    field = "kind"

    def lookups(self, request, model_admin):
        return [(kind, kind.replace("_", " ")) for kind in sorted(KINDS)]

    def queryset(self, request, queryset):
        return queryset.filter(**{self.field: self.value()}) if self.value() else queryset


class MessageKindFilter(KindFilter):
    field = "event__kind"


class MessageStateFilter(admin.SimpleListFilter):
    title = "state"
    parameter_name = "state"
    states = {
        "sent": {"sent_at__isnull": False},
        "waiting": {"sent_at__isnull": True, "failed_at__isnull": True},
        "failed": {"sent_at__isnull": True, "failed_at__isnull": False},
    }

    def lookups(self, request, model_admin):
        return [(name, name) for name in self.states]

    def queryset(self, request, queryset):
        lookup = self.states.get(self.value() or "")
        return queryset.filter(**lookup) if lookup else queryset


class RetryMixin:
    """The "retry now" action: the service decides who may and what is retried."""

    def has_retry_permission(self, request):
        return user_can_retry_notifications(request.user)

    def _retry(self, request, event_ids) -> None:
        try:
            retried = services.outbox_events_retry(event_ids=event_ids, actor=request.user)
        except ActionForbidden as error:
            self.message_user(request, error.message, messages.ERROR)  # type: ignore[attr-defined]
            return
        self.message_user(  # type: ignore[attr-defined]
            request, f"{retried} event(s) will be relayed now; sent ones are left as they are.", messages.SUCCESS
        )


@admin.register(OutboxEvent)
class OutboxEventAdmin(RetryMixin, ImmutableAdminMixin, ArchiveModelAdmin):
    change_list_template = CHANGE_LIST_TEMPLATE
    list_display = ["created_at", "kind", "status", "attempts", "next_attempt_at", "sent_at", "short_error"]
    list_filter = ["status", KindFilter, ("created_at", admin.DateFieldListFilter)]
    search_fields = ["kind", "last_error"]
    readonly_fields = (
        "kind", "status", "article_id", "actor_id", "payload", "dedupe_key", "attempts", "next_attempt_at",
        "last_error", "created_at", "sent_at",
    )  # fmt: skip
    fields = readonly_fields
    actions = ["retry_now"]

    @admin.display(description="last error")
    def short_error(self, obj):
        return obj.last_error[:120]

    @admin.action(description="Retry now", permissions=["retry"])
    def retry_now(self, request, queryset: QuerySet[OutboxEvent]):
        self._retry(request, queryset.values_list("pk", flat=True))


@admin.register(Message)
class MessageAdmin(RetryMixin, ImmutableAdminMixin, ArchiveModelAdmin):
    change_list_template = CHANGE_LIST_TEMPLATE
    list_display = ["subject", "recipient", "channel", "event_kind", "delivery", "attempts", "sent_at"]
    list_filter = ["channel", MessageStateFilter, MessageKindFilter, "digest"]
    list_select_related = ["recipient", "event"]
    search_fields = ["subject", "recipient__username", "recipient__email"]
    readonly_fields = (
        "event", "recipient", "channel", "subject", "body", "url", "digest", "attempts", "last_error",
        "created_at", "sent_at", "failed_at", "read_at",
    )  # fmt: skip
    fields = readonly_fields
    actions = ["retry_now"]

    @admin.display(description="kind", ordering="event__kind")
    def event_kind(self, obj):
        return obj.event.kind

    @admin.display(description="delivery", ordering="-sent_at")
    def delivery(self, obj):
        if obj.sent_at:
            return "sent"
        if obj.failed_at:
            return "failed"
        return "digest" if obj.digest else "waiting"

    @admin.action(description="Retry now (their events)", permissions=["retry"])
    def retry_now(self, request, queryset: QuerySet[Message]):
        self._retry(request, queryset.values_list("event_id", flat=True).distinct())
