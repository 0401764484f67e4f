"""Every page, as each kind of person meets it, in a real browser: a screenshot at 1280 and at 390 px
(artifacts/screenshots/page-<name>-<width>.png), no sideways scrolling, and axe-core (vendored in the
axe-playwright-python package, no CDN) with no serious or critical violation. The workspace frame names the
person, never a username, and offers each role what it may open; the dashboard uses a wide screen."""

import pytest

from articles.models import ArticleState
from reviewboard import services
from reviewboard.models import Decision
from reviewboard.notifications.models import Message
from reviewboard.services_threads import thread_open, thread_reply
from tests import factories

from .conftest import DESKTOP, PHONE

expect = pytest.importorskip("playwright.sync_api", reason="Playwright not installed").expect
axe_playwright = pytest.importorskip("axe_playwright_python.sync_playwright", reason="axe-playwright-python missing")

pytestmark = [pytest.mark.django_db(transaction=True)]

WIDTHS = {"1280": DESKTOP, "390": PHONE}
SERIOUS = {"serious", "critical"}


@pytest.fixture
def site(author, editor, neurology):
    """Articles in every state a page shows, a revision under review that changes an approved one, a question."""
    author.first_name, author.last_name = "Wendy", "Writer"
    author.save()
    editor.first_name, editor.last_name = "Carl", "Chair"
    editor.save()
    reviewers = [
        factories.BoardMemberFactory(
            user__username=f"neuro{n}", user__first_name=first, user__last_name="Neuron", specialties=[neurology]
        )
        for n, first in ((1, "Ada"), (2, "Ben"), (3, "Cleo"))
    ]
    approved = factories.ArticleFactory(authors=[author], specialty=neurology, revision=False)
    factories.RevisionFactory(
        article=approved,
        created_by=author,
        title="What causes myoclonus (jerks)?",
        sections=[
            {"heading": "From the Guidelines", "body": "Jerks have many causes [1]."},
            {"heading": "Treatment", "body": "Treat the cause first [1]."},
        ],
        references=[],
    )
    factories.ReferenceFactory(revision=approved.current_revision, number=1, title="Myoclonus guideline")
    factories.publish(approved, reviewers=reviewers[:2])
    approved.refresh_from_db()
    assert approved.state == ArticleState.APPROVED

    # A new revision of the approved article, under review: the reviewers' page diffs it against the public one.
    services.article_revise(article=approved, actor=author)
    factories.RevisionFactory(
        article=approved,
        created_by=author,
        title="What causes myoclonus (jerks)?",
        sections=[
            {"heading": "From the Guidelines", "body": "Jerks have many causes, most often medicines [1]."},
            {"heading": "Treatment", "body": "Treat the cause first [1]."},
        ],
        references=[],
    )
    factories.ReferenceFactory(revision=approved.current_revision, number=1, title="Myoclonus guideline")
    services.article_submit(article=approved, actor=author)
    open_assignment = services.assignment_create(article=approved, board_member=reviewers[0], actor=editor)
    services.assignment_accept(assignment=open_assignment, actor=reviewers[0].user)
    invitation = services.assignment_create(article=approved, board_member=reviewers[2], actor=editor)
    # Threads on the text: one the author answered, one for editors and the board only.
    thread = thread_open(
        article=approved, actor=reviewers[0].user, field="section", index=0, paragraph=0,
        quote="most often medicines", body="Which medicines? Name the common ones.",
    )  # fmt: skip
    thread_reply(thread=thread, actor=author, body="Added in the next revision.")
    thread_open(
        article=approved, actor=editor, field="section", index=1, paragraph=0, body="Check the source.",
        confidential=True,
    )  # fmt: skip

    submitted = factories.ArticleFactory(authors=[author], specialty=neurology)
    services.article_submit(article=submitted, actor=author)
    changes = factories.ArticleFactory(authors=[author], specialty=neurology)
    services.article_submit(article=changes, actor=author)
    asked = services.assignment_create(article=changes, board_member=reviewers[1], actor=editor)
    services.assignment_accept(assignment=asked, actor=reviewers[1].user)
    services.review_submit(
        assignment=asked, actor=reviewers[1].user, decision=Decision.REQUEST_CHANGES, comments_to_author="Cite more."
    )
    incomplete = factories.ArticleFactory(authors=[author], specialty=neurology, revision=False)
    factories.RevisionFactory(article=incomplete, created_by=author, summary_professional="")
    question = factories.FollowUpQuestionFactory(article=approved)
    # The review checklist (after the reviews above, which were written before it existed).
    for position, (item, required) in enumerate(
        [("Doses, routes and frequencies correct", True), ("Evidence current", False)]
    ):
        factories.ChecklistItemFactory(specialty=neurology, text=item, required=required, position=position)
    return {
        "approved": approved,
        "submitted": submitted,
        "changes": changes,
        "incomplete": incomplete,
        "draft": factories.ArticleFactory(authors=[author], specialty=neurology),
        "assignment": open_assignment,
        "invitation": invitation,
        "reviewer": reviewers[0].user,
        "invited": reviewers[2].user,
        "question": question,
        "editor": editor,
        "author": author,
    }


