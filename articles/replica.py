"""Anonymous readers' reads on a streaming replica, never behind what readers must be shown.

With ``DATABASE_REPLICA_URL`` set (config.settings), the router below sends one kind of read to the replica: an
anonymous reader's GET or HEAD of a view marked ``reader_reads`` (article pages, the list and search, the feed, the
sitemap, the public API). Everything else reads and writes the primary: signed-in people and API clients (so whoever
acted reads the result of their action), every write, tasks and commands.

Lag must never publish early or cache stale, so the replica is used only while it has replayed every change readers
can see. After such a change commits, ``advance_watermark`` records the primary's WAL position in Redis (raised,
never lowered); a reader request reads the replica only if the replica's replay position has reached that mark, and
the primary otherwise. The order makes the reader cache safe too (articles.cache): the writer raises the watermark
before it bumps the page's generation, and a reader reads the generation before the watermark; so a render stored
under the new generation read a database that holds the change, and one that read an older database is stored
under a generation already retired. Why this and not a delay or a sticky cookie: docs/operations.md.
"""

import contextvars
import functools
import logging
import os
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.backends.signals import connection_created
from django.dispatch import Signal

from articles import cache as reader_cache

logger = logging.getLogger(__name__)

REPLICA = "replica"
WATERMARK_KEY = "reader:replica:watermark"
DEFAULT_RETRY_SECONDS = 5.0

# Positions are bigints (bytes of WAL); kept in Redis as 16 hex digits so that comparing the strings compares them.
_RAISE_WATERMARK = """
local current = redis.call('GET', KEYS[1])
if (not current) or ARGV[1] > current then
  redis.call('SET', KEYS[1], ARGV[1])
  return ARGV[1]
end
return current
"""
# The insert position: past every record written, the commit's included, whatever synchronous_commit says.
_PRIMARY_POSITION = "SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint"
# A server not in recovery (a promoted replica, or the primary itself in tests) holds everything it has written.
_REPLAYED_POSITION = (
    "SELECT (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() ELSE pg_current_wal_insert_lsn() END"
    " - '0/0'::pg_lsn)::bigint"
)


@dataclass
class _ReaderRequest:
    """An anonymous reader's request, and the database its reads go to once decided (once per request)."""

    alias: str | None = None


# Sent once per reader request that reads the database, with ``database`` (the alias): config.metrics counts them.
reader_database_chosen = Signal()

_reader_request: contextvars.ContextVar[_ReaderRequest | None] = contextvars.ContextVar("reader_request", default=None)


class _ProcessState(threading.local):
    """Per thread, as Django's connections are: what this thread saw of the replica."""

    def __init__(self):
        self.replayed = -1  # the highest replay position read on the current replica connection
        self.unreachable_until = 0.0  # monotonic time before which the replica is not asked again


_state = _ProcessState()


def replica_configured() -> bool:
    """Return whether a replica database is configured."""
    return REPLICA in connections


def is_anonymous_read(request) -> bool:
    """Return whether ``request`` is a read by someone not signed in: no session cookie, no API credentials."""
    if request.method not in ("GET", "HEAD") or "HTTP_AUTHORIZATION" in request.META:
        return False
    return reader_cache.is_anonymous(request)


def reader_reads(view):
    """Mark ``view`` as one that shows only approved content: an anonymous reader's reads in it may use the replica.

    Only the view's own work is covered; anything rendered after it returns (a lazy template response) reads the
    primary, which is always safe.
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_anonymous_read(request):
            return view(request, *args, **kwargs)
        token = _reader_request.set(_ReaderRequest())
        try:
            return view(request, *args, **kwargs)
        finally:
            _reader_request.reset(token)

    return wrapper


class ReaderReplicaRouter:
    """Send an anonymous reader's reads to the replica while it is current; everything else to the primary."""

    def db_for_read(self, model, **hints):
        reader = _reader_request.get()
        if reader is None:
            return DEFAULT_DB_ALIAS
        if connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS  # inside a transaction on the primary: read what it is writing
        if reader.alias is None:
            # Decided at the request's first read, after the reader cache's lookup (see the module's docstring).
            reader.alias = REPLICA if replica_is_current() else DEFAULT_DB_ALIAS
            reader_database_chosen.send(sender=type(self), database=reader.alias)
        return reader.alias

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def replica_is_current() -> bool:
    """Return whether the replica has replayed every change readers can see (the watermark); False if unknown."""
    if time.monotonic() < _state.unreachable_until:
        return False
    try:
        watermark = _watermark()
    except Exception:  # Redis down: nothing says how far the replica must be, so the primary answers
        logger.warning("replica watermark unavailable; reading the primary", exc_info=True)
        return False
    if watermark <= _state.replayed:
        return True  # replay positions only grow: no need to ask the replica again
    try:
        with connections[REPLICA].cursor() as cursor:
            cursor.execute(_REPLAYED_POSITION)
            replayed = cursor.fetchone()[0]
    except DatabaseError:
        logger.warning("replica unreachable; reading the primary", exc_info=True)
        _state.unreachable_until = time.monotonic() + _retry_seconds()
        connections[REPLICA].close_if_unusable_or_obsolete()
        return False
    if replayed is not None:
        _state.replayed = max(_state.replayed, replayed)
    return watermark <= _state.replayed


def advance_watermark() -> None:
    """Raise the watermark to the primary's WAL position. Call after a change readers can see has committed."""
    if not replica_configured():
        return
    try:
        position = primary_position()
        _raise_script()(keys=[WATERMARK_KEY], args=[_encoded(position)])
    except Exception:
        # Without the mark, readers must not trust the replica: a missing mark is set anew from the primary's position.
        logger.error("could not raise the replica watermark; clearing it", exc_info=True)
        try:
            _redis().delete(WATERMARK_KEY)
        except Exception:
            logger.error("could not clear the replica watermark", exc_info=True)


def primary_position() -> int:
    """Return the primary's current WAL position, in bytes."""
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute(_PRIMARY_POSITION)
        return cursor.fetchone()[0]


def _watermark() -> int:
    """Return the watermark; a missing one (never set, evicted, cleared) starts at the primary's position."""
    client = _redis()
    value = client.get(WATERMARK_KEY)
    if value is None:
        client.set(WATERMARK_KEY, _encoded(primary_position()), nx=True)
        value = client.get(WATERMARK_KEY)
    return int(value, 16)


def _encoded(position: int) -> str:
    return f"{position:016x}"


def _retry_seconds() -> float:
    return float(getattr(settings, "REPLICA_RETRY_SECONDS", DEFAULT_RETRY_SECONDS))


# (process id, URL, client, script): a forked process makes its own client rather than share its parent's connections.
_client: tuple = (None, None, None, None)


def _redis():
    return _client_and_script()[0]


def _raise_script():
    return _client_and_script()[1]


def _client_and_script():
    global _client
    url = settings.REPLICA_WATERMARK_URL
    pid, client_url, client, script = _client
    if pid != os.getpid() or client_url != url:
        import redis  # only with a replica configured, which needs Redis

        timeout = float(getattr(settings, "REDIS_SOCKET_TIMEOUT", 2.0))
        client = redis.Redis.from_url(url, socket_timeout=timeout, socket_connect_timeout=timeout)
        script = client.register_script(_RAISE_WATERMARK)
        _client = (os.getpid(), url, client, script)
    return client, script


def _forget_replayed(sender, connection, **kwargs):
    """A new connection may reach another server behind the same address: what an old one saw no longer holds."""
    if connection.alias == REPLICA:
        _state.replayed = -1


connection_created.connect(_forget_replayed, dispatch_uid="articles-replica-forget-replayed")
