"""Receivers: each sign-in recorded; tokens revoked when a password changes; the session's factor noted."""

import logging

from allauth.account.signals import password_reset
from allauth.mfa.signals import authentication_failed, authenticator_added, authenticator_removed
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import pre_save
from django.dispatch import receiver

from identity import services
from identity.models import SignInMethod
from identity.policy import SESSION_KEY, SSO_SESSION_KEY, remember_second_factor

logger = logging.getLogger("identity")
User = get_user_model()


@receiver(user_logged_in, dispatch_uid="identity.sign_in")
def on_sign_in(sender, request, user, **kwargs):
    """Record the sign-in and note in the session whether the person has a second factor."""
    if request is None:
        return
    session = getattr(request, "session", None)
    if session is None:
        return
    remember_second_factor(request, user)
    if session.pop(SSO_SESSION_KEY, False):
        method = SignInMethod.SINGLE_SIGN_ON
    elif session.get(SESSION_KEY) == user.pk:
        method = SignInMethod.SECOND_FACTOR  # allauth asks a person with a factor for it before signing in
    else:
        method = SignInMethod.PASSWORD
    services.sign_in_record(request=request, user=user, method=method)


@receiver(pre_save, sender=User, dispatch_uid="identity.password_changed")
def on_password_change(sender, instance, update_fields=None, raw=False, **kwargs):
    """A new password revokes every API token of its person, whichever surface changed it."""
    if raw or instance.pk is None or (update_fields is not None and "password" not in update_fields):
        return
    stored = User.objects.filter(pk=instance.pk).values_list("password", flat=True).first()
    if stored is not None and stored != instance.password:
        services.api_tokens_revoke_all(user=instance, reason="password changed")


@receiver(password_reset, dispatch_uid="identity.password_reset_unlocks")
def on_password_reset(sender, request, user, **kwargs):
    """A reset by the emailed link proves the mailbox: lift the person's sign-in lockouts (docs/identity.md)."""
    from axes.utils import reset

    lifted = reset(username=user.get_username())
    if lifted:
        logger.info("password reset of user %s lifted %d lockout records", user.pk, lifted)


@receiver(authenticator_added, dispatch_uid="identity.factor_added")
@receiver(authenticator_removed, dispatch_uid="identity.factor_removed")
def on_factor_change(sender, request, user, authenticator, **kwargs):
    if request is not None and getattr(request, "session", None) is not None:
        remember_second_factor(request, user)
    logger.info("user %s: %s authenticator %s", user.pk, authenticator.type, "changed")


@receiver(authentication_failed, dispatch_uid="identity.factor_failed")
def on_factor_failed(sender, request, user, authenticator, **kwargs):
    logger.warning("second factor refused for user %s (%s): wrong or reused code", user.pk, authenticator.type)
