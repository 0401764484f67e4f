"""scripts/backup.sh and scripts/restore.sh: a dump of the live database restores into a fresh one, row for row."""

import os
import shutil
import subprocess
import uuid
from io import StringIO
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection

from articles.models import Article, Reference, Revision
from reviewboard.management.commands.load_demo import MYOCLONUS_SLUG
from reviewboard.models import Review, ReviewAssignment, TransitionLogEntry

BASE_DIR = Path(__file__).resolve().parent.parent
BACKUP = BASE_DIR / "scripts" / "backup.sh"
RESTORE = BASE_DIR / "scripts" / "restore.sh"
SCRATCH_PREFIX = "harden_restore_"  # never collides with another test run's database


def _url(name: str) -> str:
    conf = connection.settings_dict
    credentials = quote(conf["USER"] or "postgres", safe="")
    if conf["PASSWORD"]:
        credentials += ":" + quote(conf["PASSWORD"], safe="")
    return f"postgres://{credentials}@{conf['HOST'] or '127.0.0.1'}:{conf['PORT'] or 5432}/{name}"


def _psycopg_connect(name: str):
    import psycopg

    conf = connection.settings_dict
    return psycopg.connect(
        dbname=name,
        user=conf["USER"] or "postgres",
        password=conf["PASSWORD"] or None,
        host=conf["HOST"] or "127.0.0.1",
        port=conf["PORT"] or 5432,
        autocommit=True,
        connect_timeout=10,
    )


def _bash(*argv: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - fixed argv, no shell
        ["/bin/bash", *argv], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def scratch_database():
    """A fresh, empty database on the test server; dropped afterwards."""
    name = f"{SCRATCH_PREFIX}{uuid.uuid4().hex[:12]}"
    with _psycopg_connect("postgres") as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with _psycopg_connect("postgres") as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


COUNTED = [Article, Revision, Reference, ReviewAssignment, Review, TransitionLogEntry]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_into_a_fresh_database_keeps_every_row_and_the_approved_revision(
    tmp_path, scratch_database
):
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump/pg_restore not installed (Debian: postgresql-client)")
    call_command("load_demo", stdout=StringIO())
    article = Article.objects.select_related("approved_revision").get(slug=MYOCLONUS_SLUG)
    assert article.approved_revision is not None
    expected = {model._meta.db_table: model.objects.count() for model in COUNTED}
    assert all(expected.values()), expected

    dump = tmp_path / "nested" / "editorial.dump"
    env = {**os.environ, "DATABASE_URL": _url(connection.settings_dict["NAME"])}
    backup = _bash(str(BACKUP), str(dump), env=env)
    assert backup.returncode == 0, backup.stderr
    assert backup.stdout.strip().endswith("editorial.dump")
    assert dump.stat().st_size > 0
    assert not dump.with_name("editorial.dump.partial").exists()

    restore = _bash(str(RESTORE), str(dump), _url(scratch_database))
    assert restore.returncode == 0, restore.stderr

    with _psycopg_connect(scratch_database) as restored:
        counts = {
            table: restored.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608 - model tables
            for table in expected
        }
        approved = restored.execute(
            f'SELECT a.approved_revision_id, r.number, r.title FROM "{Article._meta.db_table}" a '  # noqa: S608
            f'JOIN "{Revision._meta.db_table}" r ON r.id = a.approved_revision_id WHERE a.slug = %s',
            [MYOCLONUS_SLUG],
        ).fetchone()
        migrations = restored.execute("SELECT count(*) FROM django_migrations").fetchone()[0]
    assert counts == expected
    assert approved == (article.approved_revision_id, article.approved_revision.number, article.approved_revision.title)
    assert migrations > 0  # the schema's history came along: `migrate` on it is a no-op


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_restore_over_a_database_replaces_its_rows(tmp_path, scratch_database):
    if not (shutil.which("pg_dump") and shutil.which("pg_restore")):
        pytest.skip("pg_dump/pg_restore not installed (Debian: postgresql-client)")
    call_command("load_demo", stdout=StringIO())
    env = {**os.environ, "DATABASE_URL": _url(connection.settings_dict["NAME"])}
    dump = tmp_path / "first.dump"
    assert _bash(str(BACKUP), str(dump), env=env).returncode == 0
    assert _bash(str(RESTORE), str(dump), _url(scratch_database)).returncode == 0
    table = Article._meta.db_table
    with _psycopg_connect(scratch_database) as restored:
        restored.execute(f'UPDATE "{table}" SET slug = %s WHERE slug = %s', ["changed", MYOCLONUS_SLUG])  # noqa: S608
        restored.execute(f'DELETE FROM "{table}" WHERE approved_revision_id IS NULL AND current_revision_id IS NULL')  # noqa: S608
    second = _bash(str(RESTORE), str(dump), _url(scratch_database))
    assert second.returncode == 0, second.stderr
    with _psycopg_connect(scratch_database) as restored:
        slugs = {row[0] for row in restored.execute(f'SELECT slug FROM "{table}"')}  # noqa: S608
    assert slugs == set(Article.objects.values_list("slug", flat=True))


def test_backup_refuses_without_a_postgresql_database_url(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URL": "sqlite:///db.sqlite3"}
    result = _bash(str(BACKUP), str(tmp_path / "x.dump"), env=env)
    assert result.returncode == 2
    assert "PostgreSQL" in result.stderr
    assert not (tmp_path / "x.dump").exists()


def test_restore_needs_an_explicit_target(tmp_path):
    dump = tmp_path / "x.dump"
    dump.write_bytes(b"")
    result = _bash(str(RESTORE), str(dump))
    assert result.returncode == 2
    assert "usage" in result.stderr