def serious_violations(page) -> list[str]:
    """Return axe-core's serious and critical violations on the page, one line each."""
    results = axe_playwright.Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(str(n['target']) for n in v['nodes'][:3])}"
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]


def visit_all(page, live_server, screenshot, pages) -> dict:
    """Open every page at both widths; return the problems found, by page and width."""
    problems = {}
    for name, path in pages:
        for width, viewport in WIDTHS.items():
            page.set_viewport_size(viewport)
            response = page.goto(f"{live_server.url}{path}")
            assert response.status == 200, f"{name}: {response.status}"
            page.wait_for_load_state("networkidle")
            screenshot(page, f"page-{name}-{width}")
            found = serious_violations(page)
            overflow = page.evaluate("document.scrollingElement.scrollWidth - innerWidth")
            if overflow:
                found.append(f"scrolls sideways by {overflow} px")
            if found:
                problems[f"{name} at {width}"] = found
    return problems


def test_reader_pages(live_server, new_page, screenshot, site):
    slug = site["approved"].slug
    page = new_page()
    problems = visit_all(
        page,
        live_server,
        screenshot,
        [
            ("reader-list", "/articles/"),
            ("reader-search", "/articles/?q=myoclonus"),
            ("reader-article", f"/articles/{slug}/"),
            ("reader-article-professional", f"/articles/{slug}/?audience=professional"),
            ("reader-follow-up", f"/articles/{slug}/follow-up/"),
            ("editorial-policy", "/editorial-policy/"),
            ("login", "/accounts/login/"),
        ],
    )
    assert problems == {}


def test_author_pages(live_server, new_page, login, screenshot, site):
    page = login(new_page(), site["author"])
    problems = visit_all(
        page,
        live_server,
        screenshot,
        [
            ("author-dashboard", "/author/"),
            ("author-new", "/author/articles/new/"),
            ("author-edit", f"/author/articles/{site['draft'].slug}/edit/"),
            ("author-edit-check", f"/author/articles/{site['incomplete'].slug}/edit/?check=1"),
            ("author-article-incomplete", f"/author/articles/{site['incomplete'].slug}/"),
            ("author-article-changes-requested", f"/author/articles/{site['changes'].slug}/"),
            ("author-article-under-review", f"/author/articles/{site['approved'].slug}/"),
            ("author-preview", f"/author/articles/{site['approved'].slug}/preview/"),
            ("author-diff", f"/author/articles/{site['approved'].slug}/diff/"),
            ("inbox", "/inbox/"),
            ("notification-preferences", "/inbox/preferences/"),
            ("password-change", "/accounts/password/change/"),
            ("account-security", "/accounts/security/"),
            ("api-tokens", "/accounts/tokens/"),
        ],
    )
    assert problems == {}


def test_board_member_pages(live_server, new_page, login, screenshot, site):
    page = login(new_page(), site["reviewer"])
    problems = visit_all(
        page,
        live_server,
        screenshot,
        [
            ("board-dashboard", "/review/"),
            ("board-assignment", f"/review/assignments/{site['assignment'].pk}/"),
        ],
    )
    invited = login(new_page(), site["invited"])
    problems |= visit_all(
        invited,
        live_server,
        screenshot,
        [
            ("board-invitation", f"/review/assignments/{site['invitation'].pk}/"),
            ("board-confirm-accept", f"/review/assignments/{site['invitation'].pk}/accept/"),
            ("board-confirm-decline", f"/review/assignments/{site['invitation'].pk}/decline/"),
        ],
    )
    assert problems == {}


