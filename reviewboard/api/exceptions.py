"""Every error the API answers is JSON: ``{"detail": ..., "errors": [...]}``, never an HTML page."""

from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from articles.exceptions import ActionForbidden, DomainError, InvalidTransition, ValidationFailed


def _flatten(value, prefix: str = "") -> list[str]:
    """Return DRF's nested validation messages as sentences naming the field."""
    if isinstance(value, dict):
        return [message for key, item in value.items() for message in _flatten(item, _join(prefix, str(key)))]
    if isinstance(value, list):
        if all(not isinstance(item, dict | list) for item in value):
            return [f"{prefix}: {item}" if prefix else str(item) for item in value]
        return [message for index, item in enumerate(value) for message in _flatten(item, _join(prefix, str(index)))]
    return [f"{prefix}: {value}" if prefix else str(value)]


def _join(prefix: str, key: str) -> str:
    if key == "non_field_errors":
        return prefix
    return f"{prefix}.{key}" if prefix else key


def _body(detail: str, errors: list[str], **extra) -> dict:
    return {"detail": detail, "errors": errors, **extra}


def api_exception_handler(exc, context):
    """Map domain errors to 400/403/409 and give DRF's own errors the same JSON shape."""
    if isinstance(exc, ValidationFailed):
        return Response(_body(exc.message, list(exc.errors)), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ActionForbidden):
        return Response(_body(exc.message, [exc.message]), status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, InvalidTransition):
        return Response(_body(exc.message, [exc.message]), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DomainError):
        return Response(_body(exc.message, [exc.message]), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, Http404):
        message = str(exc) or "Not found."
        exc = exceptions.NotFound(message)
    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(response.data)
        fields = response.data if isinstance(response.data, dict) else {}
        response.data = _body(
            "The request is not valid: " + "; ".join(errors), errors, fields=_string_lists(fields) if fields else {}
        )
        return response
    detail = response.data.get("detail", "") if isinstance(response.data, dict) else str(response.data)
    response.data = _body(str(detail), [str(detail)])
    return response


def _string_lists(fields: dict) -> dict[str, list[str]]:
    """Return the field errors as one list of sentences per top-level field."""
    return {str(key): _flatten(value) for key, value in fields.items()}
