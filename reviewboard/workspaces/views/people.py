"""Workspace pages for what readers see of people and changes: the note for readers of a new revision (its
authors and editors), a board member's public profile, an author's byline, and the editors' verification of
members' credentials. Each calls one service, which decides."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from articles.exceptions import ValidationFailed
from articles.forms import add_field_errors
from articles.models import Byline
from articles.permissions import EDIT, access_article
from articles.services import article_review_interval_set, change_note_write
from reviewboard.models import BoardMember
from reviewboard.permissions import board_member_of
from reviewboard.selectors import public_board
from reviewboard.services_profiles import board_member_verify, board_profile_update, byline_update
from reviewboard.workspaces.people_forms import (
    BoardProfileForm,
    BylineForm,
    ReaderNoteForm,
    ReviewIntervalForm,
    VerifyForm,
)
from reviewboard.workspaces.views.guards import (
    author_required,
    board_member_required,
    editor_required,
    perform,
    redirect_back,
)


@require_POST
@login_required
def reader_note(request, slug):
    """Save the note for readers of the article's current revision (its authors, or an editor, before approval)."""
    article = access_article(request.user, purpose=EDIT, slug=slug)
    form = ReaderNoteForm(request.POST)
    if form.is_valid():
        perform(
            request,
            change_note_write,
            "The note for readers is saved.",
            article=article,
            text_for_readers=form.cleaned_data["text"],
            is_correction=form.cleaned_data["is_correction"],
        )
    else:
        messages.error(request, "The note for readers could not be saved: " + " ".join(form.errors.get("text", [])))
    return redirect_back(request, reverse("workspaces:author_article", args=[article.slug]))


@board_member_required
def board_profile(request):
    """Let a board member edit the public profile readers see on the board page and beside their reviews."""
    member = board_member_of(request.user)
    assert member is not None  # board_member_required
    status = 200
    if request.method == "POST":
        form = BoardProfileForm(request.POST)
        if form.is_valid():
            try:
                board_profile_update(member=member, actor=request.user, **form.cleaned_data)
            except ValidationFailed as error:
                add_field_errors(form, error)
            else:
                messages.success(request, "Your public profile is saved.")
                return redirect("workspaces:board_profile")
        status = 400
    else:
        form = BoardProfileForm(initial={name: getattr(member, name) for name in BoardProfileForm.base_fields})
    return render(request, "workspaces/board/profile.html", {"member": member, "form": form}, status=status)


@author_required
def author_byline(request):
    """Let an author set the credentials readers see beside their name."""
    byline = Byline.objects.filter(user=request.user).first()
    status = 200
    if request.method == "POST":
        form = BylineForm(request.POST)
        if form.is_valid():
            try:
                byline_update(user=request.user, actor=request.user, credentials=form.cleaned_data["credentials"])
            except ValidationFailed as error:
                add_field_errors(form, error)
            else:
                messages.success(request, "Your byline is saved.")
                return redirect("workspaces:author_byline")
        status = 400
    else:
        form = BylineForm(initial={"credentials": byline.credentials if byline else ""})
    return render(request, "workspaces/author/byline.html", {"form": form}, status=status)


@editor_required
def board_verification(request):
    """List the board's members with the date and editor of their verification; record a new one."""
    if request.method == "POST":
        form = VerifyForm(request.POST)
        if form.is_valid():
            member = get_object_or_404(BoardMember, pk=form.cleaned_data["member"])
            perform(
                request,
                board_member_verify,
                f"You recorded that you verified {member.display_name}'s credentials.",
                member=member,
            )
        return redirect("workspaces:editor_board")
    return render(request, "workspaces/editor/board.html", {"members": public_board()})


@require_POST
@editor_required
def review_interval(request, slug):
    """Set how often the article is reviewed (editors)."""
    article = access_article(request.user, purpose=EDIT, slug=slug)
    form = ReviewIntervalForm(request.POST)
    if form.is_valid():
        perform(
            request,
            article_review_interval_set,
            "The review interval is saved.",
            article=article,
            days=form.cleaned_data["review_interval_days"],
        )
    else:
        messages.error(request, "Give the interval as a number of days.")
    return redirect("workspaces:editor_article", article.slug)
