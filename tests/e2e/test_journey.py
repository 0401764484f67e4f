"""The whole journey in a real browser: an author writes and submits, the editor assigns two
neurologists, both approve, and a reader sees the approved page with its stepper at Approved."""

import re

import pytest
from django.utils.text import slugify

from articles.models import Article, ArticleState
from tests import factories

expect = pytest.importorskip("playwright.sync_api", reason="Playwright not installed").expect

pytestmark = [pytest.mark.django_db(transaction=True)]

TITLE = "What causes restless legs at night?"
SUMMARY_PATIENT = "Restless legs often come from low iron; a simple blood test can tell."
SUMMARY_PROFESSIONAL = "Check ferritin: iron deficiency is the most common treatable cause of RLS."
SECTION_HEADING = "From the Guidelines"
SECTION_BODY = "Low iron stores are linked to restless legs syndrome [1]."
REFERENCE_TITLE = "Iron deficiency in restless legs syndrome: a cohort study"


@pytest.fixture
def people(neurology):
    """The author, the editor and two neurology board members, with the names readers will see."""
    return {
        "author": factories.AuthorFactory(username="writer", first_name="Wendy", last_name="Writer"),
        "editor": factories.EditorFactory(username="chair", first_name="Carl", last_name="Chair"),
        "reviewers": [
            factories.BoardMemberFactory(
                user__username="neuro1",
                user__first_name="Ada",
                user__last_name="Neuron",
                credentials="MD, PhD",
                specialties=[neurology],
            ),
            factories.BoardMemberFactory(
                user__username="neuro2",
                user__first_name="Ben",
                user__last_name="Synapse",
                credentials="MD",
                specialties=[neurology],
            ),
        ],
    }


def write_and_submit(page, live_server, screenshot) -> str:
    """As the logged-in author: write the draft, save it, submit it. Return the article's slug."""
    page.goto(f"{live_server.url}/author/articles/new/")
    page.select_option("#id_specialty", label="Neurology")
    page.fill("#id_title", TITLE)
    page.fill("#id_summary_patient", SUMMARY_PATIENT)
    page.fill("#id_summary_professional", SUMMARY_PROFESSIONAL)
    page.fill("#id_sections-0-heading", SECTION_HEADING)
    page.fill("#id_sections-0-body", SECTION_BODY)
    page.get_by_role("button", name="Research", exact=True).click()  # adds a reference of that kind
    page.fill("#id_references-0-title", REFERENCE_TITLE)
    page.fill("#id_references-0-source", "Sleep Medicine")
    page.fill("#id_references-0-year", "2023")
    page.fill("#id_references-0-pmid", "12345678")
    screenshot(page, "01-author-editor-form")

    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved. It is ready to submit.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)

    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Submitted. The editors will assign reviewers.")).to_be_visible()
    screenshot(page, "02-author-article-submitted")
    return slugify(TITLE)


def assign_reviewers(page, live_server, slug, reviewers, screenshot) -> None:
    """As the logged-in editor: open the article from the queue and assign both reviewers."""
    page.goto(f"{live_server.url}/editor/")
    page.get_by_role("link", name=TITLE).first.click()
    expect(page).to_have_url(re.compile(rf"/editor/articles/{slug}/$"))
    for member in reviewers:
        page.select_option("#id_board_member", label=f"{member.display_name}, {member.credentials}")
        page.get_by_role("button", name="Assign", exact=True).click()
        expect(page.get_by_text(f"{member.display_name} is invited to review.")).to_be_visible()
    reviewers_table = page.locator("section[aria-labelledby='reviewers-title'] table").first
    for member in reviewers:
        expect(reviewers_table).to_contain_text(member.display_name)
    screenshot(page, "03-editor-article")


