"""A round with changes requested, in a real browser: a reviewer asks for changes, the author reads
the comment (never the confidential one), edits and resubmits, and readers still get a 404."""

import re

import pytest

from articles.models import ArticleState
from reviewboard import services
from tests import factories

expect = pytest.importorskip("playwright.sync_api", reason="Playwright not installed").expect

pytestmark = [pytest.mark.django_db(transaction=True)]

TO_AUTHOR = "Please cite the 2022 guideline for the dosing claim."
CONFIDENTIAL = "Between us: the second source looks predatory."
NEW_BODY = "Dosing follows the 2022 guideline [1]."


@pytest.fixture
def under_review(author, editor, neurology):
    """An article submitted by ``author``, under review by two neurologists who accepted."""
    article = factories.ArticleFactory(authors=[author], specialty=neurology)
    services.article_submit(article=article, actor=author)
    reviewers = [
        factories.BoardMemberFactory(
            user__username=f"neuro{n}", user__first_name=first, user__last_name="Neuron", specialties=[neurology]
        )
        for n, first in ((1, "Ada"), (2, "Ben"))
    ]
    assignments = []
    for member in reviewers:
        assignment = services.assignment_create(article=article, board_member=member, actor=editor)
        services.assignment_accept(assignment=assignment, actor=member.user)
        assignments.append(assignment)
    article.refresh_from_db()
    assert article.state == ArticleState.UNDER_REVIEW
    return article, assignments


def test_changes_requested_reach_the_author_without_the_confidential_comment_and_resubmit_works(
    live_server, new_page, login, screenshot, author, editor, under_review
):
    article, assignments = under_review
    title = article.current_revision.title

    # The reviewer asks for changes, with a comment for the author and one for the editors only.
    reviewer = login(new_page(), assignments[0].board_member.user)
    reviewer.goto(f"{live_server.url}/review/assignments/{assignments[0].pk}/")
    reviewer.get_by_label("Request changes").check()
    reviewer.get_by_role("button", name="Submit my review").click()
    # Comments to the author are required when asking for changes: the page says so beside the field,
    # and nothing is recorded.
    expect(reviewer.locator("#id_comments_to_author_error")).to_contain_text("comments to the author are required")
    article.refresh_from_db()
    assert article.state == ArticleState.UNDER_REVIEW
    reviewer.get_by_label("Request changes").check()
    reviewer.fill("#id_comments_to_author", TO_AUTHOR)
    reviewer.fill("#id_confidential_comments", CONFIDENTIAL)
    screenshot(reviewer, "08-board-request-changes")
    reviewer.get_by_role("button", name="Submit my review").click()
    expect(reviewer.get_by_text("Thank you: your review is recorded.")).to_be_visible()
    article.refresh_from_db()
    assert article.state == ArticleState.CHANGES_REQUESTED

    # The editor sees both comments in the timeline.
    editor_page = login(new_page(), editor)
    editor_page.goto(f"{live_server.url}/editor/articles/{article.slug}/")
    timeline = editor_page.locator("section[aria-labelledby='timeline-title']")
    expect(timeline).to_contain_text(TO_AUTHOR)
    expect(timeline).to_contain_text(CONFIDENTIAL)

    # The author reads the feedback, never the confidential comment.
    author_page = login(new_page(), author)
    author_page.goto(f"{live_server.url}/author/")
    author_page.get_by_role("link", name=title).first.click()
    expect(author_page).to_have_url(re.compile(rf"/author/articles/{article.slug}/$"))
    feedback = author_page.locator("section[aria-labelledby='feedback-title']")
    expect(feedback).to_contain_text("Request changes")
    expect(feedback).to_contain_text(TO_AUTHOR)
    expect(author_page.locator("body")).not_to_contain_text(CONFIDENTIAL)
    screenshot(author_page, "09-author-changes-requested-feedback")

    # The author edits the draft and resubmits.
    author_page.get_by_role("link", name="Edit the draft").click()
    expect(author_page).to_have_url(re.compile(rf"/author/articles/{article.slug}/edit/$"))
    author_page.fill("#id_sections-0-body", NEW_BODY)
    author_page.fill("#id_change_note", "Cited the 2022 guideline, as asked.")
    author_page.get_by_role("button", name="Save draft").click()
    expect(author_page.get_by_text("Draft saved. It is ready to submit.")).to_be_visible()
    author_page.get_by_label("Response letter to the reviewers").fill("Cited the 2022 guideline for the dose.")
    author_page.get_by_role("button", name="Resubmit for review").click()
    expect(author_page.get_by_text("Resubmitted. The reviewers of the last round are invited again.")).to_be_visible()
    article.refresh_from_db()
    # The reviewer who asked for changes is invited again at once.
    assert article.state == ArticleState.UNDER_REVIEW
    assert article.current_revision.number == 2
    assert article.current_revision.sections[0]["body"] == NEW_BODY

    # Never approved: the reader page answers 404, and shows none of the text.
    reader = new_page()
    response = reader.goto(f"{live_server.url}/articles/{article.slug}/")
    assert response.status == 404
    expect(reader.locator("body")).not_to_contain_text(title)
