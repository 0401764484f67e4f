"""The author's editor in a real browser: the error summary's links focus their fields, sections and references
move by drag and by keyboard (citations follow their references), the citation picker and the live preview,
autosave that survives a reload, and the same form without JavaScript."""

import re

import pytest

from articles.models import Article
from tests import factories

from .conftest import PHONE, in_flight

expect = pytest.importorskip("playwright.sync_api", reason="Playwright not installed").expect

pytestmark = [pytest.mark.django_db(transaction=True)]


@pytest.fixture
def draft(author, neurology):
    """A draft with three sections and two references, each cited."""
    article = factories.ArticleFactory(authors=[author], specialty=neurology, revision=False)
    revision = factories.RevisionFactory(
        article=article,
        created_by=author,
        title="What causes restless legs?",
        sections=[
            {"heading": "Alpha", "body": "First section cites [1]."},
            {"heading": "Beta", "body": "Second section cites [2]."},
            {"heading": "Gamma", "body": "Third section cites [1, 2]."},
        ],
        references=[],
    )
    factories.ReferenceFactory(revision=revision, number=1, title="Iron and restless legs", kind="research")
    factories.ReferenceFactory(revision=revision, number=2, title="Dopamine agonists guideline", kind="guideline")
    return article


def open_editor(page, live_server, article):
    page.goto(f"{live_server.url}/author/articles/{article.slug}/edit/")
    expect(page.locator("#editor-form")).to_have_attribute("data-enhanced", "true")


def headings(page) -> list[str]:
    return page.locator("[data-formset=sections] > [data-item] input[name$='-heading']").evaluate_all(
        "inputs => inputs.map(i => i.value)"
    )


def settle(page) -> None:
    """Wait until the editor has saved what was typed (so no save is still in flight when the test ends)."""
    page.wait_for_function(
        "() => !['dirty', 'saving'].includes(document.querySelector('[data-save-state]').dataset.state)"
    )


def drag(page, handle: str, target: str, *, upper: bool) -> None:
    """Drag ``handle`` with the mouse, in small steps, onto the upper or lower half of ``target``."""
    page.locator(handle).scroll_into_view_if_needed()
    start = page.locator(handle).bounding_box()
    page.mouse.move(start["x"] + start["width"] / 2, start["y"] + start["height"] / 2)
    page.mouse.down()
    end = page.locator(target).bounding_box()
    y = end["y"] + (end["height"] * (0.25 if upper else 0.75))
    page.mouse.move(end["x"] + 60, y, steps=8)
    page.mouse.up()


def saved_headings(article) -> list[str]:
    article = Article.objects.get(pk=article.pk)
    return [section["heading"] for section in article.current_revision.sections]


def test_the_error_summary_lists_every_problem_and_its_links_focus_the_field(
    live_server, new_page, login, author, draft, screenshot
):
    page = login(new_page(), author)
    open_editor(page, live_server, draft)
    page.fill("#id_title", "")
    page.fill("#id_sections-1-heading", "")
    page.get_by_role("button", name="Save draft").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    box = summary.bounding_box()
    assert box["y"] < 400, "the summary is at the top of the page"
    expect(summary.get_by_role("link")).to_have_count(1)
    expect(summary).to_contain_text("The title is required.")
    screenshot(page, "editor-error-summary-desktop")
    summary.get_by_role("link", name="The title is required.").click()
    expect(page.locator("#id_title")).to_be_focused()

    # The submission checks of a saved draft: a heading missing and a reference never cited, each a link.
    page.fill("#id_title", "What causes restless legs?")
    page.fill("#id_sections-1-body", "Second section cites nothing.")
    page.fill("#id_sections-2-body", "Third section cites [1].")
    page.get_by_role("button", name="Save draft").click()
    expect(page).to_have_url(re.compile(r"/edit/\?check=1$"))
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("Before you can submit")
    expect(summary.get_by_role("link", name=re.compile("needs a heading"))).to_be_visible()
    summary.get_by_role("link", name=re.compile("needs a heading")).click()
    expect(page.locator("#id_sections-1-heading")).to_be_focused()
    summary.get_by_role("link", name="Reference 2 is never cited in the text.").click()
    focused = page.evaluate("document.activeElement.closest('fieldset')?.id")
    assert focused == "references-1"


