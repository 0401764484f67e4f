"""The OpenAPI description: every operation documents the JSON errors it can answer."""

from drf_spectacular.openapi import AutoSchema
from rest_framework.permissions import AllowAny

from reviewboard.api.serializers import ErrorSerializer


class ApiAutoSchema(AutoSchema):
    """Add the error responses (400, 401, 403, 404, 409, 429) each operation can give."""

    def _error_codes(self) -> list[int]:
        has_path_parameters = "{" in self.path
        codes = [429]
        if self.method != "GET" or self._is_list_view():
            codes.append(400)
        if not all(isinstance(permission, AllowAny) for permission in self.view.get_permissions()):
            codes += [401, 403]
        if has_path_parameters or self._is_list_view():
            codes.append(404)
        if self.method == "POST" and has_path_parameters:
            codes.append(409)
        return sorted(codes)

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            responses.setdefault(
                str(code), self._get_response_for_code(ErrorSerializer, str(code), direction=direction)
            )
        return responses
