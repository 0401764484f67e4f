"""OpenTelemetry tracing, switched on from the environment: Django, psycopg, Celery and Redis instrumented.

On when ``OTEL_TRACES_EXPORTER`` names an exporter (``otlp``, ``console``) or an OTLP endpoint is set
(``OTEL_EXPORTER_OTLP_ENDPOINT`` or ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``); ``OTEL_SDK_DISABLED=true`` keeps it
off. The exporter reads the rest of the standard variables itself (headers, timeout, protocol http/protobuf);
``OTEL_SERVICE_NAME`` names the process (default ``editorial``). A task queued while serving a request carries the
trace (Celery's instrumentation puts ``traceparent`` in the message), so the request, the task and the SQL they ran
form one trace, and every log line within carries the trace and span ids (config.logging).

Started by each entry point (manage.py, config.wsgi, config.asgi, and the Celery worker and beat through
config.celery), before the first request or task; off, nothing of OpenTelemetry is imported.
"""

import logging
import os
import sys

from config import logging as request_logging

logger = logging.getLogger(__name__)

_started = False


def enabled(environ=os.environ) -> bool:
    """Return whether the environment asks for tracing."""
    if environ.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return False
    exporter = environ.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporter:
        return exporter != "none"
    return bool(environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or environ.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"))


def start() -> bool:
    """Set up tracing if the environment asks for it (once per process); return whether it is on."""
    global _started
    if _started:
        return True
    if not enabled():
        return False
    from opentelemetry import trace
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.sdk.resources import SERVICE_NAME, Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    resource = Resource.create({SERVICE_NAME: os.environ.get("OTEL_SERVICE_NAME", "editorial")})
    provider = TracerProvider(resource=resource)
    # The batch processor restarts its thread in a forked child (gunicorn's and Celery's workers).
    provider.add_span_processor(BatchSpanProcessor(_exporter()))
    trace.set_tracer_provider(provider)
    DjangoInstrumentor().instrument()
    PsycopgInstrumentor().instrument(skip_dep_check=True)
    CeleryInstrumentor().instrument()
    RedisInstrumentor().instrument()
    request_logging.trace_ids = _current_trace_ids
    _started = True
    logger.info("tracing on: exporting spans with %s", type(provider).__name__)
    return True


def _exporter():
    name = os.environ.get("OTEL_TRACES_EXPORTER", "otlp").split(",")[0].strip().lower()
    if name == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter(out=sys.stdout)
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()


def _current_trace_ids() -> tuple[str, str] | None:
    from opentelemetry import trace

    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")