def test_editor_pages(live_server, new_page, login, screenshot, site):
    page = login(new_page(), site["editor"])
    approved = site["approved"]
    problems = visit_all(
        page,
        live_server,
        screenshot,
        [
            ("editor-desk", "/editor/"),
            ("editor-article-submitted", f"/editor/articles/{site['submitted'].slug}/"),
            ("editor-article-under-review", f"/editor/articles/{approved.slug}/"),
            ("intake-queue", "/editor/intake/"),
            ("intake-question", f"/editor/intake/{site['question'].pk}/"),
            ("dashboard", "/dashboard/"),
        ],
    )
    assert problems == {}


def test_the_admins_revision_diff(live_server, new_page, login, screenshot, site):
    admin = factories.UserFactory(
        username="root", first_name="Ann", last_name="Admin", is_staff=True, is_superuser=True
    )
    page = login(new_page(), admin)
    problems = visit_all(
        page, live_server, screenshot, [("admin-revision-diff", f"/admin/articles/article/{site['approved'].pk}/diff/")]
    )
    assert problems == {}


def test_the_admins_outbox_pages(live_server, new_page, login, screenshot, site):
    admin = factories.UserFactory(
        username="root", first_name="Ann", last_name="Admin", is_staff=True, is_superuser=True
    )
    page = login(new_page(), admin)
    problems = visit_all(
        page,
        live_server,
        screenshot,
        [
            ("admin-outbox-events", "/admin/reviewboard/outboxevent/"),
            ("admin-outbox-messages", "/admin/reviewboard/message/?channel__exact=email"),
        ],
    )
    assert problems == {}


def test_the_frame_names_the_person_and_offers_each_role_its_pages(live_server, new_page, login, site):
    factories.MessageFactory(recipient=site["editor"])
    factories.MessageFactory(recipient=site["editor"])

    def inbox(user) -> str:
        unread = Message.objects.inbox_of(user).unread().count()
        return f"Inbox {unread} unread" if unread else "Inbox"

    expected = {
        "author": (site["author"], "Wendy Writer", ["My articles", inbox(site["author"]), "Account"]),
        "reviewer": (site["reviewer"], "Ada Neuron", ["My reviews", inbox(site["reviewer"]), "Account"]),
        "editor": (
            site["editor"],
            "Carl Chair",
            ["Editorial desk", "My articles", "Dashboard", "Reader questions", inbox(site["editor"]), "Account"],
        ),
    }
    assert expected["editor"][2][4].startswith("Inbox ") and "unread" in expected["editor"][2][4]
    for role, (user, name, links) in expected.items():
        page = login(new_page(), user)
        page.goto(f"{live_server.url}/home/")
        nav = page.get_by_role("navigation", name="Workspace")
        texts = nav.get_by_role("link").evaluate_all("links => links.map(l => l.textContent)")
        assert [" ".join(t.split()) for t in texts] == links, role
        expect(page.locator(".app-user__name")).to_have_text(name)
        assert user.username not in page.locator("body").inner_text(), f"{role}: a username is shown"
        current = nav.locator("[aria-current=page]")
        expect(current).to_have_count(1)


