"""The settings module under each environment, each in a fresh interpreter (settings load once per process)."""

import json
import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
MANAGE = str(BASE_DIR / "manage.py")

PRINT_SETTINGS = """
import json
from django.conf import settings
print(json.dumps({
    "DEBUG": settings.DEBUG,
    "ENGINE": settings.DATABASES["default"]["ENGINE"],
    "DB_NAME": str(settings.DATABASES["default"]["NAME"]),
    "CACHE_BACKEND": settings.CACHES["default"]["BACKEND"],
    "CACHE_LOCATION": settings.CACHES["default"].get("LOCATION", ""),
    "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
    "CELERY_TASK_ALWAYS_EAGER": settings.CELERY_TASK_ALWAYS_EAGER,
    "SECRET_KEY": settings.SECRET_KEY,
    "SESSION_COOKIE_SECURE": settings.SESSION_COOKIE_SECURE,
}))
"""


def _secret_key():
    alphabet = string.ascii_letters + string.digits + "!@#%^&*(-_=+)"
    return "".join(secrets.choice(alphabet) for _ in range(60))


def _run(*args, **env):
    """Run manage.py with only ``env`` (plus PATH/HOME) set, so the test run's own settings do not leak in."""
    clean = {key: os.environ[key] for key in ("PATH", "HOME", "LANG", "SYSTEMROOT") if key in os.environ}
    clean["DJANGO_SETTINGS_MODULE"] = "config.settings"
    clean.update(env)
    return subprocess.run(  # noqa: S603 - fixed argv, no shell
        [sys.executable, MANAGE, *args], cwd=BASE_DIR, env=clean, capture_output=True, text=True, timeout=120
    )


def _settings(**env):
    result = _run("shell", "-c", PRINT_SETTINGS, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


DB_PATH = "/tmp/x.sqlite3"  # noqa: S108 - never opened: check --deploy does not touch the database

PRODUCTION = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "example.org",
    "DATABASE_URL": f"sqlite:///{DB_PATH}",
}


def test_production_profile_passes_check_deploy_without_warnings():
    result = _run("check", "--deploy", "--fail-level", "WARNING", SECRET_KEY=_secret_key(), **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_production_profile_without_secret_key_fails():
    result = _run("check", "--deploy", **PRODUCTION)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_profile_is_hardened():
    values = _settings(SECRET_KEY=_secret_key(), **PRODUCTION)
    assert values["DEBUG"] is False
    assert values["SESSION_COOKIE_SECURE"] is True
    assert values["DB_NAME"] == DB_PATH


def test_development_profile_with_nothing_set():
    values = _settings()
    assert values["DEBUG"] is True
    assert values["ENGINE"] == "django.db.backends.sqlite3"
    assert values["CACHE_BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert values["CELERY_TASK_ALWAYS_EAGER"] is True
    assert values["CELERY_BROKER_URL"] == "memory://"
    assert values["SECRET_KEY"].startswith("django-insecure-")


def test_development_profile_fails_check_deploy():
    result = _run("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W018" in result.stdout + result.stderr  # DEBUG on


def test_postgres_url_selects_postgresql():
    values = _settings(DATABASE_URL="postgres://user:pw@db.example:5432/editorial")
    assert values["ENGINE"] == "django.db.backends.postgresql"
    assert values["DB_NAME"] == "editorial"


def test_redis_url_gives_a_redis_cache_on_another_database_than_the_broker():
    values = _settings(REDIS_URL="redis://127.0.0.1:6379/3")
    assert values["CACHE_BACKEND"] == "config.cache.FailOpenRedisCache"  # django-redis, failing open
    assert values["CELERY_TASK_ALWAYS_EAGER"] is False
    cache_host, cache_db = values["CACHE_LOCATION"].rsplit("/", 1)
    broker_host, broker_db = values["CELERY_BROKER_URL"].rsplit("/", 1)
    assert cache_host == broker_host == "redis://127.0.0.1:6379"
    assert cache_db != broker_db


def test_redis_url_without_database_number():
    values = _settings(REDIS_URL="redis://127.0.0.1:6379")
    assert values["CACHE_LOCATION"] == "redis://127.0.0.1:6379/1"
    assert values["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/0"


def test_redis_url_with_trailing_slash():
    values = _settings(REDIS_URL="redis://127.0.0.1:6379/")
    assert values["CACHE_LOCATION"] == "redis://127.0.0.1:6379/1"
    assert values["CELERY_BROKER_URL"] == "redis://127.0.0.1:6379/0"


def test_a_replica_needs_postgresql_and_redis_and_installs_the_router():
    replica = "postgres://reader@127.0.0.1:5443/editorial"
    on_sqlite = _run("check", DATABASE_URL=f"sqlite:///{DB_PATH}", DATABASE_REPLICA_URL=replica)
    assert on_sqlite.returncode != 0 and "DATABASE_REPLICA_URL needs PostgreSQL" in on_sqlite.stderr
    primary = "postgres://editorial@127.0.0.1:5442/editorial"
    without_redis = _run("check", DATABASE_URL=primary, DATABASE_REPLICA_URL=replica)
    assert without_redis.returncode != 0 and "needs REDIS_URL" in without_redis.stderr
    shown = _run(
        "shell",
        "-c",
        "import json; from django.conf import settings as s; r = s.DATABASES['replica']; "
        "same = r['OPTIONS'] == s.DATABASES['default']['OPTIONS']; "
        "print(json.dumps([s.DATABASE_ROUTERS, r['PORT'], r['TEST']['MIRROR'], same]))",
        DATABASE_URL=primary,
        DATABASE_REPLICA_URL=replica,
        REDIS_URL="redis://127.0.0.1:1/0",
    )
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout.strip().splitlines()[-1]) == [
        ["articles.replica.ReaderReplicaRouter"],
        5443,
        "default",
        True,
    ]
