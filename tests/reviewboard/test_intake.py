import pytest
from django.core.cache import cache

from articles.exceptions import ActionForbidden, InvalidTransition, ValidationFailed
from articles.followup_models import FollowUpQuestion, FollowUpStatus
from articles.models import Article
from reviewboard.intake.services import question_close, question_convert
from reviewboard.notifications.models import OutboxEvent
from tests import factories

pytestmark = pytest.mark.django_db

QUESTION = "Can myoclonus be caused by my medication?"


@pytest.fixture(autouse=True)
def _intake_urls(settings):
    settings.ROOT_URLCONF = "tests.reviewboard.intake_urls"
    cache.clear()


@pytest.fixture
def question(published):
    return FollowUpQuestion.objects.create(article=published, question=QUESTION, email="reader@example.org")


@pytest.fixture
def writer(db):
    return factories.AuthorFactory(username="writer", first_name="Wendy", last_name="Writer")


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def test_editor_sees_open_questions_in_the_queue(editor_client, question):
    response = editor_client.get("/editor/intake/")

    assert response.status_code == 200
    html = response.content.decode()
    assert QUESTION in html
    assert question.article.approved_revision.title in html


def test_reader_text_is_escaped_in_the_queue_and_on_the_question_page(editor_client, published):
    question = FollowUpQuestion.objects.create(article=published, question="<script>alert(1)</script> Why so?")

    for url in ("/editor/intake/", f"/editor/intake/{question.pk}/"):
        html = editor_client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


@pytest.mark.parametrize("who", ["author", "board member", "reader"])
def test_only_editors_may_open_the_queue(client, question, who):
    user = {
        "author": lambda: factories.AuthorFactory(),
        "board member": lambda: factories.BoardMemberFactory().user,
        "reader": lambda: factories.UserFactory(),
    }[who]()
    client.force_login(user)

    for url in ("/editor/intake/", f"/editor/intake/{question.pk}/"):
        assert client.get(url).status_code == 403
    assert client.post(f"/editor/intake/{question.pk}/close/", {"reason": "No"}).status_code == 403
    question.refresh_from_db()
    assert question.status == FollowUpStatus.OPEN


def test_anonymous_visitor_is_sent_to_log_in(client, question):
    response = client.get("/editor/intake/")

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_reader_question_lands_in_the_queue_and_in_the_outbox(client, editor, published):
    client.post(f"/articles/{published.slug}/follow-up/", {"question": QUESTION})

    question = FollowUpQuestion.objects.get()
    event = OutboxEvent.objects.get(kind="question_received")
    assert (event.article_id, event.actor_id, event.payload) == (published.pk, None, {"question_id": question.pk})
    client.force_login(editor)
    assert QUESTION in client.get("/editor/intake/").content.decode()


def test_editor_turns_a_question_into_a_draft_for_an_author(editor_client, editor, question, writer, neurology):
    response = editor_client.post(
        f"/editor/intake/{question.pk}/convert/",
        {"slug": "myoclonus-and-medicines", "specialty": neurology.pk, "author": writer.pk, "title": ""},
        follow=True,
    )

    assert response.status_code == 200
    assert "started for" in response.content.decode()
    article = Article.objects.get(slug="myoclonus-and-medicines")
    assert list(article.authors.all()) == [writer]
    assert article.state == "draft"
    assert article.current_revision.title == QUESTION
    assert QUESTION in article.current_revision.sections[0]["body"]
    question.refresh_from_db()
    assert (question.status, question.converted_article, question.handled_by) == ("converted", article, editor)
    # A draft is no reader's business.
    assert editor_client.get("/articles/myoclonus-and-medicines/").status_code == 404


def test_the_chosen_author_must_be_in_the_authors_group(editor_client, question, neurology):
    outsider = factories.UserFactory()

    response = editor_client.post(
        f"/editor/intake/{question.pk}/convert/",
        {"slug": "new-article", "specialty": neurology.pk, "author": outsider.pk},
    )

    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not Article.objects.filter(slug="new-article").exists()


def test_a_taken_address_is_refused_and_the_question_stays_open(editor_client, question, writer, neurology):
    response = editor_client.post(
        f"/editor/intake/{question.pk}/convert/",
        {"slug": question.article.slug, "specialty": neurology.pk, "author": writer.pk},
    )

    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    question.refresh_from_db()
    assert question.status == FollowUpStatus.OPEN


def test_editor_closes_a_question_with_a_reason(editor_client, editor, question):
    response = editor_client.post(f"/editor/intake/{question.pk}/close/", {"reason": "Answered by the article."})

    assert response.status_code == 302
    question.refresh_from_db()
    assert (question.status, question.closed_reason, question.handled_by) == (
        "closed",
        "Answered by the article.",
        editor,
    )
    html = editor_client.get("/editor/intake/").content.decode()
    assert "Closed: Answered by the article." in html


def test_closing_needs_a_reason(editor_client, question):
    response = editor_client.post(f"/editor/intake/{question.pk}/close/", {"reason": "  "})

    assert response.status_code == 400
    assert "The reason is required." in response.content.decode()


def test_a_handled_question_cannot_be_handled_again(editor_client, editor, question, writer, neurology):
    question_close(question=question, actor=editor, reason="Duplicate.")

    response = editor_client.post(
        f"/editor/intake/{question.pk}/convert/", {"slug": "again", "specialty": neurology.pk, "author": writer.pk}
    )

    assert response.status_code == 409
    assert not Article.objects.filter(slug="again").exists()


def test_services_check_the_actor_and_the_state(question, writer, neurology, editor):
    with pytest.raises(ActionForbidden):
        question_close(question=question, actor=writer, reason="No.")
    with pytest.raises(ActionForbidden):
        question_convert(question=question, actor=writer, author=writer, slug="x", specialty=neurology)
    with pytest.raises(ValidationFailed):
        question_convert(question=question, actor=editor, author=editor, slug="x", specialty=neurology)
    question_close(question=question, actor=editor, reason="Out of scope.")
    with pytest.raises(InvalidTransition):
        question_close(question=question, actor=editor, reason="Again.")
    assert not Article.objects.filter(slug="x").exists()


def test_the_queue_is_paged_oldest_first(editor_client, published):
    questions = [FollowUpQuestion.objects.create(article=published, question=f"{QUESTION} ({n})") for n in range(30)]
    first = editor_client.get("/editor/intake/")
    second = editor_client.get("/editor/intake/?page=2")
    assert list(first.context["questions"]) == questions[:25]
    assert list(second.context["questions"]) == questions[25:]
    assert b"Page 1 of 2" in first.content