def test_the_dashboard_uses_two_columns_on_a_wide_screen_and_folds_each_charts_data(live_server, new_page, login, site):
    page = login(new_page(), site["editor"])
    page.goto(f"{live_server.url}/dashboard/")
    columns = page.evaluate(
        "getComputedStyle(document.querySelector('.dashboard-grid')).gridTemplateColumns.split(' ').length"
    )
    assert columns >= 2
    states, questions = (
        page.locator(f"section[aria-labelledby='{h}']").bounding_box() for h in ("h-states", "h-questions")
    )
    assert states["y"] == questions["y"] and questions["x"] > states["x"] + states["width"] - 1, "side by side"
    for chart in ("h-approvals", "h-times", "h-workload"):
        section = page.locator(f"section[aria-labelledby='{chart}']")
        expect(section.locator("svg.chart")).to_be_visible()
        expect(section.locator("table")).to_be_hidden()
        section.get_by_text("Show data").click()
        expect(section.locator("table")).to_be_visible()
    # Durations carry their unit; a real stay is never "0.0".
    times = page.locator("section[aria-labelledby='h-times'] table tbody").inner_text()
    assert "0.0" not in times
    assert any(unit in times for unit in ("min", " h", "days"))
    filters = page.locator("form.dashboard-filters select").first
    assert page.evaluate("(s) => getComputedStyle(s).appearance", filters.element_handle()) == "none"
    page.set_viewport_size(PHONE)
    columns = page.evaluate(
        "getComputedStyle(document.querySelector('.dashboard-grid')).gridTemplateColumns.split(' ').length"
    )
    assert columns == 1


def test_a_reviewer_sees_only_the_changed_section(live_server, new_page, login, site, screenshot):
    page = login(new_page(), site["reviewer"])
    page.goto(f"{live_server.url}/review/assignments/{site['assignment'].pk}/")
    diff = page.locator(".diff")
    changed = diff.locator(".diff__field--changed")
    expect(changed).to_have_count(1)
    expect(changed.locator(".diff__label")).to_contain_text("From the Guidelines")
    # Words and punctuation apart: only what was added is marked, not the word the comma follows.
    expect(changed.locator(".diff__rendered ins")).to_have_text(", most often medicines")
    expect(changed.locator(".diff__rendered del")).to_have_count(0)
    expect(changed.locator(".diff__rendered")).not_to_contain_text("[1]")  # rendered: the citation is a link
    expect(changed.locator(".diff__rendered a.citation")).to_have_count(1)
    unchanged = diff.locator(".diff__unchanged")
    expect(unchanged.locator("summary")).to_contain_text("Treatment")
    expect(unchanged.locator(".diff__field").first).to_be_hidden()
    source = changed.locator(".diff__source")
    source.locator("summary").click()
    expect(source.locator(".diff__text")).to_contain_text("[1]")
    screenshot(page, "diff-reviewer-desktop")


def test_an_incomplete_draft_offers_no_submit_but_what_to_fix(live_server, new_page, login, site):
    page = login(new_page(), site["author"])
    page.goto(f"{live_server.url}/author/articles/{site['incomplete'].slug}/")
    expect(page.get_by_role("button", name="Submit for review")).to_have_count(0)
    expect(page.get_by_text("Before you can submit, fix 1 thing")).to_be_visible()
    page.get_by_role("link", name="Fix them in the editor").click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    summary.get_by_role("link").first.click()
    expect(page.locator("#id_summary_professional")).to_be_focused()
    assert site["incomplete"].state == ArticleState.DRAFT


# What readers are shown (issue 15, issue 19.6): the board, a profile, corrections, what changed, a retraction,
# and the reader page to the letter of the reference.

TRUST_SECTIONS = [
    {"heading": "From the Guidelines", "body": "Myoclonus has many causes [1]."},
    {"heading": "Possible Causes of Myoclonus", "level": 2, "body": "- Epilepsy\n- Syncope\n- Certain medications [1]"},
    {
        "heading": "Treatment of Myoclonus",
        "level": 2,
        "body": (
            "Treatment depends on the cause [1].\n\n::: professional\nClonazepam 0.5-2 mg daily, valproic acid "
            "250-500 mg twice daily or levetiracetam 500-1500 mg twice daily [1].\n:::\n\n::: patient\nYour doctor "
            "will look for the cause first, then may suggest a medicine to calm the jerks [1].\n:::"
        ),
    },
    {"heading": "From the Research", "body": ""},
    {"heading": "Causes of Myoclonus", "level": 2, "body": "Most causes are symptomatic [2]."},
    {"heading": "Classification of Myoclonus", "level": 2, "body": "Physiology guides treatment [2]."},
]