def test_sections_move_by_keyboard_and_by_drag_and_the_order_is_saved(live_server, new_page, login, author, draft):
    page = login(new_page({"width": 1280, "height": 2000}), author)  # every section in view while dragging
    open_editor(page, live_server, draft)
    assert headings(page) == ["Alpha", "Beta", "Gamma"]

    # Keyboard: focus "Move down" on Alpha and press Enter twice; the focus stays on the button.
    move_down = page.locator("#sections-0 [data-move=down]")
    move_down.focus()
    page.keyboard.press("Enter")
    expect(move_down).to_be_focused()
    page.keyboard.press("Enter")
    assert headings(page) == ["Beta", "Gamma", "Alpha"]
    expect(page.locator("#sections-0 legend")).to_have_text("Section 3")

    # Drag by the handle: Alpha onto the top half of Gamma, then Beta onto the bottom half of Alpha.
    drag(page, "#sections-0 .drag-handle", "#sections-2", upper=True)
    assert headings(page) == ["Beta", "Alpha", "Gamma"]
    drag(page, "#sections-1 .drag-handle", "#sections-0", upper=False)
    assert headings(page) == ["Alpha", "Beta", "Gamma"]
    drag(page, "#sections-2 .drag-handle", "#sections-0", upper=True)
    assert headings(page) == ["Gamma", "Alpha", "Beta"]
    expect(page.locator("#sections-2 legend")).to_have_text("Section 1")

    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved. It is ready to submit.")).to_be_visible()
    assert saved_headings(draft) == ["Gamma", "Alpha", "Beta"]


def test_moving_a_reference_renumbers_its_citations(live_server, new_page, login, author, draft):
    page = login(new_page(), author)
    open_editor(page, live_server, draft)
    page.locator("#references-1 [data-move=up]").click()
    expect(page.locator("#references-1 legend")).to_have_text("Reference 1")
    expect(page.locator("#id_sections-0-body")).to_have_value("First section cites [2].")
    expect(page.locator("#id_sections-1-body")).to_have_value("Second section cites [1].")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved. It is ready to submit.")).to_be_visible()
    revision = Article.objects.get(pk=draft.pk).current_revision
    assert [r.title for r in revision.references.order_by("number")] == [
        "Dopamine agonists guideline",
        "Iron and restless legs",
    ]
    assert revision.sections[0]["body"] == "First section cites [2]."
    assert revision.sections[2]["body"] == "Third section cites [2, 1]."


def test_the_citation_picker_inserts_a_reference_and_the_preview_renders_it(
    live_server, new_page, login, author, draft, screenshot
):
    page = login(new_page(), author)
    open_editor(page, live_server, draft)
    preview = page.locator("[data-live-preview]")
    expect(preview.locator("h2.live-preview__title")).to_have_text("What causes restless legs?")
    body = page.locator("#id_sections-1-body")
    body.fill("Ropinirole helps")
    page.locator("#sections-1").get_by_role("button", name="Insert a citation").click()
    expect(page.get_by_role("button", name="[1] Iron and restless legs")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("button", name="[2] Dopamine agonists guideline")).to_be_focused()
    page.keyboard.press("Enter")
    expect(body).to_have_value("Ropinirole helps [2]")
    expect(body).to_be_focused()
    # The preview is the reader's rendering: the citation links to its reference.
    expect(preview.locator("section.article__section").nth(1)).to_contain_text("Ropinirole helps")
    expect(preview.locator("section.article__section").nth(1).locator("a.citation[href='#ref-2']")).to_be_visible()
    expect(preview.locator("li#ref-2")).to_contain_text("Dopamine agonists guideline")
    screenshot(page, "editor-preview-desktop")
    settle(page)


def test_autosave_keeps_the_draft_through_a_reload(live_server, new_page, login, author, draft):
    page = login(new_page(), author)
    open_editor(page, live_server, draft)
    page.fill("#id_summary_patient", "Restless legs often come from low iron.")
    state = page.locator("[data-save-state]")
    expect(state).to_contain_text("Saved at", timeout=8000)
    expect(state).to_contain_text("revision 2")
    page.reload()
    expect(page.locator("#id_summary_patient")).to_have_value("Restless legs often come from low iron.")
    assert Article.objects.get(pk=draft.pk).current_revision.number == 2


