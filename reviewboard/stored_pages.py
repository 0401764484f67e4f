"""Retire the stored reader pages that name a board member when the member's public face changes.

A reader page names the board members who approved its revision (articles.selectors.revision_approvers); a stored
or cached page keeps the name, credentials and specialties it was rendered with, so a change to any of them retires
the pages of the articles the member reviewed (articles.stored.reader_data_changed), after commit.
"""

from django.conf import settings
from django.db import transaction
from django.db.models.signals import m2m_changed, post_save

from articles import stored
from articles.models import Article
from reviewboard.models import BoardMember

# The user's fields a reader page shows (BoardMember.display_name); a login saves only ``last_login``.
SHOWN_USER_FIELDS = frozenset({"first_name", "last_name", "username"})


def articles_approved_by(*, board_member_id: int) -> list[int]:
    """Return the ids of the articles ``board_member_id`` was assigned to review a revision of (the page names the
    reviewers of its approved revision, and of the earlier ones in its history)."""
    rows = Article.objects.filter(revisions__assignments__board_member_id=board_member_id).order_by()
    return list(rows.values_list("pk", flat=True).distinct())


def _retire_for(board_member_id: int) -> None:
    transaction.on_commit(
        lambda: stored.reader_data_changed(article_ids=articles_approved_by(board_member_id=board_member_id)),
        robust=True,
    )


def _user_saved(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    if created or raw or (update_fields is not None and not SHOWN_USER_FIELDS & set(update_fields)):
        return
    member_id = BoardMember.objects.filter(user=instance).values_list("pk", flat=True).first()
    if member_id is not None:
        _retire_for(member_id)


def _member_saved(sender, instance: BoardMember, created=False, raw=False, **kwargs):
    if not created and not raw:
        _retire_for(instance.pk)


def _member_specialties_changed(sender, instance, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear") and isinstance(instance, BoardMember):
        _retire_for(instance.pk)


def connect() -> None:
    """Connect the receivers (ReviewboardConfig.ready)."""
    post_save.connect(_user_saved, sender=settings.AUTH_USER_MODEL, dispatch_uid="stored-pages-user-saved")
    post_save.connect(_member_saved, sender=BoardMember, dispatch_uid="stored-pages-member-saved")
    m2m_changed.connect(
        _member_specialties_changed, sender=BoardMember.specialties.through, dispatch_uid="stored-pages-specialties"
    )
