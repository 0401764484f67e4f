"""The cache backend on a real Redis (config.cache): one client kept per process, and Django's timeout rules."""

import os

import pytest
from django.core.cache import caches
from django_redis import get_redis_connection

pytestmark = pytest.mark.redis

CACHE_URL = os.environ.get("CACHE_URL", "")


@pytest.fixture
def redis_cache(settings):
    if not CACHE_URL.startswith("redis://"):
        pytest.skip("needs CACHE_URL on Redis")
    settings.CACHES = {"default": {"BACKEND": "config.cache.FailOpenRedisCache", "LOCATION": CACHE_URL, "TIMEOUT": 120}}
    cache = caches["default"]
    yield cache
    cache.delete_many(["backend:default", "backend:never", "backend:client"])


def test_a_value_set_without_a_timeout_expires_after_the_default_one(redis_cache):
    redis_cache.set("backend:default", "x")
    redis_cache.set("backend:never", "x", timeout=None)
    assert 110 < redis_cache.ttl("backend:default") <= 120
    assert redis_cache.ttl("backend:never") is None  # None is "never expires", as Django defines it


def test_every_operation_reuses_one_redis_client(redis_cache):
    redis_cache.set("backend:client", 1)
    first = get_redis_connection("default")
    redis_cache.get_many(["backend:client", "backend:default"])
    redis_cache.incr("backend:client")
    assert get_redis_connection("default") is first
    assert redis_cache.get("backend:client") == 2
