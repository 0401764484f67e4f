"""List filters by reviewer and by board member: reached from a member's row in the board member admin."""

from django.contrib import admin
from django.db.models import Exists, OuterRef

from reviewboard.models import BoardMember, ReviewAssignment


class ReviewerFilter(admin.SimpleListFilter):
    """Articles a board member was ever assigned to review (any revision, any status)."""

    title = "reviewer"
    parameter_name = "reviewer"

    def lookups(self, request, model_admin):
        # The chosen member only: every member of a large board would outgrow the page. A member's row
        # in the board member admin links to the filtered lists.
        value = self.value()
        member = (
            BoardMember.objects.select_related("user").filter(pk=value).first() if value and value.isdigit() else None
        )
        return [(str(member.pk), member.display_name)] if member else []

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
