"""The public pages about the people and the record behind the articles: the Medical Advisory Board, each
member's profile, corrections and retractions, and what changed between two approved revisions.

Readers see approved content only: every article here comes through ``articles.selectors``.
"""

from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from articles.models import Article
from articles.selectors import (
    approved_history,
    approved_revision_by_number,
    corrections_and_retractions,
    published_revision,
)
from reviewboard.workspaces.diff import revision_diff
from transparency.selectors import articles_reviewed_by, public_board, public_member


@require_safe
def board(request):
    """List the active members of the Medical Advisory Board, with their credentials and their verification."""
    return render(request, "transparency/board.html", {"members": public_board()})


@require_safe
def profile(request, slug):
    """Show one member's public profile and the published articles they reviewed."""
    member = public_member(slug=slug)
    if member is None:
        raise Http404("No member of the board at this address.")
    reviewed = articles_reviewed_by(member=member)[:100]
    return render(request, "transparency/profile.html", {"member": member, "reviewed": reviewed})


@require_safe
def corrections(request):
    """List the corrections and retractions of published articles, newest first (COPE)."""
    notes, retractions = corrections_and_retractions()
    return render(request, "transparency/corrections.html", {"corrections": notes, "retractions": retractions})


def _number(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() else None


@require_safe
def changes(request, slug):
    """Show what changed between two approved revisions of a published article (approved text only)."""
    revision = published_revision(slug=slug, with_references=False)
    if revision is None:
        raise Http404("No published article at this address.")
    article: Article = revision.article
    history = approved_history(article=article)
    numbers = [version.number for version in history]  # newest first
    newer_number = _number(request.GET.get("to")) or (numbers[0] if numbers else None)
    if newer_number not in numbers:
        raise Http404("That revision was never approved.")
    position = numbers.index(newer_number)
    older_number = _number(request.GET.get("from")) or (numbers[position + 1] if position + 1 < len(numbers) else None)
    if older_number not in numbers or older_number == newer_number:
        raise Http404("Choose two different approved revisions.")
    newer = approved_revision_by_number(article=article, number=newer_number)
    older = approved_revision_by_number(article=article, number=older_number)
    if newer is None or older is None:
        raise Http404("That revision was never approved.")
    if older.number > newer.number:
        older, newer = newer, older
    by_number = {version.number: version for version in history}
    context = {
        "article": article,
        "revision": revision,
        "older": by_number[older.number],
        "newer": by_number[newer.number],
        "history": history,
        "changes": revision_diff(older, newer),
    }
    return render(request, "transparency/changes.html", context)
