import pytest

from articles.models import Article, ArticleState
from reviewboard import services
from reviewboard.models import Decision
from tests import factories

pytestmark = pytest.mark.django_db


def editor_post(*, title="What causes myoclonus?", sections=None, references=None, **extra):
    """Return the POST data of the author's editor form."""
    sections = sections if sections is not None else [("From the Guidelines", "Myoclonus is a brief jerk [1].")]
    references = references if references is not None else [{"kind": "guideline", "title": "AAN guideline"}]
    data = {
        "title": title,
        "summary_patient": "A jerk you cannot control.",
        "summary_professional": "Sudden involuntary muscle contraction.",
        "change_note": "",
        "sections-TOTAL_FORMS": str(len(sections)),
        "sections-INITIAL_FORMS": "0",
        "references-TOTAL_FORMS": str(len(references)),
        "references-INITIAL_FORMS": "0",
        **extra,
    }
    for index, (heading, body) in enumerate(sections):
        data |= {f"sections-{index}-heading": heading, f"sections-{index}-body": body}
        data[f"sections-{index}-ORDER"] = str(index + 1)
    for index, reference in enumerate(references):
        data |= {f"references-{index}-{name}": value for name, value in reference.items()}
        data[f"references-{index}-ORDER"] = str(index + 1)
    return data


@pytest.fixture
def author_client(client, author):
    client.force_login(author)
    return client


def test_dashboard_groups_my_articles_by_state(author_client, author, neurology):
    mine = factories.ArticleFactory(authors=[author], specialty=neurology)
    other = factories.ArticleFactory()
    response = author_client.get("/author/")
    assert response.status_code == 200
    assert mine.title.encode() in response.content
    assert other.title.encode() not in response.content
    assert b"Draft" in response.content


def test_author_creates_a_draft_with_sections_and_references(author_client, author, neurology):
    response = author_client.post("/author/articles/new/", editor_post(specialty=neurology.pk))
    article = Article.objects.get(slug="what-causes-myoclonus")
    assert response.status_code == 302
    assert response.url == f"/author/articles/{article.slug}/"
    revision = article.current_revision
    assert revision.sections == [{"heading": "From the Guidelines", "body": "Myoclonus is a brief jerk [1]."}]
    assert list(revision.references.values_list("number", "title")) == [(1, "AAN guideline")]
    assert list(article.authors.all()) == [author]


def test_sections_are_reordered_and_deleted(author_client, article):
    data = editor_post(sections=[("First", "One [1]."), ("Second", "Two [1]."), ("Gone", "x")])
    data |= {"sections-0-ORDER": "2", "sections-1-ORDER": "1", "sections-2-DELETE": "on"}
    response = author_client.post(f"/author/articles/{article.slug}/edit/", data)
    assert response.status_code == 302
    article.refresh_from_db()
    assert [s["heading"] for s in article.current_revision.sections] == ["Second", "First"]
    assert article.current_revision.number == 2


def test_service_errors_show_beside_the_reference(author_client, article):
    data = editor_post(references=[{"kind": "", "title": "Untyped"}])
    response = author_client.post(f"/author/articles/{article.slug}/edit/", data)
    assert response.status_code == 400
    references = response.context["editor"].references
    assert references.forms[0].errors["kind"] == ["Reference 1: choose its kind: guideline, research, review, other."]
    article.refresh_from_db()
    assert article.current_revision.number == 1


def test_saving_a_draft_with_a_dangling_citation_shows_it_beside_the_section(author_client, article):
    data = editor_post(sections=[("From the Guidelines", "Cites a missing one [2].")])
    response = author_client.post(f"/author/articles/{article.slug}/edit/", data, follow=True)
    assert response.redirect_chain[-1][0].endswith("/edit/?check=1")
    sections = response.context["editor"].sections
    assert "cites [2], but there is no reference 2" in str(sections.forms[0].errors["body"])


def test_submitting_an_incomplete_draft_sends_author_to_the_marked_fields(author_client, author, neurology):
    article = factories.ArticleFactory(authors=[author], specialty=neurology, revision=False)
    factories.RevisionFactory(article=article, created_by=author, summary_patient="")
    response = author_client.post(f"/workspace/articles/{article.slug}/submit/", follow=True)
    assert "summary for patients and caregivers is required" in str(response.context["editor"].form.errors)
    article.refresh_from_db()
    assert article.state == ArticleState.DRAFT


def test_author_submits_and_withdraws_with_reason(author_client, article):
    author_client.post(f"/workspace/articles/{article.slug}/submit/")
    article.refresh_from_db()
    assert article.state == ArticleState.SUBMITTED
    response = author_client.post(f"/workspace/articles/{article.slug}/withdraw/", {"reason": ""}, follow=True)
    assert b"Give a reason to withdraw." in response.content
    author_client.post(f"/workspace/articles/{article.slug}/withdraw/", {"reason": "New data came out"})
    article.refresh_from_db()
    assert article.state == ArticleState.DRAFT
    assert article.transitions.last().reason == "New data came out"


