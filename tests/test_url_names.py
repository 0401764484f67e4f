"""Every URL name the code and the templates use exists in the real URLconf: no link can point nowhere."""

import itertools
import re
from pathlib import Path

import pytest
from django.urls import NoReverseMatch, reverse

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ("articles", "reviewboard", "config")
PYTHON_NAMES = re.compile(
    r"""(?:\breverse|\breverse_lazy|\bredirect|\bresolve_url)\(\s*["']([a-z_]+:[\w-]+|[a-z_][\w-]*)["']"""
    r"""|\b(?:pattern_name|url_name)\s*=\s*["']([\w:-]+)["']"""
)
TEMPLATE_NAMES = re.compile(r"""\{%\s*url\s+["']([\w:-]+)["']""")
SAMPLE_ARGUMENTS = [1, "a-slug", "articles"]  # "articles": an app label, for the admin


def _used_names() -> set[str]:
    names = set()
    for source in SOURCES:
        for path in (ROOT / source).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            for match in PYTHON_NAMES.finditer(path.read_text()):
                names.add(match.group(1) or match.group(2))
        for path in (ROOT / source).rglob("*.html"):
            names.update(TEMPLATE_NAMES.findall(path.read_text()))
    return names


def _reverses(name: str) -> bool:
    """Return whether ``name`` reverses with some arguments (each URL here takes at most three)."""
    for count in range(4):
        for args in itertools.product(SAMPLE_ARGUMENTS, repeat=count):
            try:
                reverse(name, args=args)
            except NoReverseMatch:
                continue
            return True
    return False


def test_the_scan_finds_the_names_in_code_and_templates():
    names = _used_names()
    # A name used only in Python, one only in templates, and one with arguments.
    assert {"workspaces:home", "articles:editorial_policy", "workspaces:board_accept"} <= names


@pytest.mark.parametrize("name", sorted(_used_names()))
def test_every_used_url_name_reverses_on_the_real_urlconf(name):
    assert _reverses(name), f"{name} is used but the URLconf has no such name"


def test_an_unknown_name_does_not_reverse():
    assert not _reverses("workspaces:assignment_accept")
