"""Every error the API answers is JSON: ``{"detail": ..., "errors": [...], "fields": {...}, "field_errors": [...]}``.

``field_errors`` carries the services' structured errors (field, index, code, message) as they are.
"""

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

from articles.exceptions import ActionForbidden, DomainError, InvalidTransition, NotFound, ValidationFailed


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
        fields: dict[str, list[str]] = {}
        for error in exc.errors:
            fields.setdefault(error.field.split(".")[0] or "non_field_errors", []).append(error.message)
        body = _body(exc.message, exc.messages, fields=fields, field_errors=[e.as_dict() for e in exc.errors])
        return Response(body, status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, NotFound):
        return Response(_body(exc.message, [exc.message]), status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, ActionForbidden):
        return Response(_body(exc.message, [exc.message]), status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, InvalidTransition):
        return Response(_body(exc.message, [exc.message]), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DomainError):
        return Response(_body(exc.message, [exc.message]), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, RequestDataTooBig):
        message = "The request body is too large."
        return Response(_body(message, [message]), status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
    if isinstance(exc, Http404):
        message = str(exc) or "Not found."
        exc = exceptions.NotFound(message)
    response = exception_handler(exc, context)
    if response is None:
        # Not an API error: raised on to config.errors.server_error, which answers JSON (503 for an outage).
        return None
    if isinstance(exc, exceptions.ValidationError):
        errors = _flatten(response.data)
        fields = response.data if isinstance(response.data, dict) else {}
        response.data = _body(
            "The request is not valid: " + "; ".join(errors),
            errors,
            fields=_string_lists(fields) if fields else {},
            field_errors=_field_errors(exc.detail),
        )
        return response
    detail = response.data.get("detail", "") if isinstance(response.data, dict) else str(response.data)
    response.data = _body(str(detail), [str(detail)])
    return response


def _field_errors(detail, path: tuple[str, ...] = (), index: int | None = None) -> list[dict]:
    """Return DRF's nested errors in the services' shape: field (dotted names), index, code, message."""
    if isinstance(detail, dict):
        return [
            error
            for key, value in detail.items()
            for error in _field_errors(value, path if key == "non_field_errors" else (*path, str(key)), index)
        ]
    if isinstance(detail, list):
        if any(isinstance(item, dict | list) for item in detail):
            return [error for i, item in enumerate(detail) for error in _field_errors(item, path, i)]
        return [error for item in detail for error in _field_errors(item, path, index)]
    field = ".".join(path)
    return [{"field": field, "index": index, "code": getattr(detail, "code", "invalid"), "message": str(detail)}]


def _string_lists(fields: dict) -> dict[str, list[str]]:
    """Return the field errors as one list of sentences per top-level field."""
    return {str(key): _flatten(value) for key, value in fields.items()}
