"""The API's JSON parser: bounded in size and in nesting, so a hostile body is a 400 or a 413, never a 500."""

import json

from django.conf import settings
from rest_framework import exceptions, status
from rest_framework.parsers import JSONParser

# No request of the API nests deeper than a few levels (an article's sections and references: 3).
MAX_JSON_DEPTH = 20


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "too_large"


def body_limit() -> int:
    """Return the largest body the API reads, in bytes: Django's DATA_UPLOAD_MAX_MEMORY_SIZE."""
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440


def _too_deep(value, limit: int) -> bool:
    """Return whether ``value`` nests lists and objects deeper than ``limit``, without recursion."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not valid JSON")  # NaN and Infinity, as DRF's strict JSON


class BoundedJSONParser(JSONParser):
    """JSON bodies up to ``body_limit()`` bytes and MAX_JSON_DEPTH levels of nesting."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = body_limit()
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise PayloadTooLarge(f"The request body is larger than {limit} bytes.")
        raw = stream.read(limit + 1) if stream is not None else b""
        if len(raw) > limit:
            raise PayloadTooLarge(f"The request body is larger than {limit} bytes.")
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.loads(raw.decode(encoding), parse_constant=_refuse_constant)
        except RecursionError:
            raise exceptions.ParseError(f"JSON nested more than {MAX_JSON_DEPTH} levels deep.") from None
        except ValueError as error:
            raise exceptions.ParseError(f"JSON parse error: {error}") from None
        if _too_deep(data, MAX_JSON_DEPTH):
            raise exceptions.ParseError(f"JSON nested more than {MAX_JSON_DEPTH} levels deep.")
        return data
