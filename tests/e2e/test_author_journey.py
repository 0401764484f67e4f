"""The author's journey counted: a new article with 3 sections and 4 references, each cited, written and submitted
in the browser. Every click on a control counts (typing into a field does not); the count, the steps and the
editor's height go to artifacts/author-journey.json. Measured on main before this work (the same journey by
tests/e2e/journey scripts): 13 clicks and a 4,947-px form."""

import json

import pytest

from articles.models import Article, ArticleState

from .conftest import SCREENSHOTS

expect = pytest.importorskip("playwright.sync_api", reason="Playwright not installed").expect

pytestmark = [pytest.mark.django_db(transaction=True)]

SECTIONS = [
    ("From the Guidelines", "Guidelines advise moderation [1] [2]."),
    ("From the Research", "Trials show a dose effect [3]."),
    ("What to do", "Stopping helps some people [4]."),
]
REFERENCE_KINDS = ["Guideline", "Research", "Guideline", "Research"]


def test_a_new_article_with_three_sections_and_four_references_takes_nine_clicks(
    live_server, new_page, login, author, neurology, screenshot
):
    page = login(new_page(), author)
    page.goto(f"{live_server.url}/author/")
    clicks: list[str] = []

    def click(locator, step: str) -> None:
        locator.click()
        clicks.append(step)

    click(page.get_by_role("link", name="Write a new article"), "new article")
    expect(page.locator("#editor-form")).to_have_attribute("data-enhanced", "true")
    page.select_option("#id_specialty", label="Neurology")
    clicks.append("specialty")
    page.fill("#id_title", "Does caffeine worsen essential tremor?")
    page.fill("#id_summary_patient", "Coffee can make a tremor more visible for a few hours.")
    page.fill("#id_summary_professional", "Caffeine increases tremor amplitude acutely; counsel moderation.")
    for index, (heading, body) in enumerate(SECTIONS):
        if index:
            click(page.get_by_role("button", name="Add a section"), "add section")
        page.fill(f"#id_sections-{index}-heading", heading)
        page.fill(f"#id_sections-{index}-body", body)
    for index, kind in enumerate(REFERENCE_KINDS):
        click(page.get_by_role("group", name="Add a reference:").get_by_role("button", name=kind), f"add {kind}")
        expect(page.locator(f"#id_references-{index}-title")).to_be_focused()
        page.keyboard.type(f"Tremor and caffeine, study {index + 1}")
        page.fill(f"#id_references-{index}-source", "Movement Disorders")
        page.fill(f"#id_references-{index}-year", "2022")
    form_height = page.evaluate("document.querySelector('form.editor-form').getBoundingClientRect().height")
    screenshot(page, "author-journey-filled-desktop")
    click(page.get_by_role("button", name="Save and submit for review"), "save and submit")
    expect(page.get_by_text("Submitted. The editors will assign reviewers.")).to_be_visible()

    article = Article.objects.get(slug="does-caffeine-worsen-essential-tremor")
    assert article.state == ArticleState.SUBMITTED
    revision = article.current_revision
    assert [s["heading"] for s in revision.sections] == [heading for heading, _ in SECTIONS]
    assert list(revision.references.order_by("number").values_list("kind", flat=True)) == [
        kind.lower() for kind in REFERENCE_KINDS
    ]
    SCREENSHOTS.parent.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS.parent / "author-journey.json").write_text(
        json.dumps({"clicks": len(clicks), "steps": clicks, "form_height_px": round(form_height)}, indent=2)
    )
    assert len(clicks) == 9, clicks
