"""Identity's writes: sign-ins recorded, API tokens issued and revoked, sessions ended."""

import base64
import logging
import secrets
from dataclasses import dataclass

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt, encrypt
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from knox.models import AuthToken

from articles.exceptions import ActionForbidden, FieldError, ValidationFailed
from articles.followups import client_address
from articles.text import TOKEN_NAME, USERNAME, FieldErrors
from identity.models import ApiTokenName, SignIn, SignInMethod
from identity.policy import has_second_factor, second_factor_required

logger = logging.getLogger("identity")


def sign_in_record(*, request: HttpRequest | None, user: User, method: str = SignInMethod.PASSWORD) -> SignIn:
    """Record a successful sign-in with its address, browser and method."""
    address = client_address(request) if request is not None else "unknown"
    agent = request.headers.get("User-Agent", "")[:300] if request is not None else ""
    return SignIn.objects.create(
        user=user, address=None if address == "unknown" else address, user_agent=agent, method=method
    )


@dataclass(frozen=True)
class IssuedToken:
    token: AuthToken
    secret: str  # shown once: only its digest is stored


def api_tokens_of(user: User):
    """Return ``user``'s unexpired API tokens, newest first, with their names."""
    return AuthToken.objects.filter(user=user, expiry__gt=timezone.now()).select_related("label").order_by("-created")


def api_token_create(*, user: User, name: object = "") -> IssuedToken:
    """Issue an API token for ``user`` (its secret is returned once); refuse past the per-person limit."""
    errors = FieldErrors()
    clean_name = errors.text(name, TOKEN_NAME, field="name")
    errors.raise_if_any()
    with transaction.atomic():
        AuthToken.objects.filter(user=user, expiry__lte=timezone.now()).delete()
        limit = settings.REST_KNOX.get("TOKEN_LIMIT_PER_USER")
        if limit is not None and AuthToken.objects.filter(user=user).count() >= limit:
            raise ValidationFailed(
                [
                    FieldError(
                        "name",
                        f"You have {limit} tokens, the most one person may hold: revoke one you no longer use first.",
                        "limit",
                    )
                ]
            )
        token, secret = AuthToken.objects.create(user=user, expiry=settings.REST_KNOX["TOKEN_TTL"])
        ApiTokenName.objects.create(token=token, name=clean_name or f"Token of {token.created:%Y-%m-%d %H:%M}")
    logger.info("api token %s issued to user %s", token.token_key, user.pk)
    return IssuedToken(token, secret)


def api_token_revoke(*, user: User, token_key: str) -> int:
    """Revoke ``user``'s token whose key (its first characters) is ``token_key``; return how many went."""
    deleted, _ = AuthToken.objects.filter(user=user, token_key=token_key).delete()
    if deleted:
        logger.info("api token %s revoked by user %s", token_key, user.pk)
    return deleted


def api_tokens_revoke_all(*, user: User, reason: str) -> int:
    """Revoke every API token of ``user``; return how many there were."""
    count = AuthToken.objects.filter(user=user).count()
    AuthToken.objects.filter(user=user).delete()
    if count:
        logger.info("all %d api tokens of user %s revoked: %s", count, user.pk, reason)
    return count


CODE_NEEDED = "This account signs in with a second factor: send the current code of your authenticator app as `code`."
NO_FACTOR_YET = (
    "Your role requires a second factor, and your account has none yet: sign in on the web, set one up, "
    "then create a token on your account's token page or send its code here."
)


def api_token_exchange(*, request: HttpRequest, username: object, password: object, code: object = "") -> IssuedToken:
    """Issue a token for a username and password, and the second factor's code where the account has or needs one."""
    from allauth.mfa.base.forms import AuthenticateForm

    errors = FieldErrors()
    username = errors.text(username, USERNAME, field="username", required=True)
    errors.raise_if_any()
    if not isinstance(password, str):
        raise ValidationFailed([FieldError("password", "Send the password as text.", "invalid")])
    user = authenticate(request, username=username, password=password)
    if user is None:
        raise ValidationFailed([FieldError("", "Unable to log in with provided credentials.", "authorization")])
    if has_second_factor(user):
        if not code:
            raise ValidationFailed([FieldError("code", CODE_NEEDED, "required")])
        form = AuthenticateForm(user=user, data={"code": code})
        if not form.is_valid():
            logger.warning("api sign-in of user %s refused: wrong second-factor code", user.pk)
            raise ValidationFailed([FieldError("code", " ".join(form.errors.get("code", [])), "invalid")])
    elif second_factor_required(user):
        logger.warning("api sign-in of user %s refused: no second factor set up", user.pk)
        raise ActionForbidden(NO_FACTOR_YET)
    sign_in_record(request=request, user=user, method=SignInMethod.OTHER)
    return api_token_create(user=user, name="API sign-in")


def sessions_end_others(*, request: HttpRequest, user: User) -> int:
    """End every session of ``user`` but this one; return how many ended."""
    from allauth.usersessions.models import UserSession

    ended = 0
    for session in UserSession.objects.purge_and_list(user):
        if not session.is_current():
            session.end()
            ended += 1
    logger.info("user %s signed out %d other sessions", user.pk, ended)
    return ended


def totp_secret_new() -> str:
    """Return a fresh TOTP secret (160 random bits, base32, as authenticator apps take it)."""
    return base64.b32encode(secrets.token_bytes(20)).decode("ascii")


def totp_activate(*, user: User, secret: str) -> Authenticator:
    """Give ``user`` an authenticator app with ``secret`` (the demo and tests; people use the set-up page)."""
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing is not None:
        existing.data = {"secret": encrypt(secret)}
        existing.save(update_fields=["data"])
        return existing
    return Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": encrypt(secret)})


def demo_totp_secret(*, user: User) -> str:
    """Return ``user``'s authenticator app secret, giving them one first if they have none (the demo)."""
    existing = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if existing is not None:
        return decrypt(existing.data["secret"])
    secret = totp_secret_new()
    totp_activate(user=user, secret=secret)
    return secret
