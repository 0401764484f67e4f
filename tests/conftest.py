import pytest
from django.db import connection

from tests import factories


def pytest_collection_modifyitems(config, items):
    """Skip PostgreSQL-only and Redis-only tests where those services are not configured."""
    from django.conf import settings

    on_postgres = settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    skip_pg = pytest.mark.skip(reason="needs PostgreSQL: run with DATABASE_URL=postgres://... (the CI's second run)")
    skip_redis = pytest.mark.skip(reason="needs Redis: run with REDIS_URL=redis://... (the CI's second run)")
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not settings.REDIS_URL:
            item.add_marker(skip_redis)


@pytest.fixture
def neurology(db):
    return factories.SpecialtyFactory(name="Neurology", slug="neurology")


@pytest.fixture
def author(db):
    return factories.AuthorFactory(username="author")


@pytest.fixture
def editor(db):
    return factories.EditorFactory(username="editor")


@pytest.fixture
def article(author, neurology):
    """A draft article in neurology with one valid revision."""
    return factories.ArticleFactory(authors=[author], specialty=neurology)


@pytest.fixture
def board(neurology):
    """Three active board members; the first two in neurology."""
    cardiology = factories.SpecialtyFactory(name="Cardiology", slug="cardiology")
    return [
        factories.BoardMemberFactory(user__username="neuro1", specialties=[neurology]),
        factories.BoardMemberFactory(user__username="neuro2", specialties=[neurology]),
        factories.BoardMemberFactory(user__username="cardio", specialties=[cardiology]),
    ]


@pytest.fixture
def on_postgres():
    return connection.vendor == "postgresql"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Start every test with an empty cache: reader pages, throttles and rate limits live there."""
    from django.core.cache import cache

    from articles import local_pages

    cache.clear()
    local_pages.forget_all()  # the web process's copies of reader pages (Redis only) go with the cache


@pytest.fixture(autouse=True)
def _nudges_resume():
    """A broker failure in one test does not pause the relay's nudges in the next (reviewboard.events)."""
    from reviewboard import events

    events.resume_nudges()
    yield
    events.resume_nudges()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def published(article):
    """The ``article`` fixture with its revision approved, as readers see it."""
    return factories.publish(article)


@pytest.fixture
def admin_user(db):
    """pytest-django's superuser, with the second factor every admin must have (tests.factories)."""
    return factories.UserFactory(username="admin", is_staff=True, is_superuser=True, password="password")
