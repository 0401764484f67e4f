"""allauth's OpenID Connect provider, with a nonce: each sign-in's ID token must carry the one we sent.

allauth sends ``state`` (kept in the session) and PKCE; this adds OpenID Connect's ``nonce``, kept in the same
stashed state, so an ID token minted for another sign-in (a replayed or injected code) is refused
(identity.sso.check_nonce, called from the adapter's ``pre_social_login``).
"""

from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from django.utils.crypto import get_random_string

NONCE_LENGTH = 32


class NonceOpenIDConnectProvider(OpenIDConnectProvider):
    def redirect(self, request, process, next_url=None, data=None, **kwargs):
        nonce = get_random_string(NONCE_LENGTH)
        auth_params = kwargs.pop("auth_params", None)
        if auth_params is None:
            auth_params = self.get_auth_params()
        auth_params = {**auth_params, "nonce": nonce}
        return super().redirect(request, process, next_url, data, auth_params=auth_params, nonce=nonce, **kwargs)
