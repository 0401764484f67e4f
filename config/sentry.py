"""Sentry error reporting, switched on by ``SENTRY_DSN`` (config.settings starts it).

Errors in requests (DjangoIntegration) and in tasks (CeleryIntegration) are sent with the request id as a tag,
so a report in Sentry can be matched with the log lines of the request and of the tasks it queued. No personal
data is sent (``send_default_pii`` off) and no performance traces (tracing is OpenTelemetry's: config.tracing).
"""

from typing import Any

from config.logging import NO_REQUEST, current_request_id


def start(*, dsn: str, environment: str, release: str | None) -> None:
    """Start reporting errors to the Sentry project at ``dsn``."""
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        traces_sample_rate=0.0,
        before_send=_tag_request_id,
    )


def _tag_request_id(event: Any, hint: dict[str, Any]) -> Any:
    request_id = current_request_id()
    if request_id != NO_REQUEST:
        event.setdefault("tags", {})["request_id"] = request_id
    return event
