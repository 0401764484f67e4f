"""DRF permission classes: thin wrappers over ``reviewboard.permissions`` predicates."""

from rest_framework.permissions import BasePermission

from reviewboard.permissions import board_member_of, user_is_editor


class IsBoardMember(BasePermission):
    message = "Only active board members have review assignments."

    def has_permission(self, request, view) -> bool:
        return board_member_of(request.user) is not None


class IsEditor(BasePermission):
    message = "Only editors can do this."

    def has_permission(self, request, view) -> bool:
        return user_is_editor(request.user)
