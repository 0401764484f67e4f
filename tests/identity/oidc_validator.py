"""The institution's OAuth2 validator: claims from tests.identity.oidc_provider's directory, tampering on demand.

Imported by django-oauth-toolkit only while the test has installed it (OAUTH2_VALIDATOR_CLASS).
"""

import time

from oauth2_provider.oauth2_validators import OAuth2Validator

from tests.identity.oidc_provider import DIRECTORY, TAMPER


class InstitutionValidator(OAuth2Validator):
    oidc_claim_scope = None  # every claim whatever the scope

    def get_additional_claims(self, request):
        email, verified = DIRECTORY.get(request.user.get_username(), ("", False))
        return {"email": email, "email_verified": verified, "given_name": "Institution", "family_name": "Person"}

    def get_id_token_dictionary(self, token, token_handler, request):
        claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        if "expired" in TAMPER:
            claims["exp"] = int(time.time()) - 600
            claims["iat"] = int(time.time()) - 1200
        if "foreign" in TAMPER:
            claims["aud"] = "another-client"
        return claims, expiration_time
