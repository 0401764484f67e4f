"""The panel where authors and editors write the note readers see of a new revision."""

from django import template

from articles.selectors import pending_change_note
from reviewboard.workspaces.people_forms import ReaderNoteForm, ReviewIntervalForm

register = template.Library()


@register.inclusion_tag("workspaces/_reader_note.html", takes_context=True)
def reader_note_panel(context, article):
    """Render the note-for-readers form of ``article``'s current revision, when it takes one."""
    wanted, note = pending_change_note(article=article)
    initial = {"text": note.text, "is_correction": note.is_correction} if note else {}
    return {
        "wanted": wanted,
        "article": article,
        "form": ReaderNoteForm(initial=initial),
        "request": context.get("request"),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("workspaces/_review_interval.html")
def review_interval_panel(article):
    """Render the editors' form for how often ``article`` is reviewed, with its next review date."""
    return {
        "article": article,
        "form": ReviewIntervalForm(initial={"review_interval_days": article.review_interval_days}),
        "interval": article.review_interval(),
        "due": article.review_due_at,
        "overdue": article.is_review_overdue(),
    }
