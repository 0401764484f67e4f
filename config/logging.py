"""Structured logs: a request id on every line, and a JSON formatter for ``LOG_FORMAT=json``.

The request id is the client's (or the proxy's) ``X-Request-ID`` when it looks like one, else a
fresh one; it is sent back in the response's ``X-Request-ID`` so a user's report can be matched
with the server's lines. A Celery task queued while serving a request carries the id in its message
headers, and the worker's lines for that task carry it too (config.celery connects the signals).
With tracing on (config.tracing), each line also carries the current trace and span ids.
"""

import json
import logging
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from datetime import UTC, datetime

REQUEST_ID_HEADER = "HTTP_X_REQUEST_ID"
TASK_HEADER = "request_id"  # the Celery message header that carries it
NO_REQUEST = "-"
# A proxy's id is kept only if it is short and plain: it goes into every log line.
_ACCEPTABLE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_request_id: ContextVar[str] = ContextVar("request_id", default=NO_REQUEST)

# LogRecord attributes that are not extra fields given by the caller.
_RECORD_ATTRIBUTES = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "asctime"}


def current_request_id() -> str:
    """Return the id of the request being served, or "-" outside a request."""
    return _request_id.get()


class RequestIdMiddleware:
    """Give each request an id, for the log lines it causes and the response's X-Request-ID."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.META.get(REQUEST_ID_HEADER, "")
        request_id = offered if _ACCEPTABLE_ID.match(offered) else uuid.uuid4().hex
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response["X-Request-ID"] = request_id
        return response


def carry_request_id(headers: dict | None = None, **kwargs) -> None:
    """Put the current request id in the headers of a task being queued (Celery's before_task_publish)."""
    request_id = current_request_id()
    if headers is not None and request_id != NO_REQUEST:
        headers.setdefault(TASK_HEADER, request_id)


_task_tokens: dict = {}


def adopt_request_id(task_id=None, task=None, **kwargs) -> None:
    """Make the request id a task's message carries the current one while it runs (Celery's task_prerun)."""
    request_id = getattr(task.request, TASK_HEADER, None) if task is not None else None
    if isinstance(request_id, str) and _ACCEPTABLE_ID.match(request_id):
        _task_tokens[task_id] = _request_id.set(request_id)


def drop_request_id(task_id=None, **kwargs) -> None:
    """Forget the task's request id once it has run (Celery's task_postrun)."""
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        _request_id.reset(token)


# Set by config.tracing when tracing is on: returns (trace id, span id) of the current span, or None.
trace_ids: Callable[[], tuple[str, str] | None] | None = None


class RequestIdFilter(logging.Filter):
    """Put the current request id on each record as ``record.request_id``, and the trace ids when tracing."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = current_request_id()
        if trace_ids is not None and not hasattr(record, "trace_id"):
            ids = trace_ids()
            if ids is not None:
                record.trace_id, record.span_id = ids
        return True


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", current_request_id()),
        }
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and key not in entry and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str)
