"""Writes to the public profiles of board members and authors: the member's own edits, an editor's verification."""

import re

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from articles import text
from articles.exceptions import ActionForbidden
from articles.models import Byline
from articles.permissions import user_is_editor
from reviewboard.models import BoardMember
from reviewboard.permissions import user_can_edit_board_profile, user_can_verify_board_member

_ORCID = re.compile(r"^(?:https?://orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$")


def orcid_checksum_ok(orcid: str) -> bool:
    """Return whether the ORCID iD's last character is its ISO 7064 11,2 check digit."""
    digits = orcid.replace("-", "")
    total = 0
    for digit in digits[:-1]:
        total = (total + int(digit)) * 2
    check = (12 - total % 11) % 11
    return digits[-1] == ("X" if check == 10 else str(check))


def clean_orcid(value: object, errors: text.FieldErrors) -> str:
    orcid = errors.text(value, text.PROFILE_LINE, field="orcid")
    if not orcid:
        return ""
    match = _ORCID.match(orcid.upper().replace("HTTPS://ORCID.ORG/", "").replace("HTTP://ORCID.ORG/", ""))
    if match is None or not orcid_checksum_ok(match.group(1)):
        errors.add("orcid", "An ORCID iD looks like 0000-0002-1825-0097 (16 characters, its last a check digit).")
        return ""
    return match.group(1)


def board_profile_update(
    *,
    member: BoardMember,
    actor: User,
    affiliation: str = "",
    orcid: str = "",
    biography: str = "",
    disclosure: str = "",
) -> BoardMember:
    """Save the public profile a board member writes for readers: affiliation, ORCID iD, biography, disclosure."""
    if not user_can_edit_board_profile(actor, member):
        raise ActionForbidden("Board members edit their own public profile only.")
    errors = text.FieldErrors()
    values = {
        "affiliation": errors.text(affiliation, text.PROFILE_LINE, field="affiliation"),
        "orcid": clean_orcid(orcid, errors),
        "biography": errors.text(biography, text.PROFILE_TEXT, field="biography"),
        "disclosure": errors.text(disclosure, text.PROFILE_TEXT, field="disclosure"),
    }
    errors.raise_if_any()
    with transaction.atomic():
        member = BoardMember.objects.select_for_update().get(pk=member.pk)
        for name, value in values.items():
            setattr(member, name, value)
        member.save(update_fields=list(values))
    return member


def board_member_verify(*, member: BoardMember, actor: User) -> BoardMember:
    """Record that ``actor``, an editor, checked the member's credentials today."""
    if not user_can_verify_board_member(actor, member):
        raise ActionForbidden("Editors record the verification of another member's credentials.")
    with transaction.atomic():
        member = BoardMember.objects.select_for_update().get(pk=member.pk)
        member.verified_at, member.verified_by = timezone.now(), actor
        member.save(update_fields=["verified_at", "verified_by"])
    return member


def byline_update(*, user: User, actor: User, credentials: str) -> Byline:
    """Save the credentials readers see beside an author's name: by the author, or an editor."""
    if actor.pk != user.pk and not user_is_editor(actor):
        raise ActionForbidden("Authors edit their own byline; editors may edit any.")
    errors = text.FieldErrors()
    value = errors.text(credentials, text.PROFILE_LINE, field="credentials")
    errors.raise_if_any()
    byline, _ = Byline.objects.update_or_create(user=user, defaults={"credentials": value})
    return byline
