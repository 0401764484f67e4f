"""The workspace frame's template tags."""

from django import template

from reviewboard.workspaces.navigation import workspace_navigation

register = template.Library()


@register.inclusion_tag("workspaces/_nav.html", takes_context=True)
def workspace_nav(context):
    """Render the frame's navigation for the signed-in person."""
    request = context["request"]
    return {"items": workspace_navigation(request), "user": request.user}
