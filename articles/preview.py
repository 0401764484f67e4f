"""Signed, expiring preview links: staff read any revision, drafts included, as readers would see it.

The link carries the revision id signed with a timestamp; the view still asks who is looking.
"""

from django.conf import settings
from django.core import signing
from django.db.models import Prefetch
from django.urls import reverse

from articles.models import Reference, Revision
from articles.permissions import user_is_article_author, user_is_editor

SALT = "revision-preview"
DEFAULT_MAX_AGE = 24 * 60 * 60


def preview_token(revision: Revision) -> str:
    """Return a signed, timestamped token naming ``revision``."""
    return signing.TimestampSigner(salt=SALT).sign_object(revision.pk)


def preview_url(revision: Revision) -> str:
    """Return the path of the preview page of ``revision``, valid for PREVIEW_LINK_MAX_AGE seconds."""
    return reverse("articles:preview", args=[preview_token(revision)])


def revision_id_from_token(token: str) -> int | None:
    """Return the revision id a token names, or None if it was tampered with or has expired."""
    max_age = getattr(settings, "PREVIEW_LINK_MAX_AGE", DEFAULT_MAX_AGE)
    try:
        revision_id = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=max_age)
    except (signing.SignatureExpired, signing.BadSignature):
        return None
    return revision_id if isinstance(revision_id, int) and not isinstance(revision_id, bool) else None


def preview_revision(*, revision_id: int) -> Revision | None:
    """Return the revision with its article and references, approved or not."""
    return (
        Revision.objects.filter(pk=revision_id)
        .select_related("article__specialty")
        .prefetch_related(Prefetch("references", queryset=Reference.objects.order_by("number")))
        .first()
    )


def user_can_preview(user, article) -> bool:
    """Staff, editors and the article's own authors may preview its revisions."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_staff or user_is_editor(user) or user_is_article_author(user, article)
