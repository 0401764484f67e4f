"""Look and feel in a real browser: every page fits a phone, the keyboard reaches the skip link and the
main actions, focus is visible, widths line up, errors sit beside their fields, and the article prints
without its navigation. Screenshots of the key pages at both widths go to artifacts/screenshots/look-*."""

import re

import pytest

from articles.models import ArticleState
from reviewboard import services
from reviewboard.models import Decision
from tests import factories

from .conftest import DESKTOP, PHONE

expect = pytest.importorskip("playwright.sync_api", reason="Playwright not installed").expect

pytestmark = [pytest.mark.django_db(transaction=True)]

REFERENCE_URL = "https://example.org/guideline/myoclonus"
WIDTHS = {"desktop": DESKTOP, "phone": PHONE}


@pytest.fixture
def site(author, editor, neurology):
    """An approved article with a linked reference, one under review, and a board member's open assignment."""
    reviewers = [
        factories.BoardMemberFactory(
            user__username=f"neuro{n}", user__first_name=first, user__last_name="Neuron", specialties=[neurology]
        )
        for n, first in ((1, "Ada"), (2, "Ben"))
    ]
    approved = factories.ArticleFactory(authors=[author], specialty=neurology, revision=False)
    factories.RevisionFactory(
        article=approved,
        created_by=author,
        title="What causes myoclonus (jerks)?",
        sections=[{"heading": "From the Guidelines", "body": "Jerks have many causes [1]."}],
        references=[],
    )
    factories.ReferenceFactory(
        revision=approved.current_revision, number=1, title="Myoclonus guideline", url=REFERENCE_URL, doi="10.1/xyz"
    )
    services.article_submit(article=approved, actor=author)
    for member in reviewers:
        assignment = services.assignment_create(article=approved, board_member=member, actor=editor)
        services.assignment_accept(assignment=assignment, actor=member.user)
        services.review_submit(assignment=assignment, actor=member.user, decision=Decision.APPROVE)
    approved.refresh_from_db()
    assert approved.state == ArticleState.APPROVED

    under_review = factories.ArticleFactory(authors=[author], specialty=neurology)
    services.article_submit(article=under_review, actor=author)
    open_assignment = services.assignment_create(article=under_review, board_member=reviewers[0], actor=editor)
    services.assignment_accept(assignment=open_assignment, actor=reviewers[0].user)
    submitted = factories.ArticleFactory(authors=[author], specialty=neurology)
    services.article_submit(article=submitted, actor=author)
    factories.FollowUpQuestionFactory(article=approved)
    return {
        "draft": factories.ArticleFactory(authors=[author], specialty=neurology),
        "approved": approved,
        "under_review": under_review,
        "submitted": submitted,
        "assignment": open_assignment,
        "reviewer": reviewers[0].user,
    }


def horizontal_overflow(page) -> int:
    """Return by how many pixels the page is wider than the window (0 when it fits)."""
    return page.evaluate("document.scrollingElement.scrollWidth - window.innerWidth")


def check_fits(page, url, name, screenshot):
    """Open ``url`` at phone and desktop widths (the page's own viewport first), assert no sideways scroll."""
    overflow = {}
    for width_name, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        page.goto(url)
        overflow[width_name] = horizontal_overflow(page)
        screenshot(page, f"look-{name}-{width_name}")
    assert overflow == {"desktop": 0, "phone": 0}, f"{name} scrolls sideways: {overflow}"


def test_reader_pages_fit_a_phone_without_sideways_scrolling(live_server, new_page, screenshot, site):
    page = new_page(PHONE)
    slug = site["approved"].slug
    for name, path in (
        ("reader-list", "/articles/"),
        ("reader-search", "/articles/?q=myoclonus"),
        ("reader-article", f"/articles/{slug}/"),
        ("reader-article-professional", f"/articles/{slug}/?audience=professional"),
        ("editorial-policy", "/editorial-policy/"),
        ("login", "/accounts/login/"),
    ):
        check_fits(page, f"{live_server.url}{path}", name, screenshot)