def accept_and_approve(page, live_server, screenshot=None) -> None:
    """As a logged-in board member: accept the invitation, read the revision, approve it."""
    page.goto(f"{live_server.url}/review/")
    invitations = page.locator("section[aria-labelledby='invitations-title']")
    expect(invitations).to_contain_text(TITLE)
    invitations.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Invitation accepted.")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.locator(".review-copy")).to_contain_text(SECTION_BODY.split(" [")[0])
    expect(page.locator(".review-copy")).to_contain_text(REFERENCE_TITLE)
    if screenshot:
        screenshot(page, "04-board-review-page")
    page.get_by_label("Approve").check()
    page.fill("#id_comments_to_author", "Clear and well sourced.")
    page.get_by_role("button", name="Submit my review").click()
    expect(page.get_by_text("Thank you: your review is recorded.")).to_be_visible()


def test_an_article_written_assigned_and_approved_in_the_browser_reaches_readers(
    live_server, new_page, login, screenshot, people
):
    author_page = login(new_page(), people["author"])
    expect(author_page).to_have_url(re.compile(r"/author/$"))
    slug = write_and_submit(author_page, live_server, screenshot)
    assert Article.objects.get(slug=slug).state == ArticleState.SUBMITTED

    # Before approval, readers get nothing.
    reader = new_page()
    assert reader.goto(f"{live_server.url}/articles/{slug}/").status == 404

    editor_page = login(new_page(), people["editor"])
    expect(editor_page).to_have_url(re.compile(r"/editor/$"))
    assign_reviewers(editor_page, live_server, slug, people["reviewers"], screenshot)
    assert Article.objects.get(slug=slug).state == ArticleState.UNDER_REVIEW

    for position, member in enumerate(people["reviewers"]):
        reviewer_page = login(new_page(), member.user)
        accept_and_approve(reviewer_page, live_server, screenshot if position == 0 else None)
    assert Article.objects.get(slug=slug).state == ArticleState.APPROVED

    # An anonymous reader sees the approved page.
    response = reader.goto(f"{live_server.url}/articles/{slug}/")
    assert response.status == 200
    expect(reader.get_by_role("heading", level=1)).to_have_text(TITLE)
    current_step = reader.locator(".stepper [aria-current='step']")
    expect(current_step).to_have_count(1)
    expect(current_step).to_have_text("Approved")
    references = reader.locator("section.references")
    expect(references).to_contain_text(REFERENCE_TITLE)
    expect(references.locator("li#ref-1")).to_be_visible()
    expect(reader.locator("a[href='#ref-1']").first).to_be_visible()  # the citation links to its reference
    reviewed_by = reader.locator("section.reviewed-by")
    expect(reviewed_by.get_by_role("heading")).to_have_text("Reviewed by")
    expect(reviewed_by).to_contain_text("Ada Neuron, MD, PhD")
    expect(reviewed_by).to_contain_text("Ben Synapse, MD")
    summary = reader.locator("section.summary")
    expect(summary).to_contain_text(SUMMARY_PATIENT)
    screenshot(reader, "05-reader-article")

    # "Which best describes you?": the professional wording, remembered after a reload.
    # Both wordings are on the page; the reader's audience decides which one shows (no reload).
    reader.get_by_role("button", name="Healthcare professional").click()
    expect(summary.locator("div[data-for='professional']")).to_be_visible()
    expect(summary.locator("div[data-for='professional']")).to_contain_text(SUMMARY_PROFESSIONAL)
    expect(summary.locator("div[data-for='patient']")).to_be_hidden()
    reader.goto(f"{live_server.url}/articles/{slug}/")
    expect(reader).to_have_url(f"{live_server.url}/articles/{slug}/")
    expect(summary).to_contain_text(SUMMARY_PROFESSIONAL)
    expect(reader.get_by_role("button", name="Healthcare professional")).to_have_attribute("aria-pressed", "true")
    reader.reload()
    expect(summary.locator("div[data-for='professional']")).to_be_visible()
    expect(summary.locator("div[data-for='patient']")).to_be_hidden()
    screenshot(reader, "06-reader-article-professional")

    phone = new_page(viewport={"width": 390, "height": 844})
    phone.goto(f"{live_server.url}/articles/{slug}/")
    expect(phone.get_by_role("heading", level=1)).to_have_text(TITLE)
    screenshot(phone, "07-reader-article-phone")
