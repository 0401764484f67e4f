"""The reader cache's nearest copy: the pages a web process served from Redis, kept in its own memory.

A cached page read from Redis costs a round trip and the unpickling of the page (about a third of what a cache hit
costs); this keeps a copy of each page served in the process, served without either, for as long as nothing
retires it. What retires it is what retires the page in Redis (articles.cache.invalidate_articles): in the process
that made the change, at once; in every other process, on every node, through a message on a Redis channel that a
thread of each process listens to. The copies are used only while that thread is subscribed and has heard from
Redis within LISTENER_SILENCE_SECONDS; a process that may have missed a message (the connection dropped, Redis
restarted) forgets every copy first. A copy is put only if no message arrived since the Redis read it comes from,
so one read before an invalidation is never kept after it; and it still expires with the page's freshness.

The window this leaves is the one the Redis cache has too: a reader whose request is answered in the moment
between a change's commit and the message reaching the process (microseconds on one machine, a network hop
between nodes) sees the page as it was a moment before, which was approved. Used only with Redis as the cache
(config.cache); with the embedded default the cache is already in the process's memory.
"""

import collections
import logging
import os
import threading
import time

from django.conf import settings

logger = logging.getLogger(__name__)

CHANNEL = "reader:retired"
DEFAULT_LOCAL_PAGES = 256
# The listener pings Redis when it heard nothing for this long, and the copies are not used once it heard nothing
# for LISTENER_SILENCE_SECONDS: a connection that died without a word stops them within that time.
PING_SECONDS = 2.0
LISTENER_SILENCE_SECONDS = 6.0
RECONNECT_SECONDS = 1.0


def capacity() -> int:
    """Return how many pages each process keeps (READER_LOCAL_PAGES); 0 turns the copies off."""
    return int(getattr(settings, "READER_LOCAL_PAGES", DEFAULT_LOCAL_PAGES))


def available() -> bool:
    """Return whether the cache is on Redis through django-redis, whose connection the listener subscribes with."""
    from django.core.cache import caches

    from config.cache import FailOpenRedisCache

    return isinstance(caches["default"], FailOpenRedisCache)


class LocalPages:
    """The copies of one process, with the count of retirements heard (``epoch``) and the listener's health."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pages: collections.OrderedDict[str, object] = collections.OrderedDict()
        self.epoch = 0
        self.heard_at = 0.0  # monotonic time the listener last heard from Redis; 0 while not subscribed
        self._listener_pid = 0

    def usable(self) -> bool:
        return self.heard_at > 0 and time.monotonic() - self.heard_at < LISTENER_SILENCE_SECONDS

    def get(self, key: str):
        """Return the copy kept under ``key``, or None while the listener is not known to be hearing Redis."""
        if not self.usable():
            return None
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: str, page, *, epoch: int) -> None:
        """Keep ``page`` under ``key`` if nothing was retired since ``epoch`` was read (before the page was)."""
        size = capacity()
        if size <= 0:
            return
        with self._lock:
            if epoch != self.epoch or not self.usable():
                return
            self._pages[key] = page
            self._pages.move_to_end(key)
            while len(self._pages) > size:
                self._pages.popitem(last=False)

    def forget_all(self) -> None:
        """Drop every copy and move the epoch on, so that a copy read before now is not put either."""
        with self._lock:
            self._pages.clear()
            self.epoch += 1

    def heard(self) -> None:
        self.heard_at = time.monotonic()

    def lost(self) -> None:
        """The listener may have missed a message: stop using copies and drop them."""
        self.heard_at = 0.0
        self.forget_all()

    def ensure_listener(self) -> None:
        """Start this process's listener if it has none: a worker forked from a parent that had one has no thread."""
        if self._listener_pid == os.getpid():
            return
        with self._lock:
            if self._listener_pid == os.getpid():
                return
            self._listener_pid = os.getpid()
            self.heard_at = 0.0
            self._pages.clear()
            self.epoch += 1
        if capacity() > 0 and available():
            threading.Thread(target=_listen, args=(self,), name="reader-pages-listener", daemon=True).start()


_copies = LocalPages()


def get(key: str):
    """Return this process's copy of the page kept under ``key``, or None; starts the listener on first use."""
    _copies.ensure_listener()
    return _copies.get(key)


def listening() -> bool:
    """Return whether this process's copies are in use: its listener is subscribed and heard Redis lately."""
    return _copies.usable()


def epoch() -> int:
    """Return the count of retirements this process heard: read it before the Redis read whose page is ``put``."""
    return _copies.epoch


def put(key: str, page, *, epoch: int) -> None:
    _copies.put(key, page, epoch=epoch)


def forget_all() -> None:
    """Drop this process's copies (a test that empties the cache calls it too)."""
    _copies.forget_all()


def retired() -> None:
    """Tell every process that reader pages were retired: this one at once, the others through Redis."""
    _copies.forget_all()
    if not available():
        return
    try:
        _client().publish(CHANNEL, b"retired")
    except Exception:
        # The others keep their copies until the listener's silence or the page's freshness ends them.
        logger.error("could not tell the other processes that reader pages were retired", exc_info=True)


def _client():
    from django_redis import get_redis_connection

    return get_redis_connection("default")


def _listen(pages: LocalPages) -> None:
    """Listen for retirements on CHANNEL for as long as the process lives; reconnect after any failure."""
    while True:
        pubsub = None
        try:
            pubsub = _client().pubsub()
            pubsub.subscribe(CHANNEL)
            _receive(pubsub, pages)
        except Exception as error:
            logger.warning("reader pages listener lost Redis (%s): copies unused until it is back", error)
        finally:
            pages.lost()
            if pubsub is not None:
                try:
                    pubsub.close()
                except Exception:  # closing a connection already lost
                    logger.debug("closing the listener's connection failed", exc_info=True)
        time.sleep(RECONNECT_SECONDS)


def _receive(pubsub, pages: LocalPages) -> None:
    pinged_at = time.monotonic()
    while True:
        message = pubsub.get_message(timeout=PING_SECONDS / 2)
        now = time.monotonic()
        if message is None:
            if now - pinged_at >= PING_SECONDS:
                pubsub.ping()
                pinged_at = now
            continue
        kind = message["type"]
        if kind == "message":
            pages.forget_all()
        elif kind == "subscribe":
            pages.forget_all()  # anything kept before the subscription may have missed a message
        pages.heard()  # a message, the subscription or a pong: the connection is alive
