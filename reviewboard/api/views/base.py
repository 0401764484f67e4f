"""The API's base views: JSON answers, validated query parameters, conditional GETs, tokens, the JSON 404."""

import hashlib

from django.utils.cache import get_conditional_response
from django.utils.http import http_date, quote_etag
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from identity import services as identity_services
from reviewboard.api import serializers as s
from reviewboard.api.schema import ApiAutoSchema


class ApiView(APIView):
    schema = ApiAutoSchema()


class ApiListView(generics.ListAPIView):
    schema = ApiAutoSchema()
    query_serializer_class: type[serializers.Serializer] | None = None

    def query(self) -> dict:
        """Return the validated query parameters (400 on bad ones)."""
        if self.query_serializer_class is None:
            return {}
        serializer = self.query_serializer_class(data=self.request.query_params)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


# Answers GETs with an ETag (and Last-Modified where known), and 304 when they still match.
class ConditionalGetMixin:
    last_modified_at = None

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != status.HTTP_200_OK:
            return response
        response.render()
        etag = quote_etag(hashlib.sha256(response.content).hexdigest()[:40])
        response["ETag"] = etag
        last_modified = None
        if self.last_modified_at is not None:
            last_modified = int(self.last_modified_at.timestamp())
            response["Last-Modified"] = http_date(last_modified)
        response["Cache-Control"] = "public, max-age=0, must-revalidate"
        return get_conditional_response(request, etag=etag, last_modified=last_modified, response=response)


# Authentication


@extend_schema(
    tags=["auth"],
    request=s.TokenRequestSerializer,
    responses={200: s.TokenSerializer},
    summary="Exchange a username and password for an API token",
)
class TokenView(ApiView):
    """Issue an expiring token (knox: only its digest is stored) for a username, a password and, where the
    account has a second factor, its code; people whose role requires one and who have none are refused."""

    # Credentials are in the body: no session (so no CSRF) and no token needed to get one.
    authentication_classes = []
    permission_classes = [AllowAny]

    def post(self, request):
        data = request.data if isinstance(request.data, dict) else {}
        issued = identity_services.api_token_exchange(
            request=request,
            username=data.get("username", ""),
            password=data.get("password", ""),
            code=data.get("code", ""),
        )
        return Response({"token": issued.secret, "expiry": issued.token.expiry})


@extend_schema(exclude=True)
class NotFoundView(APIView):
    """Answer any other address under /api/ with a JSON 404, never an HTML page."""

    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []

    def http_method_not_allowed(self, request, *args, **kwargs):
        raise NotFound("There is no API endpoint at this address.")

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        raise NotFound("There is no API endpoint at this address.")
