"""Health endpoints for the load balancer and the orchestrator.

``/healthz`` (liveness): the process answers; touches nothing else, so a database outage does not
get every web process restarted. ``/readyz`` (readiness): the database answers a ``SELECT 1``
and, when Redis is configured, the cache stores and returns a value; 503 when either fails.
Neither needs a login, neither is ever cached, and a failure names only the check that failed:
the exception goes to the log, never to the response.
"""

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

OK = "ok"
FAILED = "error"
CACHE_KEY_PREFIX = "health:readyz:"


def _timeout() -> float:
    return float(getattr(settings, "HEALTH_CHECK_TIMEOUT", 2.0))


def check_database() -> None:
    """Run ``SELECT 1``; on PostgreSQL under a statement timeout so a stuck server fails fast."""
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT set_config('statement_timeout', %s, true)", [f"{int(_timeout() * 1000)}ms"])
        cursor.execute("SELECT 1")
        row = cursor.fetchone()
    if row is None or row[0] != 1:
        raise RuntimeError("SELECT 1 did not return 1")


def check_cache() -> None:
    """Store a unique value in the cache and read it back."""
    key = f"{CACHE_KEY_PREFIX}{uuid.uuid4().hex}"
    value = uuid.uuid4().hex
    cache.set(key, value, timeout=max(1, int(_timeout()) + 1))
    try:
        if cache.get(key) != value:
            raise RuntimeError("the cache did not return the value it was given")
    finally:
        cache.delete(key)


def readiness_checks() -> dict:
    """Return the checks /readyz runs, by name: the database always, the cache when Redis is set."""
    checks = {"database": check_database}
    if getattr(settings, "REDIS_URL", ""):
        checks["cache"] = check_cache
    return checks


def _run(name: str, check) -> str:
    try:
        check()
    except Exception:
        # Anything at all: a readiness probe answers 503, never 500. The log has the details.
        logger.exception("readiness check %s failed", name, extra={"check": name})
        if name == "database":
            # Drop a broken connection so the next request opens a fresh one.
            connection.close_if_unusable_or_obsolete()
        return FAILED
    return OK


@never_cache
@require_safe
def liveness(request):
    """Answer 200 while the process can serve a request."""
    return JsonResponse({"status": OK})


@never_cache
@require_safe
def readiness(request):
    """Answer 200 when the database (and Redis, if configured) answer; 503 with the failed check otherwise."""
    results = {name: _run(name, check) for name, check in readiness_checks().items()}
    healthy = all(result == OK for result in results.values())
    return JsonResponse({"status": OK if healthy else FAILED, "checks": results}, status=200 if healthy else 503)
