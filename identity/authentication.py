"""The API's token authentication: knox's hashed, expiring tokens, refused while a required factor is missing."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.plumbing import build_bearer_security_scheme_object
from knox.auth import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from identity.middleware import SET_UP_MESSAGE
from identity.policy import has_second_factor, second_factor_required


class ApiTokenAuthentication(TokenAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and second_factor_required(result[0]) and not has_second_factor(result[0]):
            raise AuthenticationFailed(SET_UP_MESSAGE)
        return result


class ApiTokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI schema's description of the token: ``Authorization: Token <secret>``."""

    target_class = "identity.authentication.ApiTokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return build_bearer_security_scheme_object(header_name="Authorization", token_prefix="Token")  # noqa: S106