@pytest.fixture
def trust(author, editor, neurology):
    """A twice-approved article (the second approval a correction), a retracted one, a verified board with profiles."""
    import datetime

    from django.utils import timezone

    from articles import services as content
    from articles.models import ChangeNote
    from reviewboard.services_profiles import board_member_verify, board_profile_update, byline_update

    author.first_name, author.last_name = "Wendy", "Writer"
    author.save()
    editor.first_name, editor.last_name = "Carl", "Chair"
    editor.save()
    byline_update(user=author, actor=author, credentials="MD, MPH")
    members = [
        factories.BoardMemberFactory(
            user__username=f"trust{n}", user__first_name=first, user__last_name=last, specialties=[neurology]
        )
        for n, (first, last) in enumerate((("Helen", "Carter"), ("Samuel", "Lindqvist")))
    ]
    board_profile_update(member=members[0], actor=members[0].user, affiliation="Riverside University Hospital",
                         orcid="0000-0002-1825-0097")  # fmt: skip
    board_profile_update(member=members[1], actor=members[1].user, affiliation="Northgate Clinic",
                         disclosure="Consulting fees from a maker of deep brain stimulators.")  # fmt: skip
    for member in members:
        board_member_verify(member=member, actor=editor)
    article = factories.ArticleFactory(authors=[author], specialty=neurology, revision=False)
    factories.RevisionFactory(
        article=article,
        created_by=author,
        title="What causes myoclonus (jerks)?",
        summary_patient="Sudden jerks of a muscle have many causes, most of them treatable.",
        summary_professional="Myoclonus is mostly symptomatic; identify the cause, then treat by physiology.",
        sections=TRUST_SECTIONS,
        references=[],
    )
    factories.ReferenceFactory(
        revision=article.current_revision, number=1, kind="guideline", title="Guideline directed topic overview",
        source="Medical Advisory Board", year=2025,
    )  # fmt: skip
    factories.ReferenceFactory(revision=article.current_revision, number=2, kind="research",
                               title="Myoclonus: current concepts and recent advances", authors="Caviness JN, Brown P",
                               source="Lancet Neurol", year=2004, volume="3", issue="10", pages="598-607")  # fmt: skip
    first = factories.publish(article, reviewers=members, when=timezone.now() - datetime.timedelta(days=200))
    ChangeNote.objects.filter(revision=first.approved_revision).update(approved_at=first.approved_at)
    services.article_revise(article=first, actor=author)
    first.refresh_from_db()
    draft = content.revision_content(first.current_revision)
    draft.sections[2]["body"] = draft.sections[2]["body"].replace("500-1500 mg", "250-1500 mg")
    content.revision_create(article=first, actor=author, content=draft)
    content.change_note_write(article=first, actor=author, is_correction=True,
                              text_for_readers="Corrects the starting dose of levetiracetam.")  # fmt: skip
    approved = factories.publish(first, reviewers=members)
    retracted = factories.publish(factories.ArticleFactory(authors=[author], specialty=neurology), reviewers=members)
    services.article_retract(article=retracted, actor=editor, reason="Superseded by newer trial data.")
    return {"article": approved, "retracted": retracted, "members": members, "editor": editor}


def test_trust_pages(live_server, new_page, screenshot, trust):
    slug = trust["article"].slug
    page = new_page()
    problems = visit_all(
        page,
        live_server,
        screenshot,
        [
            ("reader-article-reference", f"/articles/{slug}/"),
            ("reader-article-reference-professional", f"/articles/{slug}/?audience=professional"),
            ("board", "/board/"),
            ("board-profile", f"/board/{trust['members'][0].slug}/"),
            ("corrections", "/corrections/"),
            ("what-changed", f"/articles/{slug}/changes/"),
        ],
    )
    # The retraction notice answers 410: the same checks, its own status.
    for width, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        response = page.goto(f"{live_server.url}/articles/{trust['retracted'].slug}/")
        assert response.status == 410
        screenshot(page, f"page-retraction-notice-{width}")
        if found := serious_violations(page):
            problems[f"retraction-notice at {width}"] = found
    assert problems == {}


