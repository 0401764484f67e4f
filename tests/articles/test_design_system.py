"""The design system's colours meet WCAG AA: each text colour on the background it is used on (4.5:1), and the
edges of form controls and the focus ring on white (3:1). Read from articles/static/articles/site.css itself."""

import re
from pathlib import Path

import pytest

from articles.people import UNNAMED, person_name
from tests import factories

CSS = Path(__file__).resolve().parents[2] / "articles" / "static" / "articles" / "site.css"


def tokens() -> dict[str, str]:
    root = re.search(r":root\s*\{(.*?)\}", CSS.read_text(), re.S).group(1)
    return dict(re.findall(r"--([\w-]+):\s*(#[0-9a-fA-F]{6})", root))


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


WHITE = "#ffffff"
TEXT_PAIRS = [
    ("text", "white"),
    ("text", "surface"),
    ("muted", "white"),
    ("muted", "surface"),
    ("accent", "white"),
    ("accent", "accent-soft"),
    ("accent", "surface"),
    ("ok", "ok-soft"),
    ("warn", "warn-soft"),
    ("danger-text", "danger-soft"),
    ("danger", "white"),
    ("white", "accent"),
    ("white", "accent-strong"),
    ("white", "danger"),
    ("white", "header"),
]


@pytest.mark.parametrize(("foreground", "background"), TEXT_PAIRS)
def test_text_colours_meet_aa_on_their_backgrounds(foreground, background):
    colours = {**tokens(), "white": WHITE}
    assert contrast(colours[foreground], colours[background]) >= 4.5


@pytest.mark.parametrize("token", ["control-border", "focus"])
def test_control_edges_and_the_focus_ring_meet_the_non_text_minimum(token):
    assert contrast(tokens()[token], WHITE) >= 3


@pytest.mark.django_db
def test_people_are_named_never_by_username():
    named = factories.UserFactory(username="jdoe42", first_name="Jane", last_name="Doe")
    assert person_name(named) == "Jane Doe"
    unnamed = factories.UserFactory(username="x9", first_name="", last_name="", email="x9@example.org")
    assert person_name(unnamed) == "x9@example.org"
    nothing = factories.UserFactory(username="y8", first_name="", last_name="", email="")
    assert person_name(nothing) == UNNAMED
