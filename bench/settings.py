"""The production settings plus the benchmark's floor view (``/bench/floor/``), for ``bench/web.py``.

Everything else comes from the environment exactly as in production (``config.settings``); the
harness's second server sets ``READER_CACHE_SECONDS=0`` to measure the pages uncached.
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