def test_what_was_typed_just_before_leaving_the_editor_is_saved(live_server, new_page, login, author, draft):
    page = login(new_page(), author)
    open_editor(page, live_server, draft)
    page.fill("#id_summary_patient", "Low iron is the usual cause.")
    expect(page.locator("[data-save-state]")).to_contain_text("Unsaved changes")
    page.goto(f"{live_server.url}/author/")  # before the pause that would save it: the page saves as it goes
    in_flight.wait_until_quiet()
    revision = Article.objects.get(pk=draft.pk).current_revision
    assert (revision.number, revision.summary_patient) == (2, "Low iron is the usual cause.")


def test_a_new_article_is_saved_by_itself_once_it_has_a_specialty_and_a_title(
    live_server, new_page, login, author, neurology
):
    page = login(new_page(), author)
    page.goto(f"{live_server.url}/author/articles/new/")
    expect(page.locator("#editor-form")).to_have_attribute("data-enhanced", "true")
    page.select_option("#id_specialty", label="Neurology")
    page.fill("#id_title", "Is coffee bad for tremor?")
    expect(page.locator("[data-save-state]")).to_contain_text("Saved at", timeout=8000)
    article = Article.objects.get(slug="is-coffee-bad-for-tremor")
    expect(page).to_have_url(re.compile(rf"/author/articles/{article.slug}/edit/$"))
    page.fill("#id_sections-0-heading", "From the Research")
    expect(page.locator("[data-save-state]")).to_contain_text("revision 2", timeout=8000)
    page.reload()
    expect(page.locator("#id_sections-0-heading")).to_have_value("From the Research")
    assert Article.objects.filter(authors=author).count() == 1


def test_without_javascript_add_and_order_numbers_still_work(browser, live_server, login, author, draft):
    context = browser.new_context(java_script_enabled=False)
    page = login(context.new_page(), author)
    page.goto(f"{live_server.url}/author/articles/{draft.slug}/edit/")
    expect(page.locator(".item-controls").first).to_be_hidden()
    page.get_by_role("button", name="Add a section").click()
    expect(page.locator("#id_sections-3-heading")).to_be_visible()
    page.fill("#id_sections-3-heading", "Delta")
    page.fill("#id_sections-3-body", "Fourth cites [1] and [2].")
    page.fill("#id_sections-3-ORDER", "0")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved. It is ready to submit.")).to_be_visible()
    assert saved_headings(draft) == ["Delta", "Alpha", "Beta", "Gamma"]
    context.close()


def test_the_editor_fits_a_phone(live_server, new_page, login, author, draft, screenshot):
    page = login(new_page(PHONE), author)
    open_editor(page, live_server, draft)
    assert page.evaluate("document.scrollingElement.scrollWidth - innerWidth") == 0
    screenshot(page, "editor-phone")


def test_a_pasted_bibtex_record_fills_a_new_reference_and_garbage_is_told_beside_the_box(
    live_server, new_page, login, author, draft
):
    page = login(new_page(), author)
    open_editor(page, live_server, draft)
    box = page.get_by_label("Or paste a DOI, a PMID, or a BibTeX or RIS record")

    box.fill("no reference here")
    page.get_by_role("button", name="Fill a reference").click()
    expect(page.locator("#reference-import-message")).to_contain_text("This is not a DOI")

    box.fill(
        "@article{c2004, author = {Caviness, John N. and Brown, Peter}, title = {Myoclonus: current concepts},"
        " journal = {Lancet Neurol}, year = {2004}, volume = {3}, number = {10}, pages = {598--607}}"
    )
    page.get_by_role("button", name="Fill a reference").click()

    expect(page.locator("#reference-import-message")).to_have_text("Reference filled in: check it, then save.")
    expect(page.locator("#id_references-2-title")).to_have_value("Myoclonus: current concepts")
    expect(page.locator("#id_references-2-authors")).to_have_value("Caviness JN, Brown P")
    expect(page.locator("#id_references-2-pages")).to_have_value("598-607")
    expect(page.locator("#id_references-2-kind")).to_have_value("research")
