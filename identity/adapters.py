"""allauth's adapters: no self sign-up, and single sign-on that matches accounts by verified email only."""

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from django.contrib import messages
from django.shortcuts import redirect

from identity import sso
from identity.policy import SSO_SESSION_KEY

logger = logging.getLogger("identity")


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        """Accounts are made by admins (and by single sign-on, without roles); nobody signs up with a password."""
        return False


class MfaAdapter(DefaultMFAAdapter):
    pass


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        return True

    def pre_social_login(self, request, sociallogin) -> None:
        """Accept the institution's person only with a verified email; connect them to the account that has it."""
        try:
            account = sso.account_for(
                existing=sociallogin.is_existing,
                user=sociallogin.user if sociallogin.is_existing else None,
                email_addresses=[(e.email, bool(e.verified)) for e in sociallogin.email_addresses],
            )
        except sso.Refused as refusal:
            logger.warning("single sign-on refused (%s): %s", sociallogin.account.provider, refusal.reason)
            messages.error(request, refusal.message)
            raise ImmediateHttpResponse(redirect("workspaces:login")) from refusal
        if account is not None and not sociallogin.is_existing:
            sociallogin.connect(request, account)
            logger.info("single sign-on connected user %s by verified email", account.pk)
        request.session[SSO_SESSION_KEY] = True

    def populate_user(self, request, sociallogin, data):
        """A person new to the site gets an account without any role or staff right; an editor grants roles."""
        user = super().populate_user(request, sociallogin, data)
        user.is_staff = False
        user.is_superuser = False
        return user

    def on_authentication_error(self, request, provider, error=None, exception=None, extra_context=None):
        logger.warning("single sign-on failed (%s): %s %r", getattr(provider, "id", provider), error, exception)
        messages.error(request, sso.FAILED_MESSAGE)
        raise ImmediateHttpResponse(redirect("workspaces:login"))
