"""List filters by reviewer and by board member."""

from django.contrib import admin
from django.db.models import Exists, OuterRef

from reviewboard.models import BoardMember, ReviewAssignment


class ReviewerFilter(admin.SimpleListFilter):
    """Articles a board member was ever assigned to review (any revision, any status)."""

    title = "reviewer"
    parameter_name = "reviewer"

    def lookups(self, request, model_admin):
        members = BoardMember.objects.select_related("user").order_by("user__last_name", "user__first_name", "pk")
        return [(str(m.pk), m.display_name) for m in members]

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        try:
            member_id = int(value)
        except ValueError:
            return queryset.none()
        return queryset.filter(
            Exists(ReviewAssignment.objects.filter(revision__article=OuterRef("pk"), board_member_id=member_id))
        )


class BoardMemberFilter(ReviewerFilter):
    """Rows of one board member; the choices load every member with its user in one query."""

    title = "board member"
    parameter_name = "board_member"

    def queryset(self, request, queryset):
        value = self.value()
        if not value:
            return queryset
        try:
            return queryset.filter(board_member_id=int(value))
        except ValueError:
            return queryset.none()
