"""Comments on the exact text in a real browser: a reviewer selects a passage of section 2, the script opens that
paragraph's form with the passage filled in, the comment is posted and shown beside the passage; the author
reads it on their page (never the confidential one) and replies. At 1280 and 390 px, with screenshots."""

import pytest

from articles.models import ArticleState
from reviewboard import services
from reviewboard.review_models import CommentThread
from reviewboard.services_threads import thread_open
from tests import factories

from .conftest import DESKTOP, PHONE

expect = pytest.importorskip("playwright.sync_api", reason="Playwright not installed").expect

pytestmark = [pytest.mark.django_db(transaction=True)]

PASSAGE = "500 mg twice daily"
SECTIONS = [
    {"heading": "From the Guidelines", "body": "Myoclonus has many causes, most often medicines [1]."},
    {"heading": "Treatment", "body": f"Start levetiracetam at {PASSAGE} [1].\n\nReview the dose after four weeks."},
]


@pytest.fixture
def under_review(author, editor, neurology):
    author.first_name, author.last_name = "Wendy", "Writer"
    author.save()
    article = factories.ArticleFactory(authors=[author], specialty=neurology, revision=False)
    factories.RevisionFactory(
        article=article, created_by=author, title="What causes myoclonus (jerks)?", sections=SECTIONS
    )
    services.article_submit(article=article, actor=author)
    member = factories.BoardMemberFactory(
        user__username="neuro1", user__first_name="Ada", user__last_name="Neuron", specialties=[neurology]
    )
    assignment = services.assignment_create(article=article, board_member=member, actor=editor)
    services.assignment_accept(assignment=assignment, actor=member.user)
    thread_open(
        article=article,
        actor=editor,
        field="section",
        index=0,
        paragraph=0,
        body="Editors only: is the second source sound?",
        confidential=True,
    )
    article.refresh_from_db()
    assert article.state == ArticleState.UNDER_REVIEW
    return article, assignment


SELECT = """([id, words]) => {
  const paragraph = document.querySelector(`#${id} .passage__text p`);
  const walker = document.createTreeWalker(paragraph, NodeFilter.SHOW_TEXT);
  let node;
  while ((node = walker.nextNode()) && !node.data.includes(words)) {}
  const range = document.createRange();
  range.setStart(node, node.data.indexOf(words));
  range.setEnd(node, node.data.indexOf(words) + words.length);
  const selection = window.getSelection();
  selection.removeAllRanges();
  selection.addRange(range);
  paragraph.dispatchEvent(new MouseEvent("mouseup", { bubbles: true }));
}"""


@pytest.mark.parametrize(("width", "viewport"), [("1280", DESKTOP), ("390", PHONE)])
def test_reviewer_comments_on_a_selected_passage_and_the_author_replies(
    live_server, new_page, login, screenshot, author, under_review, width, viewport
):
    article, assignment = under_review
    reviewer = login(new_page(viewport), assignment.board_member.user)
    reviewer.goto(f"{live_server.url}/review/assignments/{assignment.pk}/")
    reviewer.evaluate(SELECT, ["passage-section-1-0", PASSAGE])
    button = reviewer.get_by_role("button", name="Comment on the selection")
    expect(button).to_be_visible()
    button.click()
    form = reviewer.locator('[data-comment-form="passage-section-1-0"]')
    expect(form.locator("textarea[name=quote]")).to_have_value(PASSAGE)
    expect(form.locator("textarea[name=body]")).to_be_focused()
    form.locator("textarea[name=body]").fill("The usual starting dose is 250 mg twice daily; please check.")
    form.scroll_into_view_if_needed()
    screenshot(reviewer, f"comments-selection-{width}")
    form.get_by_role("button", name="Post comment").click()

    thread = CommentThread.objects.get(confidential=False)
    assert (thread.field, thread.index, thread.paragraph, thread.quote) == ("section", 1, 0, PASSAGE)
    card = reviewer.locator(f"#passage-section-1-0 #thread-{thread.pk}")
    expect(card).to_contain_text(f"“{PASSAGE}”")
    expect(card).to_contain_text("250 mg twice daily")
    expect(reviewer.locator(".thread--confidential")).to_have_count(1)  # the board sees the editors' thread
    assert reviewer.evaluate("document.scrollingElement.scrollWidth - innerWidth") == 0
    screenshot(reviewer, f"comments-review-page-{width}")

    writer = login(new_page(viewport), author)
    writer.goto(f"{live_server.url}/author/articles/{article.slug}/")
    card = writer.locator(f"#thread-{thread.pk}")
    expect(card).to_contain_text("250 mg twice daily")
    expect(writer.locator(".thread--confidential")).to_have_count(0)
    expect(writer.get_by_text("second source")).to_have_count(0)
    card.locator("summary", has_text="Reply").click()
    card.locator("textarea[name=body]").fill("Changed to 250 mg in the next revision.")
    card.get_by_role("button", name="Post reply").click()
    expect(writer.locator(f"#thread-{thread.pk}")).to_contain_text("Changed to 250 mg")
    assert writer.evaluate("document.scrollingElement.scrollWidth - innerWidth") == 0
    screenshot(writer, f"comments-author-page-{width}")


