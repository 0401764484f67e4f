"""What an outage looks like to the code, and the one policy for each store (docs/operations.md, "Outages").

- Redis (the cache) is an optimisation and a counter: when it cannot be reached, throttles and rate limits
  fail open with a warning in the log, the reader cache is skipped, and nothing answers 500.
- PostgreSQL is the record: when it cannot be reached, one middleware (``config.outage``) answers 503 with
  ``Retry-After``, except that fresh or stale cached reader pages keep serving.
"""

from django.db import InterfaceError, OperationalError
from redis.exceptions import RedisError

# A cache call that raises one of these found Redis unreachable (refused, timed out, reset, or gone mid-reply).
CACHE_UNAVAILABLE: tuple[type[BaseException], ...] = (RedisError, OSError)

# A query that raises one of these found the database unreachable (refused, timed out, or the connection dropped).
DATABASE_UNAVAILABLE: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)
