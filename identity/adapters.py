"""allauth's adapters: no self sign-up, and single sign-on that matches accounts by verified email only."""

import logging

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from django.contrib import messages
from django.shortcuts import redirect

from articles.followups import client_address
from identity import sso
from identity.policy import SSO_SESSION_KEY
from identity.providers import NonceOpenIDConnectProvider

logger = logging.getLogger("identity")


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request) -> bool:
        """Accounts are made by admins (and by single sign-on, without roles); nobody signs up with a password."""
        return False

    def get_client_ip(self, request) -> str:
        """The one rule for a client's address (TRUSTED_PROXY_COUNT), as the lockout and the throttles use it."""
        address = client_address(request)
        return address if address != "unknown" else "0.0.0.0"  # noqa: S104  (no address: one shared bucket)


class MfaAdapter(DefaultMFAAdapter):
    def validation_error(self, code, *args):
        """Log every refusal of a second factor (a wrong or reused code, another person's security key)."""
        request = context.request
        logger.warning(
            "second factor refused (%s) at %s from %s",
            code,
            getattr(request, "path", "?"),
            client_address(request) if request is not None else "unknown",
        )
        return super().validation_error(code, *args)


class SocialAccountAdapter(DefaultSocialAccountAdapter):
    def is_open_for_signup(self, request, sociallogin) -> bool:
        return True

    def get_provider(self, request, provider, client_id=None):
        """Return allauth's provider; an OpenID Connect one sends and checks a nonce (identity.providers)."""
        instance = super().get_provider(request, provider, client_id=client_id)
        if type(instance) is OpenIDConnectProvider:
            return NonceOpenIDConnectProvider(request, app=instance.app)
        return instance

    def pre_social_login(self, request, sociallogin) -> None:
        """Accept the institution's person only with a verified email; connect them to the account that has it."""
        try:
            # Single sign-on is OpenID Connect only (settings.SOCIALACCOUNT_PROVIDERS): every sign-in has a nonce.
            sso.check_nonce(
                sent=(sociallogin.state or {}).get("nonce"),
                id_token=(sociallogin.account.extra_data or {}).get("id_token"),
            )
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
