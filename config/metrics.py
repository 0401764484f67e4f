"""Prometheus metrics, off unless configured: request latency by view, the workflow's gauges, Celery's tasks.

On with ``METRICS_TOKEN`` (a scraper sends ``Authorization: Bearer <token>``) or ``METRICS_ALLOWED_NETWORKS``
(client addresses let in without a token); ``/metrics`` answers 404 otherwise, and prometheus_client is never
imported. Series:

- ``editorial_http_request_duration_seconds{view,method,status}``: a histogram per view (URL name);
- ``editorial_reader_reads_total{database}``: anonymous readers' requests by the database they read (articles.replica);
- ``editorial_articles{state}``, ``editorial_reviews_past_due``, ``editorial_outbox_oldest_pending_age_seconds``,
  ``editorial_outbox_failed_messages``: read from the database at each scrape (reviewboard.selectors);
- ``editorial_celery_task_duration_seconds{task,state}``, ``editorial_celery_task_failures_total{task}``: in the
  worker, served on ``CELERY_METRICS_PORT`` (bound to ``CELERY_METRICS_ADDRESS``, 127.0.0.1 by default).

Several processes on a host (gunicorn's workers, Celery's pool) share their counts through prometheus_client's
multiprocess mode: set ``PROMETHEUS_MULTIPROC_DIR`` to an empty directory per service, emptied at each start.
"""

import functools
import hmac
import ipaddress
import logging
import os
import time
from types import SimpleNamespace

from django.conf import settings
from django.http import Http404, HttpResponse
from django.urls import Resolver404, resolve
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from articles.followups import client_address
from articles.replica import reader_database_chosen

logger = logging.getLogger(__name__)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
TASK_BUCKETS = (0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0)


def enabled() -> bool:
    """Return whether metrics are on: a token or allowed networks are configured."""
    return bool(getattr(settings, "METRICS_TOKEN", "") or getattr(settings, "METRICS_ALLOWED_NETWORKS", ()))


@functools.cache
def series() -> SimpleNamespace:
    """Return this process's series, created on first use (prometheus_client is imported only then)."""
    from prometheus_client import Counter, Histogram

    return SimpleNamespace(
        request_seconds=Histogram(
            "editorial_http_request_duration_seconds",
            "Time to answer an HTTP request, by view (URL name), method and status class.",
            ["view", "method", "status"],
            buckets=LATENCY_BUCKETS,
        ),
        reader_reads=Counter(
            "editorial_reader_reads_total",
            "Anonymous readers' requests that read the database, by the database they read.",
            ["database"],
        ),
        task_seconds=Histogram(
            "editorial_celery_task_duration_seconds",
            "Time a Celery task ran, by task name and final state.",
            ["task", "state"],
            buckets=TASK_BUCKETS,
        ),
        task_failures=Counter(
            "editorial_celery_task_failures_total", "Celery task runs that raised, by task name.", ["task"]
        ),
    )


# Requests


@functools.lru_cache(maxsize=2048)
def view_name(path: str, urlconf: str | None) -> str:
    """Return the URL name a path resolves to (a bounded set of labels), for answers given before resolving."""
    try:
        match = resolve(path, urlconf)
    except Resolver404:
        return "<not found>"
    return match.view_name


class RequestMetricsMiddleware:
    """Time every request, labelled by the view that answered it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        elapsed = time.perf_counter() - started
        match = getattr(request, "resolver_match", None)
        # A cached article page is answered before URL resolution (articles.middleware): resolve it here, memoised.
        view = match.view_name if match is not None else view_name(request.path_info, getattr(request, "urlconf", None))
        status = f"{response.status_code // 100}xx"
        series().request_seconds.labels(view, request.method, status).observe(elapsed)
        return response


def _count_reader_read(sender, database: str, **kwargs) -> None:
    if enabled():
        series().reader_reads.labels(database).inc()


reader_database_chosen.connect(_count_reader_read, dispatch_uid="config-metrics-reader-reads")


# The endpoint


def _allowed(request) -> bool:
    token = getattr(settings, "METRICS_TOKEN", "")
    offered = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(offered.encode(), f"Bearer {token}".encode()):
        return True
    networks = getattr(settings, "METRICS_ALLOWED_NETWORKS", ())
    if not networks:
        return False
    try:
        address = ipaddress.ip_address(client_address(request))
    except ValueError:
        return False
    return any(address in ipaddress.ip_network(network, strict=False) for network in networks)


@never_cache
@require_safe
def endpoint(request):
    """Answer Prometheus's scrape: this host's process series and the workflow's gauges; 404 when off or refused."""
    if not enabled() or not _allowed(request):
        raise Http404  # not 403: nothing tells a stranger there is an endpoint here
    from prometheus_client import CONTENT_TYPE_LATEST

    series()  # so that a fresh process shows its series (empty) rather than none
    return HttpResponse(exposition(workflow=True), content_type=CONTENT_TYPE_LATEST)


def exposition(*, workflow: bool) -> bytes:
    """Return the text exposition of this process's (or, in multiprocess mode, this host's) series."""
    from prometheus_client import REGISTRY, CollectorRegistry, generate_latest, multiprocess

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    text = generate_latest(registry)
    if workflow:
        gauges = CollectorRegistry()
        gauges.register(WorkflowCollector())
        text += generate_latest(gauges)
    return text


class WorkflowCollector:
    """The workflow's state, read from the database at each scrape: nothing to keep in step between processes."""

    def collect(self):
        from prometheus_client.core import GaugeMetricFamily

        from reviewboard.selectors import operations_snapshot

        snapshot = operations_snapshot()
        articles = GaugeMetricFamily("editorial_articles", "Articles in each workflow state.", labels=["state"])
        for state, count in snapshot.articles_per_state.items():
            articles.add_metric([state], count)
        yield articles
        yield GaugeMetricFamily(
            "editorial_reviews_past_due",
            "Open review assignments (invited or accepted) past their due date.",
            value=snapshot.reviews_past_due,
        )
        yield GaugeMetricFamily(
            "editorial_outbox_oldest_pending_age_seconds",
            "Age of the oldest outbox event not yet relayed (0 when none is pending).",
            value=snapshot.oldest_pending_event_age_seconds,
        )
        yield GaugeMetricFamily(
            "editorial_outbox_failed_messages",
            "Email messages not sent yet whose last attempt failed.",
            value=snapshot.failed_messages,
        )


# Celery (called from config.celery's signal receivers)


def task_finished(*, task: str, state: str, seconds: float) -> None:
    """Record how long a task ran and how it ended."""
    if enabled():
        series().task_seconds.labels(task, state).observe(seconds)


def task_failed(*, task: str) -> None:
    """Count a task run that raised."""
    if enabled():
        series().task_failures.labels(task).inc()


def serve_worker_metrics(**kwargs) -> None:
    """Serve the worker's series on CELERY_METRICS_PORT, if set (Celery's worker_ready, in the main process)."""
    port = getattr(settings, "CELERY_METRICS_PORT", None)
    if not port or not enabled():
        return
    from prometheus_client import REGISTRY, CollectorRegistry, multiprocess, start_http_server

    registry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    series()
    start_http_server(int(port), addr=getattr(settings, "CELERY_METRICS_ADDRESS", "127.0.0.1"), registry=registry)
    logger.info("worker metrics on %s:%s", getattr(settings, "CELERY_METRICS_ADDRESS", "127.0.0.1"), port)
