"""The fingerprint of what renders a reader page: templates, the site's chrome (static files) and the code.

Stored reader pages (articles.stored) and cached ones (articles.cache) carry the fingerprint they were rendered
under; a page whose fingerprint is not the running process's is never served, so a deploy that changes a template,
the stylesheet or the rendering code re-renders every page lazily. Nobody bumps a version by hand: the fingerprint
is a digest of the files themselves, computed once per process.
"""

import functools
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

import django
from django.conf import settings
from django.contrib.staticfiles import finders
from django.template import engines

# The packages whose Python code renders or gates the reader pages, and whose templates and static files they use.
CODE_PACKAGES = ("articles", "reviewboard", "config")
# An operator may name the release (a git commit, an image tag); it joins the digest when set.
RELEASE_VARIABLES = ("RELEASE", "SENTRY_RELEASE")


@functools.cache
def fingerprint() -> str:
    """Return this process's fingerprint of the reader pages' templates, static files and code (32 hex digits)."""
    return compute_fingerprint()


def compute_fingerprint() -> str:
    """Return the fingerprint as the files stand now (tests call this; the site uses ``fingerprint``)."""
    digest = hashlib.sha256()
    for label, path in _sources():
        digest.update(label.encode())
        digest.update(b"\x00")
        digest.update(path.read_bytes())
        digest.update(b"\x00")
    for value in (django.get_version(), settings.STATIC_URL, *(os.environ.get(name, "") for name in RELEASE_VARIABLES)):
        digest.update(str(value).encode() + b"\x00")
    return digest.hexdigest()[:32]


def _sources() -> list[tuple[str, Path]]:
    """Return (label, file) for every template, project static file and code module, in a stable order."""
    base = Path(settings.BASE_DIR).resolve()
    found: dict[str, Path] = {}
    for engine in engines.all():
        for directory in engine.template_dirs:
            _add_tree(found, base, Path(directory))
    for finder in finders.get_finders():
        for relative, storage in finder.list([]):
            location = getattr(storage, "location", None)
            if location is None:
                continue
            path = Path(storage.path(relative)).resolve()
            if _in_project(path, base):  # the site's chrome, not the admin's or the API browser's
                found[f"static:{relative}"] = path
    for package in CODE_PACKAGES:
        _add_tree(found, base, base / package, suffixes=(".py",))
    return sorted(found.items())


def _in_project(path: Path, base: Path) -> bool:
    return path.is_relative_to(base) and not ({".venv", "site-packages", "node_modules"} & set(path.parts))


def _add_tree(found: dict[str, Path], base: Path, root: Path, *, suffixes: Iterable[str] | None = None) -> None:
    """Add the files under ``root`` that belong to the project, labelled by their path inside it."""
    root = root.resolve()
    if not root.is_dir() or not _in_project(root, base):
        return
    for path in root.rglob("*"):
        if not path.is_file() or "__pycache__" in path.parts:
            continue
        if suffixes is not None and path.suffix not in suffixes:
            continue
        found[f"file:{path.relative_to(base)}"] = path
