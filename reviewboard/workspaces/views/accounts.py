"""The home that sends each role to its workspace."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from articles.permissions import user_is_author_role
from reviewboard.permissions import board_member_of, user_is_editor


@login_required
def home(request):
    """Send editors, board members and authors to their workspace."""
    user = request.user
    if user_is_editor(user):
        return redirect("workspaces:editor")
    if board_member_of(user) is not None:
        return redirect("workspaces:board")
    if user_is_author_role(user):
        return redirect("workspaces:author")
    return render(request, "workspaces/home.html")
