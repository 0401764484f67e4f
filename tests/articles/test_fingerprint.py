from pathlib import Path

import pytest
from django.conf import settings

from articles import cache as reader_cache
from articles.fingerprint import compute_fingerprint, fingerprint


def test_fingerprint_is_the_same_when_nothing_changed():
    assert compute_fingerprint() == compute_fingerprint()
    assert fingerprint() == fingerprint() and len(fingerprint()) == 32  # once per process


@pytest.mark.parametrize(
    "folder", [("articles", "templates", "articles"), ("articles", "static", "articles"), ("articles",)]
)
def test_a_new_template_static_file_or_module_changes_the_fingerprint(folder):
    """A file no page uses yet, so that no other test can see it while it exists."""
    probe = Path(settings.BASE_DIR).joinpath(*folder) / "fingerprint_probe_test.py"
    before = compute_fingerprint()
    try:
        probe.write_text("# probe\n")
        changed = compute_fingerprint()
        probe.write_text("# probe, edited\n")
        edited = compute_fingerprint()
    finally:
        probe.unlink()
    assert len({before, changed, edited}) == 3
    assert compute_fingerprint() == before


def test_a_named_release_changes_the_fingerprint(monkeypatch):
    before = compute_fingerprint()
    monkeypatch.setenv("RELEASE", "2026.11.26-1")
    assert compute_fingerprint() != before


@pytest.mark.parametrize("slot", ["article", "list"])
def test_cache_keys_carry_the_fingerprint(slot):
    page = (
        reader_cache.article_slot(slug="a", audience="patient")
        if slot == "article"
        else reader_cache.list_slot(query="", page="1")
    )
    assert fingerprint() in page.key