def test_editing_a_submitted_article_is_refused_with_a_message(author_client, article, author):
    services.article_submit(article=article, actor=author)
    response = author_client.get(f"/author/articles/{article.slug}/edit/", follow=True)
    assert b"withdraw or revise it to edit it" in response.content


def test_author_cannot_see_another_authors_article(author_client):
    other = factories.ArticleFactory()
    for suffix in ("", "edit/", "preview/", "diff/"):
        assert author_client.get(f"/author/articles/{other.slug}/{suffix}").status_code == 404
    assert author_client.post(f"/workspace/articles/{other.slug}/submit/").status_code == 404


def test_board_member_without_author_role_cannot_use_author_workspace(client, board):
    client.force_login(board[0].user)
    assert client.get("/author/").status_code == 403


def test_feedback_shows_comments_to_author_never_confidential_ones(author_client, article, author, editor, board):
    services.article_submit(article=article, actor=author)
    assignment = services.assignment_create(article=article, board_member=board[0], actor=editor)
    services.assignment_accept(assignment=assignment, actor=board[0].user)
    services.review_submit(
        assignment=assignment,
        actor=board[0].user,
        decision=Decision.REQUEST_CHANGES,
        comments_to_author="Please cite the 2024 guideline.",
        confidential_comments="SECRET-NOTE-FOR-EDITORS",
    )
    response = author_client.get(f"/author/articles/{article.slug}/")
    assert b"Please cite the 2024 guideline." in response.content
    assert b"SECRET-NOTE-FOR-EDITORS" not in response.content
    assert b"Resubmit for review" not in response.content or b"Changes requested" in response.content


def test_preview_renders_markdown_with_citation_links(author_client, article):
    response = author_client.get(f"/author/articles/{article.slug}/preview/")
    assert response.status_code == 200
    assert b'href="#ref-1"' in response.content
    assert b'id="ref-1"' in response.content
    assert b"Readers do not see it" in response.content


def test_preview_escapes_raw_html(author_client, article):
    data = editor_post(sections=[("S", "<script>alert(1)</script> text [1]")])
    author_client.post(f"/author/articles/{article.slug}/edit/", data)
    response = author_client.get(f"/author/articles/{article.slug}/preview/")
    assert b"<script>alert(1)</script>" not in response.content


def test_history_diff_between_two_revisions(author_client, article):
    author_client.post(
        f"/author/articles/{article.slug}/edit/", editor_post(title=article.current_revision.title + " Revised")
    )
    response = author_client.get(f"/author/articles/{article.slug}/diff/?from=1&to=2")
    assert response.status_code == 200
    assert b"<ins>" in response.content
    assert b"<del>" in response.content
    first = author_client.get(f"/author/articles/{article.slug}/diff/?from=0&to=1")
    assert b"first version" in first.content


def test_revise_an_approved_article_opens_a_new_draft(author_client, author, neurology):
    article = factories.ArticleFactory(authors=[author], specialty=neurology)
    Article.objects.filter(pk=article.pk).update(
        state=ArticleState.APPROVED, approved_revision=article.current_revision
    )
    response = author_client.post(f"/workspace/articles/{article.slug}/revise/")
    assert response.url == f"/author/articles/{article.slug}/edit/"
    article.refresh_from_db()
    assert article.state == ArticleState.DRAFT


def test_forms_carry_csrf_tokens(author_client, article):
    for url in (f"/author/articles/{article.slug}/", f"/author/articles/{article.slug}/edit/", "/author/articles/new/"):
        assert b"csrfmiddlewaretoken" in author_client.get(url).content


def test_dashboard_queries_do_not_grow_with_articles(author_client, author, neurology, django_assert_max_num_queries):
    factories.ArticleFactory.create_batch(2, authors=[author], specialty=neurology)
    with django_assert_max_num_queries(9) as small:  # 8, and the frame's unread count
        author_client.get("/author/")
    factories.ArticleFactory.create_batch(10, authors=[author], specialty=neurology)
    with django_assert_max_num_queries(len(small.captured_queries)):
        author_client.get("/author/")


def test_submit_is_offered_only_when_the_draft_is_ready_and_the_article_page_says_what_is_missing(
    author_client, author, neurology
):
    article = factories.ArticleFactory(authors=[author], specialty=neurology, revision=False)
    factories.RevisionFactory(article=article, created_by=author, summary_patient="")
    html = author_client.get(f"/author/articles/{article.slug}/").content.decode()
    assert "Submit for review" not in html
    assert "Before you can submit, fix 1 thing" in html
    assert "The summary for patients and caregivers is required." in html
    author_client.post(f"/author/articles/{article.slug}/edit/", editor_post(title=article.current_revision.title))
    html = author_client.get(f"/author/articles/{article.slug}/").content.decode()
    assert "Submit for review" in html and "Before you can submit" not in html