def test_every_workspace_fits_a_phone_without_sideways_scrolling(live_server, new_page, login, screenshot, site):
    author_page = login(new_page(PHONE), site["approved"].authors.first())
    under_review = site["under_review"].slug
    for name, path in (
        ("author-dashboard", "/author/"),
        ("author-article", f"/author/articles/{under_review}/"),
        ("author-edit", f"/author/articles/{site['draft'].slug}/edit/"),
        ("author-diff", f"/author/articles/{under_review}/diff/"),
        ("inbox", "/inbox/"),
        ("notification-preferences", "/inbox/preferences/"),
        ("password-change", "/accounts/password/change/"),
    ):
        check_fits(author_page, f"{live_server.url}{path}", name, screenshot)

    reviewer_page = login(new_page(PHONE), site["reviewer"])
    for name, path in (
        ("board-dashboard", "/review/"),
        ("board-assignment", f"/review/assignments/{site['assignment'].pk}/"),
    ):
        check_fits(reviewer_page, f"{live_server.url}{path}", name, screenshot)

    editor = factories.EditorFactory(username="chair")
    editor_page = login(new_page(PHONE), editor)
    for name, path in (
        ("editor-dashboard", "/editor/"),
        ("editor-article-under-review", f"/editor/articles/{under_review}/"),
        ("editor-article-submitted", f"/editor/articles/{site['submitted'].slug}/"),
        ("intake-queue", "/editor/intake/"),
        ("editorial-dashboard", "/dashboard/"),
    ):
        check_fits(editor_page, f"{live_server.url}{path}", name, screenshot)


def focused(page) -> dict:
    """Describe the element that has the keyboard focus."""
    return page.evaluate(
        """() => { const e = document.activeElement, s = getComputedStyle(e), r = e.getBoundingClientRect();
        return {tag: e.tagName, id: e.id, text: e.textContent.trim(), cls: e.className,
                outline: s.outlineStyle, outlineWidth: parseFloat(s.outlineWidth),
                visible: r.width > 0 && r.left >= 0 && r.top >= 0 && r.right <= innerWidth}; }"""
    )