def test_the_reader_page_follows_the_reference(live_server, new_page, trust):
    page = new_page()
    page.goto(f"{live_server.url}/articles/{trust['article'].slug}/")

    expect(page.get_by_role("heading", name="Article Review Status")).to_be_visible()
    expect(page.get_by_text("Educational purpose only")).to_be_visible()
    expect(page.get_by_text("pending human review")).to_have_count(0)  # an approved page
    guidelines = page.locator("section.article__section", has=page.get_by_role("heading", name="From the Guidelines"))
    expect(guidelines.locator("section.article__subsection h3")).to_have_text(
        ["Possible Causes of Myoclonus", "Treatment of Myoclonus"]
    )
    expect(page.get_by_text("This information is intended for healthcare professionals.")).to_be_visible()
    expect(page.get_by_text("Next review due:")).to_be_visible()
    expect(page.get_by_text("Wendy Writer, MD, MPH")).to_be_visible()
    expect(page.get_by_text("Disclosure: Consulting fees")).to_be_visible()
    page.get_by_role("link", name="Medical Advisory Board", exact=True).click()
    expect(page.get_by_role("heading", name="Our Medical Advisory Board")).to_be_visible()


def test_on_a_phone_title_status_and_summary_are_on_the_first_screen(live_server, new_page, trust):
    page = new_page(PHONE)
    page.goto(f"{live_server.url}/articles/{trust['article'].slug}/")

    for locator in (
        page.locator("h1"),
        page.get_by_role("heading", name="Article Review Status"),
        page.locator(".stepper"),
        page.locator(".summary [data-for=patient] p"),
    ):
        box = locator.bounding_box()
        assert box is not None and box["y"] + box["height"] <= PHONE["height"], locator


def test_the_audience_switch_keeps_the_readers_place_and_switches_the_passages(live_server, new_page, trust):
    page = new_page(PHONE)
    url = f"{live_server.url}/articles/{trust['article'].slug}/"
    page.goto(url)
    patient = page.get_by_text("Your doctor will look for the cause first")
    professional = page.get_by_text("Clonazepam 0.5-2 mg daily")
    expect(patient).to_be_visible()
    expect(professional).to_be_hidden()
    button = page.get_by_role("button", name="Healthcare professional")
    button.scroll_into_view_if_needed()
    page.mouse.wheel(0, 120)
    page.wait_for_timeout(200)
    before, button_before = page.evaluate("scrollY"), button.bounding_box()["y"]

    button.click()

    expect(professional).to_be_visible()
    expect(patient).to_be_hidden()
    expect(button).to_have_attribute("aria-pressed", "true")
    assert page.url == url  # no reload
    assert abs(button.bounding_box()["y"] - button_before) <= 2  # the reader's place is kept
    assert page.evaluate("scrollY") != 0 or before == 0
    assert {c["name"]: c["value"] for c in page.context.cookies()}["audience"] == "professional"
    page.reload()
    expect(professional).to_be_visible()  # remembered by the server too


def test_a_question_is_asked_from_the_article_page_and_answered_from_reviewed_text(
    live_server, new_page, trust, screenshot
):
    from articles.followup_models import FollowUpQuestion

    page = new_page()
    page.goto(f"{live_server.url}/articles/{trust['article'].slug}/")
    page.get_by_label("Your question").fill("Is levetiracetam used for the treatment of myoclonus?")
    page.get_by_role("button", name="Send question").click()

    expect(page.get_by_text("Thank you. Your question was sent to our editors.")).to_be_visible()
    assert FollowUpQuestion.objects.get().question == "Is levetiracetam used for the treatment of myoclonus?"
    answer = page.locator(".instant-answer")
    expect(answer.get_by_role("heading", name="From our reviewed articles")).to_be_visible()
    expect(answer.locator("mark").first).to_be_visible()
    expect(answer.locator(".passage__meta").first).to_contain_text("Reviewed")
    problems = {}
    for width, viewport in WIDTHS.items():
        page.set_viewport_size(viewport)
        screenshot(page, f"page-instant-answer-{width}")
        if found := serious_violations(page):
            problems[width] = found
    assert problems == {}


def test_the_preview_of_an_unapproved_revision_says_it_is_pending_review(live_server, new_page, login, site):
    from articles.preview import preview_url

    page = login(new_page(), site["author"])
    page.goto(f"{live_server.url}{preview_url(site['approved'].current_revision)}")

    expect(page.get_by_text("Exercise caution as content is pending human review")).to_be_visible()
