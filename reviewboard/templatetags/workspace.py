"""The workspace frame's template tags."""

from django import template

from reviewboard.workspaces.navigation import workspace_navigation

register = template.Library()


@register.inclusion_tag("workspaces/_nav.html", takes_context=True)
def workspace_nav(context):
    """Render the frame's navigation for the signed-in person."""
    request = context["request"]
    return {"items": workspace_navigation(request), "user": request.user}


@register.filter
def marked_required(field) -> bool:
    """Return whether a form field is marked required: by the form, or by what submission requires."""
    return bool(field.field.required or getattr(field.field, "submission_required", False))