def tab_until(page, text: str, limit: int = 60) -> dict:
    """Press Tab until the focused element's text is ``text``; fail after ``limit`` presses."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        current = focused(page)
        if current["text"] == text:
            return current
    raise AssertionError(f"Tab never reached {text!r}")


def test_tab_reaches_the_visible_skip_link_first_and_it_moves_to_the_content(live_server, new_page, site):
    for viewport in (DESKTOP, PHONE):
        page = new_page(viewport)
        page.goto(f"{live_server.url}/articles/{site['approved'].slug}/")
        page.keyboard.press("Tab")
        skip = focused(page)
        assert skip["text"] == "Skip to content"
        assert skip["visible"], "the skip link must show when it has the focus"
        assert skip["outline"] != "none" and skip["outlineWidth"] >= 2, "focus must be visible"
        page.keyboard.press("Enter")
        expect(page).to_have_url(re.compile(r"#content$"))
        assert focused(page)["id"] == "content"
        # The reader's main action comes next, and shows its focus too.
        choice = tab_until(page, "Healthcare professional")
        assert choice["outline"] != "none" and choice["outlineWidth"] >= 2


def test_the_editors_main_actions_are_reachable_by_keyboard(live_server, new_page, login, site):
    page = login(new_page(), factories.EditorFactory(username="chair"))
    page.goto(f"{live_server.url}/editor/articles/{site['submitted'].slug}/")
    page.keyboard.press("Tab")
    assert focused(page)["text"] == "Skip to content"
    assign = tab_until(page, "Assign")
    assert assign["tag"] == "BUTTON" and assign["outline"] != "none"
    assert tab_until(page, "Assign automatically")["tag"] == "BUTTON"


def box(page, selector: str) -> dict:
    return page.locator(selector).first.bounding_box()


def test_the_first_line_of_a_page_keeps_its_distance_from_the_header(live_server, new_page, site):
    page = new_page()
    page.goto(f"{live_server.url}/articles/{site['approved'].slug}/")
    header, tag = box(page, ".site-header"), box(page, ".article__header .tag")
    assert tag["y"] - (header["y"] + header["height"]) >= 16


def test_workspace_content_is_as_wide_as_the_header_and_footer(live_server, new_page, login, site):
    page = login(new_page(), factories.EditorFactory(username="chair"))
    page.goto(f"{live_server.url}/editor/")
    # The workspace frame: the header's row, the main column and the footer's line share one width and edge.
    header, main, footer = box(page, ".app-header__inner"), box(page, "main.app-main"), box(page, ".app-footer p")
    assert header["x"] == main["x"] == footer["x"]
    assert header["width"] == main["width"] == footer["width"]


def test_buttons_side_by_side_do_not_touch(live_server, new_page, login, site):
    page = login(new_page(), factories.EditorFactory(username="chair"))
    page.goto(f"{live_server.url}/editor/articles/{site['submitted'].slug}/")
    assign = page.get_by_role("button", name="Assign", exact=True).bounding_box()
    auto = page.get_by_role("button", name="Assign automatically").bounding_box()
    apart_vertically = auto["y"] - (assign["y"] + assign["height"])
    apart_horizontally = auto["x"] - (assign["x"] + assign["width"])
    assert max(apart_vertically, apart_horizontally) >= 8


def test_a_field_error_is_shown_beside_its_field_and_described_to_assistive_technology(
    live_server, new_page, login, site, screenshot
):
    page = login(new_page(), site["approved"].authors.first())
    page.goto(f"{live_server.url}/author/articles/{site['draft'].slug}/edit/")
    page.fill("#id_title", "")
    page.get_by_role("button", name="Save draft").click()
    error = page.locator("#id_title_error")
    expect(error).to_have_text(re.compile("required"))
    expect(page.locator("#id_title")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_title")).to_have_attribute("aria-describedby", re.compile(r"\bid_title_error\b"))
    expect(page.get_by_role("alert").first).to_contain_text("not saved")
    field, message = box(page, "#id_title"), error.bounding_box()
    assert 0 <= message["y"] - (field["y"] + field["height"]) <= 60, "the error sits right under its field"
    screenshot(page, "look-author-edit-errors-desktop")


def test_a_reviewer_assignment_error_is_shown_beside_the_board_member_field(live_server, new_page, login, site):
    page = login(new_page(), factories.EditorFactory(username="chair"))
    page.goto(f"{live_server.url}/editor/articles/{site['submitted'].slug}/")
    page.locator("#id_board_member").evaluate("select => { select.required = false; select.value = ''; }")
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.locator("#id_board_member_error")).to_contain_text("required")
    expect(page.locator("#id_board_member")).to_have_attribute("aria-describedby", re.compile(r"id_board_member_error"))


def test_the_printed_article_has_no_navigation_or_forms_and_shows_reference_addresses(
    live_server, new_page, screenshot, site
):
    page = new_page()
    page.goto(f"{live_server.url}/articles/{site['approved'].slug}/")
    page.emulate_media(media="print")
    for hidden in (".site-nav", ".personalize", ".footer-links", ".skip-link"):
        expect(page.locator(hidden).first).to_be_hidden()
    expect(page.locator("section.references")).to_be_visible()
    printed_after = page.evaluate(
        """() => [...document.querySelectorAll('.reference__links a')]
                 .map(a => getComputedStyle(a, '::after').content).join(' ')"""
    )
    assert REFERENCE_URL in printed_after
    screenshot(page, "look-reader-article-print")
