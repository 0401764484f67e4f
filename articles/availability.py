"""What an outage looks like to the code, and the one policy for each store (docs/operations.md, "Outages").

- Redis (the cache) is an optimisation and a counter: when it cannot be reached, throttles and rate limits
  fail open with a warning in the log, the reader cache is skipped, and nothing answers 500.
- PostgreSQL is the record: when it cannot be reached, the error handler (``config.errors``) answers 503 with
  ``Retry-After``, except that fresh or stale cached reader pages keep serving.
"""

from django.db import InterfaceError, OperationalError


def cache_unavailable(error: BaseException) -> bool:
    """Return whether a cache call's exception means Redis could not be reached (refused, timed out, reset, gone).

    redis-py's ``RedisError`` is recognised by its name, not imported: the embedded default has no Redis, and
    importing redis-py loads its OpenTelemetry support whenever that package is installed.
    """
    return isinstance(error, OSError) or any(
        cls.__name__ == "RedisError" and cls.__module__ == "redis.exceptions" for cls in type(error).__mro__
    )


# A query that raises one of these found the database unreachable (refused, timed out, or the connection dropped).
DATABASE_UNAVAILABLE: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
