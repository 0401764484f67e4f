import pytest
from django.core.cache import cache
from django.test import Client

from articles.followup_models import FollowUpQuestion
from articles.signals import followup_received
from tests import factories

pytestmark = pytest.mark.django_db

QUESTION = "Can myoclonus be caused by my medication?"


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def follow_up_url(article):
    return f"/articles/{article.slug}/follow-up/"


def test_article_page_holds_the_question_box_posting_to_the_follow_up_service(client, published):
    html = client.get(f"/articles/{published.slug}/").content.decode()

    assert "Have a follow-up question?" in html
    assert f'<form method="post" action="/articles/{published.slug}/follow-up/" class="follow-up__form">' in html
    assert 'name="question"' in html
    # The article page is cached for every reader: it carries no token or message of anyone's.
    assert "csrfmiddlewaretoken" not in html


def test_question_sent_from_the_cached_article_page_without_a_token_is_taken(published):
    reader = Client(enforce_csrf_checks=True)

    response = reader.post(
        follow_up_url(published),
        {"question": QUESTION},
        HTTP_ORIGIN="http://testserver",
        HTTP_SEC_FETCH_SITE="same-origin",
    )

    assert response.status_code == 302
    assert FollowUpQuestion.objects.get().question == QUESTION


def test_follow_up_page_shows_the_form_with_csrf_and_is_never_cached(client, published):
    response = client.get(follow_up_url(published))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Have a follow-up question?" in html
    assert published.approved_revision.title in html
    assert f'action="/articles/{published.slug}/follow-up/"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert 'name="website"' in html  # the honeypot, hidden from people
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]


def test_reader_sends_a_question_and_sees_a_thank_you(client, published):
    response = client.post(follow_up_url(published), {"question": QUESTION, "email": "reader@example.org"}, follow=True)

    assert response.redirect_chain[-1][0].startswith(f"/articles/{published.slug}/follow-up/?answer=")
    assert response.redirect_chain[-1][0].endswith("#follow-up")
    assert "Your question was sent to our editors." in response.content.decode()
    question = FollowUpQuestion.objects.get()
    assert (question.article, question.question, question.email, question.status) == (
        published,
        QUESTION,
        "reader@example.org",
        "open",
    )


def test_thank_you_is_shown_once_and_never_on_the_article_page(client, published):
    client.post(follow_up_url(published), {"question": QUESTION})

    article_html = client.get(f"/articles/{published.slug}/").content.decode()
    first = client.get(follow_up_url(published)).content.decode()
    second = client.get(follow_up_url(published)).content.decode()

    assert "Your question was sent to our editors." not in article_html
    assert "Your question was sent to our editors." in first
    assert "Your question was sent to our editors." not in second