def test_the_review_journey_with_comments_checklist_letter_and_a_second_round(
    live_server, new_page, login, screenshot, settings, author, under_review
):
    """A reviewer comments on two passages of section 2, answers the checklist and asks for changes; the author
    replies, changes the dose, adds a paragraph, writes the response letter and resubmits; the reviewer, invited
    again, sees the letter, the diff against the revision reviewed, the moved thread and the one left on the
    earlier revision, resolves them and approves."""
    settings.REVIEW_QUORUM = 1
    article, assignment = under_review
    for position, (item, required) in enumerate(
        [("Doses, routes and frequencies correct", True), ("Evidence current", False)]
    ):
        factories.ChecklistItemFactory(specialty=article.specialty, text=item, required=required, position=position)
    reviewer = login(new_page(), assignment.board_member.user)
    reviewer.goto(f"{live_server.url}/review/assignments/{assignment.pk}/")
    for passage, words, comment in [
        ("passage-section-1-0", PASSAGE, "The usual starting dose is 250 mg twice daily."),
        ("passage-section-1-1", "after four weeks", "Four weeks is right; keep it."),
    ]:
        reviewer.evaluate(SELECT, [passage, words])
        reviewer.get_by_role("button", name="Comment on the selection").click()
        form = reviewer.locator(f'[data-comment-form="{passage}"]')
        form.locator("textarea[name=body]").fill(comment)
        form.get_by_role("button", name="Post comment").click()
        expect(reviewer.locator(f"#{passage} .thread")).to_contain_text(comment)
    # The checklist gates the decision: its required item first.
    reviewer.get_by_label("Request changes").check()
    reviewer.fill("#id_comments_to_author", "See my comments on the dose.")
    reviewer.get_by_role("button", name="Submit my review").click()
    expect(reviewer.locator(".checklist")).to_contain_text("Answer “Doses, routes and frequencies correct”")
    doses = reviewer.get_by_role("group", name="Doses, routes and frequencies correct")
    doses.get_by_label("No", exact=True).check()
    reviewer.get_by_label("Request changes").check()
    reviewer.fill("#id_comments_to_author", "See my comments on the dose.")
    screenshot(reviewer, "journey-1-reviewer-checklist-1280")
    reviewer.get_by_role("button", name="Submit my review").click()
    expect(reviewer.get_by_text("Thank you: your review is recorded.")).to_be_visible()
    article.refresh_from_db()
    assert article.state == ArticleState.CHANGES_REQUESTED

    # The author replies in the thread, edits that passage and adds a paragraph, then resubmits with a letter.
    writer = login(new_page(), author)
    writer.goto(f"{live_server.url}/author/articles/{article.slug}/")
    dose_thread = CommentThread.objects.get(quote=PASSAGE)
    card = writer.locator(f"#thread-{dose_thread.pk}")
    card.locator("summary", has_text="Reply").click()
    card.locator("textarea[name=body]").fill("Changed to 250 mg.")
    card.get_by_role("button", name="Post reply").click()
    expect(writer.locator(f"#thread-{dose_thread.pk}")).to_contain_text("Changed to 250 mg.")
    writer.get_by_role("link", name="Edit the draft").click()
    writer.fill(
        "#id_sections-1-body",
        "Start levetiracetam at 250 mg twice daily [1].\n\nRaise it slowly.\n\nReview the dose after four weeks.",
    )
    writer.fill("#id_change_note", "Starting dose 250 mg, as asked.")
    writer.get_by_role("button", name="Save draft").click()
    expect(writer.get_by_text("Draft saved. It is ready to submit.")).to_be_visible()
    writer.get_by_label("Response letter to the reviewers").fill("We lowered the starting dose to 250 mg twice daily.")
    # A reply to an open thread goes with the letter: posted in its thread, listed with the letter.
    writer.get_by_label("Reply to “after four weeks”").fill("Kept: the review at four weeks stays.")
    screenshot(writer, "journey-2-author-response-letter-1280")
    writer.get_by_role("button", name="Resubmit for review").click()
    expect(writer.get_by_text("Resubmitted. The reviewers of the last round are invited again.")).to_be_visible()

    # The reviewer is invited again: the letter, the diff against what they reviewed, the threads.
    again = assignment.board_member.assignments.get(review_round__number=2)
    reviewer.goto(f"{live_server.url}/review/assignments/{again.pk}/")
    reviewer.get_by_role("button", name="Accept the invitation").click()
    expect(reviewer.locator("#letter-title + .feedback__text")).to_contain_text("250 mg twice daily")
    expect(reviewer.locator(".letter-replies")).to_contain_text("Kept: the review at four weeks stays.")
    expect(reviewer.get_by_role("heading", name="Changes since the revision you reviewed")).to_be_visible()
    moved = CommentThread.objects.get(quote="after four weeks")
    expect(reviewer.locator(f"#passage-section-1-2 #thread-{moved.pk}")).to_be_visible()  # moved with its passage
    expect(reviewer.locator(f"#threads-elsewhere #thread-{dose_thread.pk}")).to_contain_text("On an earlier revision")
    screenshot(reviewer, "journey-3-reviewer-round-2-1280")
    for thread in (moved, dose_thread):
        reviewer.locator(f"#thread-{thread.pk}").get_by_role("button", name="Resolve").click()
        expect(reviewer.locator(f"#thread-{thread.pk}")).to_contain_text("Resolved by")
    reviewer.get_by_role("group", name="Doses, routes and frequencies correct").get_by_label("Yes", exact=True).check()
    reviewer.get_by_label("Approve", exact=True).check()
    reviewer.get_by_role("button", name="Submit my review").click()
    expect(reviewer.get_by_text("Thank you: your review is recorded.")).to_be_visible()
    article.refresh_from_db()
    assert article.state == ArticleState.APPROVED
    assert [(r.number, r.outcome) for r in article.review_rounds.order_by("number")] == [
        (1, "changes_requested"),
        (2, "approved"),
    ]