def test_required_marks_come_from_what_submission_requires(author_client, article):
    html = author_client.get(f"/author/articles/{article.slug}/edit/").content.decode()
    for field in ("id_title", "id_summary_patient", "id_summary_professional", "id_sections-0-body"):
        label = html[html.index(f'<label for="{field}"') :].split("</label>")[0]
        assert 'class="required"' in label, field
    change_note = html[html.index('<label for="id_change_note"') :].split("</label>")[0]
    assert 'class="required"' not in change_note


def test_the_error_summary_links_each_problem_to_its_field(author_client, article):
    data = editor_post(title="", references=[{"kind": "", "title": "Untyped"}])
    response = author_client.post(f"/author/articles/{article.slug}/edit/", data)
    summary = [(item.message, item.target) for item in response.context["error_summary"]]
    assert ("The title is required.", "id_title") in summary
    assert ("Reference 1: choose its kind: guideline, research, review, other.", "id_references-0-kind") in summary
    assert b'href="#id_references-0-kind"' in response.content


def test_add_without_javascript_shows_one_more_empty_section_and_saves_nothing(author_client, article):
    response = author_client.post(f"/author/articles/{article.slug}/edit/", editor_post() | {"add": "sections"})
    assert response.status_code == 200
    assert b'name="sections-1-heading"' in response.content
    article.refresh_from_db()
    assert article.current_revision.number == 1


def test_references_reordered_without_javascript_carry_their_citations(author_client, article):
    data = editor_post(
        sections=[("S", "Iron [1], dopamine [2], both [1, 2].")],
        references=[{"kind": "research", "title": "Iron"}, {"kind": "guideline", "title": "Dopamine"}],
    )
    data |= {"references-0-ORDER": "2", "references-1-ORDER": "1"}
    author_client.post(f"/author/articles/{article.slug}/edit/", data)
    article.refresh_from_db()
    revision = article.current_revision
    assert [r.title for r in revision.references.order_by("number")] == ["Dopamine", "Iron"]
    assert revision.sections[0]["body"] == "Iron [2], dopamine [1], both [2, 1]."


def test_a_removed_reference_leaves_its_citations_dangling_for_the_submission_check(author_client, article):
    data = editor_post(
        sections=[("S", "Iron [1], dopamine [2].")],
        references=[{"kind": "research", "title": "Iron"}, {"kind": "guideline", "title": "Dopamine"}],
    )
    data |= {"references-0-DELETE": "on"}
    response = author_client.post(f"/author/articles/{article.slug}/edit/", data, follow=True)
    article.refresh_from_db()
    assert article.current_revision.sections[0]["body"] == "Iron [2], dopamine [1]."
    assert "cites [2], but there is no reference 2" in response.content.decode()


def test_autosave_goes_through_revision_create_and_skips_unchanged_content(author_client, article):
    url = f"/author/articles/{article.slug}/autosave/"
    revision = article.current_revision
    data = editor_post(
        title=revision.title,
        sections=[(s["heading"], s["body"]) for s in revision.sections],
        references=[
            {"kind": r.kind, "title": r.title, "source": r.source, "year": r.year} for r in revision.references.all()
        ],
    ) | {"summary_patient": revision.summary_patient, "summary_professional": revision.summary_professional}
    answer = author_client.post(url, data).json()
    assert answer["status"] == "saved" and answer["revision"] == 1
    answer = author_client.post(url, data | {"summary_patient": "Changed."}).json()
    assert answer["status"] == "saved" and answer["revision"] == 2
    assert author_client.post(url, data | {"title": ""}).json()["errors"][0]["target"] == "id_title"


def test_the_live_preview_renders_unsaved_content_with_the_readers_renderer(author_client, article):
    data = editor_post(sections=[("From the Research", "Iron helps [1]. <script>x</script>")])
    response = author_client.post("/author/preview/", data)
    html = response.content.decode()
    assert '<a class="citation" href="#ref-1"' in html
    assert 'id="ref-1"' in html and "AAN guideline" in html
    assert "<script>x" not in html
    article.refresh_from_db()
    assert article.current_revision.number == 1


def test_my_articles_are_paged_and_filtered_by_state(author_client, author, neurology):
    factories.ArticleFactory.create_batch(27, authors=[author], specialty=neurology)
    submitted = factories.ArticleFactory(authors=[author], specialty=neurology)
    services.article_submit(article=submitted, actor=author)
    first = author_client.get("/author/")
    assert len(first.context["page"].object_list) == 25
    assert first.context["page"].paginator.count == 28
    assert {(value, count) for _, value, count in first.context["states"]} == {("draft", 27), ("submitted", 1)}
    only_submitted = author_client.get("/author/?state=submitted")
    assert list(only_submitted.context["page"].object_list) == [submitted]
    last = author_client.get("/author/?page=2")
    assert len(last.context["page"].object_list) == 3


def test_add_with_a_tampered_form_count_is_refused_without_an_error_page(author_client, article):
    data = editor_post() | {"add": "sections", "sections-TOTAL_FORMS": "many"}
    response = author_client.post(f"/author/articles/{article.slug}/edit/", data)
    assert response.status_code in (200, 400)
    article.refresh_from_db()
    assert article.current_revision.number == 1