def test_sending_a_question_signals_it_inside_the_transaction(client, published):
    received = []

    def receiver(sender, question, **kwargs):
        received.append(question.pk)

    followup_received.connect(receiver)
    try:
        client.post(follow_up_url(published), {"question": QUESTION})
    finally:
        followup_received.disconnect(receiver)

    assert received == [FollowUpQuestion.objects.get().pk]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"question": ""}, "The question is required."),
        ({"question": "Why?"}, "Please write your question in a sentence or two."),
        ({"question": "x" * 2001}, "The question is longer than 2,000 characters (it has 2,001)."),
        ({"question": QUESTION, "email": "not-an-email"}, "Enter an email address like name@example.org"),
    ],
)
def test_invalid_question_is_refused_with_a_message_beside_the_field(client, published, data, message):
    response = client.post(follow_up_url(published), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert not FollowUpQuestion.objects.exists()


def test_refused_form_still_shows_only_the_approved_text(client, published):
    approved_title = published.approved_revision.title
    published.revise()
    published.save()
    factories.RevisionFactory(article=published, title="Unapproved draft title?")

    html = client.post(follow_up_url(published), {"question": ""}).content.decode()

    assert approved_title in html
    assert "Unapproved draft title?" not in html


def test_filled_honeypot_is_thanked_and_ignored(client, published):
    response = client.post(follow_up_url(published), {"question": QUESTION, "website": "http://spam.example"})

    assert response.status_code == 302
    assert not FollowUpQuestion.objects.exists()


def test_more_than_five_questions_an_hour_from_one_address_are_refused(client, published, settings):
    settings.FOLLOWUP_RATE_LIMIT = 5
    for _ in range(5):
        assert client.post(follow_up_url(published), {"question": QUESTION}).status_code == 302

    response = client.post(follow_up_url(published), {"question": QUESTION})
    other_address = client.post(follow_up_url(published), {"question": QUESTION}, REMOTE_ADDR="10.0.0.9")

    assert response.status_code == 429
    assert "Please try again in an hour." in response.content.decode()
    assert other_address.status_code == 302
    assert FollowUpQuestion.objects.count() == 6


def test_forwarded_address_is_trusted_only_behind_a_configured_proxy(client, published, settings):
    settings.FOLLOWUP_RATE_LIMIT = 1
    spoofed = {"HTTP_X_FORWARDED_FOR": "1.1.1.1"}
    assert client.post(follow_up_url(published), {"question": QUESTION}, **spoofed).status_code == 302
    # Without a trusted proxy a made-up header does not buy a new allowance.
    assert (
        client.post(follow_up_url(published), {"question": QUESTION}, HTTP_X_FORWARDED_FOR="2.2.2.2").status_code == 429
    )

    settings.TRUSTED_PROXY_COUNT = 1
    assert (
        client.post(follow_up_url(published), {"question": QUESTION}, HTTP_X_FORWARDED_FOR="3.3.3.3").status_code == 302
    )


@pytest.mark.parametrize(
    "headers",
    [{"HTTP_ORIGIN": "https://elsewhere.example"}, {"HTTP_SEC_FETCH_SITE": "cross-site"}],
)
def test_question_posted_from_another_site_is_refused(published, headers):
    response = Client(enforce_csrf_checks=True).post(follow_up_url(published), {"question": QUESTION}, **headers)

    assert response.status_code == 403
    assert not FollowUpQuestion.objects.exists()


def test_questions_about_unpublished_articles_are_not_found(client, article):
    response = client.post(follow_up_url(article), {"question": QUESTION})

    assert response.status_code == 404
    assert not FollowUpQuestion.objects.exists()


def test_follow_up_page_of_an_unpublished_article_is_not_found(client, article):
    assert client.get(follow_up_url(article)).status_code == 404


def test_the_follow_up_address_takes_no_other_method(client, published):
    assert client.put(follow_up_url(published)).status_code == 405


def test_the_question_is_answered_at_once_from_approved_text_only(client, published, author):
    from articles import services as content
    from reviewboard import services

    assert "well known" in published.approved_revision.sections[0]["body"]
    services.article_revise(article=published, actor=author)
    published.refresh_from_db()
    draft = content.revision_content(published.current_revision)
    draft.sections[0]["body"] = "Myoclonus drafts mention zanzibarine [1]."
    content.revision_create(article=published, actor=author, content=draft)
    response = client.post(follow_up_url(published), {"question": "Is it known to involve zanzibarine?"}, follow=True)
    html = response.content.decode()

    assert "From our reviewed articles" in html
    assert "Excerpts from articles reviewed by our Medical Advisory Board" in html
    assert "our editors have your question" in html
    assert "It is well <mark>known</mark>" in html
    assert "zanzibarine</mark>" not in html.lower().split("from our reviewed articles")[1].split("</section>")[0]
    assert FollowUpQuestion.objects.count() == 1


def test_an_answer_link_is_only_good_with_its_signature(client, published):
    client.post(follow_up_url(published), {"question": QUESTION})

    html = client.get(follow_up_url(published), {"answer": "1:forged"}).content.decode()

    assert "From our reviewed articles" not in html
