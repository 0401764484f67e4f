"""Single sign-on's rule: whom an institution's sign-in may be, decided from the addresses it vouches for."""

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.utils.crypto import constant_time_compare

FAILED_MESSAGE = (
    "Single sign-on did not complete: the answer from your institution could not be verified "
    "(it may have expired or been meant for another site). Please try again."
)
UNVERIFIED_MESSAGE = (
    "Your institution did not confirm your email address, so we cannot tell which account is yours. "
    "Ask your institution's help desk to verify it, or sign in with your password."
)
AMBIGUOUS_MESSAGE = (
    "Several accounts here have your email address; an editor must sort this out before you can sign in."
)
INACTIVE_MESSAGE = "The account with your email address is switched off. Please ask an editor."


@dataclass
class Refused(Exception):
    reason: str
    message: str


def check_nonce(*, sent: object, id_token: object) -> None:
    """Refuse an ID token that does not carry the nonce this browser's sign-in sent."""
    if not isinstance(id_token, dict):
        raise Refused("no ID token", FAILED_MESSAGE)
    received = id_token.get("nonce")
    if not sent or not isinstance(received, str) or not constant_time_compare(str(sent), received):
        raise Refused("the ID token's nonce is not the one sent", FAILED_MESSAGE)


def account_for(
    *, existing: bool, user: AbstractBaseUser | None, email_addresses: Sequence[tuple[str, bool]]
) -> AbstractBaseUser | None:
    """Return the account an institution's sign-in connects to, None for a new one without roles, or refuse.

    Only an address the institution marks verified counts; it matches an existing account's email
    (case-insensitive) or none, never several.
    """
    if existing:
        if user is not None and not user.is_active:
            raise Refused("inactive account", INACTIVE_MESSAGE)
        return None
    verified = sorted({address.strip().lower() for address, is_verified in email_addresses if is_verified and address})
    if not verified:
        raise Refused("no verified email", UNVERIFIED_MESSAGE)
    matches = list(get_user_model().objects.filter(email__iexact=verified[0])[:2])
    for address in verified[1:]:
        if matches:
            break
        matches = list(get_user_model().objects.filter(email__iexact=address)[:2])
    if len(matches) > 1:
        raise Refused("several accounts share the email", AMBIGUOUS_MESSAGE)
    if matches and not matches[0].is_active:
        raise Refused("inactive account", INACTIVE_MESSAGE)
    return matches[0] if matches else None
