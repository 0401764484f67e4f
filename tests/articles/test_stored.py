"""Stored reader pages (articles.stored): rendered at approval, read in one query, never stale nor unapproved."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles import stored
from articles.fingerprint import fingerprint
from articles.models import Article, Byline, StoredPage, StoredPageKind
from articles.services import RevisionContent, revision_create
from config.celery import app
from reviewboard import services
from tests import factories

pytestmark = pytest.mark.django_db

ORIGIN = "http://testserver"  # the test client's


@pytest.fixture(autouse=True)
def _site_and_no_reader_cache(settings, monkeypatch):
    monkeypatch.setitem(app.conf, "task_always_eager", True)  # the render task runs in the test, on any broker
    settings.READER_CACHE_SECONDS = 0  # the stored pages alone, below the reader cache
    settings.NOTIFICATIONS_SITE_URL = ORIGIN
    settings.ROOT_URLCONF = "config.urls"


def url(article):
    return f"/articles/{article.slug}/"


def approve(article, django_capture_on_commit_callbacks, **kwargs):
    """Publish through the services and run what they queue after commit (the stored pages' task, eagerly)."""
    with django_capture_on_commit_callbacks(execute=True):
        published = factories.publish(article, **kwargs)
    return published


def rows(article):
    return {page.kind: page for page in StoredPage.objects.filter(article=article)}


def draft_title(article, title="A new draft nobody approved"):
    content = RevisionContent(
        title=title,
        summary_patient="p",
        summary_professional="q",
        sections=[{"heading": "H", "body": "Unapproved text [1]."}],
        references=[{"kind": "research", "title": "Unapproved study"}],
    )
    return revision_create(article=article, actor=article.authors.first(), content=content)


def test_approval_stores_each_audiences_page_and_the_card(article, django_capture_on_commit_callbacks):
    published = approve(article, django_capture_on_commit_callbacks)

    pages = rows(published)

    assert set(pages) == {StoredPageKind.PATIENT, StoredPageKind.PROFESSIONAL, StoredPageKind.CARD}
    for page in pages.values():
        assert page.revision_id == published.approved_revision_id
        assert page.fingerprint == fingerprint()
        assert published.approved_revision.title in page.html
    assert pages[StoredPageKind.PATIENT].origin == ORIGIN
    assert 'data-audience="professional"' in pages[StoredPageKind.PROFESSIONAL].html


def test_a_reader_is_served_the_stored_page_in_one_query_without_rendering(
    client, article, django_capture_on_commit_callbacks, django_assert_num_queries, monkeypatch
):
    published = approve(article, django_capture_on_commit_callbacks)
    stored_html = rows(published)[StoredPageKind.PATIENT].html

    def no_rendering(*args, **kwargs):
        raise AssertionError("the stored page was rendered again")

    monkeypatch.setattr("articles.views.render_article_page", no_rendering)
    with django_assert_num_queries(1):
        response = client.get(url(published))

    assert response.status_code == 200
    assert response.content.decode() == stored_html


def test_a_missing_page_is_rendered_stored_and_served(client, published, django_assert_num_queries):
    assert not StoredPage.objects.exists()  # approved without running the after-commit task

    first = client.get(url(published))
    with django_assert_num_queries(1):
        second = client.get(url(published))

    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert set(rows(published)) == {StoredPageKind.PATIENT}


def test_a_page_stored_under_another_fingerprint_is_rendered_again_after_a_deploy(client, published, monkeypatch):
    client.get(url(published))
    StoredPage.objects.update(html="<p>rendered by the previous release</p>", fingerprint="previous-release")

    response = client.get(url(published))

    assert "previous release" not in response.content.decode()
    assert published.approved_revision.title in response.content.decode()
    assert rows(published)[StoredPageKind.PATIENT].fingerprint == fingerprint()


def test_a_stored_page_of_a_retracted_article_is_never_served(
    client, editor, article, django_capture_on_commit_callbacks
):
    published = approve(article, django_capture_on_commit_callbacks)
    client.get(url(published))

    services.article_retract(article=published, actor=editor, reason="Outdated")  # its after-commit work not run

    response = client.get(url(published))
    assert response.status_code == 410  # the retraction notice, not the stored page
    assert published.approved_revision.summary_patient not in response.content.decode()
    assert "Reviewed by" not in response.content.decode()
    assert StoredPage.objects.filter(article=published).exists()  # kept until after commit, yet never served


def test_retraction_deletes_the_stored_pages_after_commit(editor, article, django_capture_on_commit_callbacks):
    published = approve(article, django_capture_on_commit_callbacks)

    with django_capture_on_commit_callbacks(execute=True):
        services.article_retract(article=published, actor=editor, reason="Outdated")

    assert not StoredPage.objects.filter(article=published).exists()


def test_a_stored_page_of_a_revision_not_approved_is_never_served(client, published):
    client.get(url(published))
    services.article_revise(article=published, actor=published.authors.first())
    draft = draft_title(Article.objects.get(pk=published.pk))
    published.refresh_from_db()
    # A page rendered from the new draft, stamped as if current: only the approved revision may be shown.
    StoredPage.objects.filter(article=published).update(
        revision=draft, html="<h1>A new draft nobody approved</h1>", article_updated_at=published.updated_at
    )

    html = client.get(url(published)).content.decode()

    assert "A new draft nobody approved" not in html
    assert published.approved_revision.title in html


def test_revising_keeps_the_approved_page_and_never_shows_the_draft(
    client, author, article, django_capture_on_commit_callbacks
):
    published = approve(article, django_capture_on_commit_callbacks)
    approved_title = published.approved_revision.title
    with django_capture_on_commit_callbacks(execute=True):
        services.article_revise(article=published, actor=author)
        draft_title(Article.objects.get(pk=published.pk))

    html = client.get(url(published)).content.decode()
    card = client.get("/articles/").content.decode()

    assert approved_title in html and approved_title in card
    assert "A new draft nobody approved" not in html + card
    assert rows(published)[StoredPageKind.PATIENT].revision_id == published.approved_revision_id


def test_a_page_rendered_before_a_save_of_the_article_is_not_served(client, published):
    """A render that read the article before a change (a lagging replica, a race) is stamped with the old row."""
    client.get(url(published))
    Article.objects.filter(pk=published.pk).update(approved_at=published.approved_at.replace(year=2020))
    published.refresh_from_db()
    published.save()  # any save: updated_at moves on

    html = client.get(url(published)).content.decode()

    assert "2020" in html


def test_a_signed_in_reader_gets_the_stored_page_with_their_own_header(
    client, article, author, django_capture_on_commit_callbacks, monkeypatch
):
    published = approve(article, django_capture_on_commit_callbacks)
    stored_html = rows(published)[StoredPageKind.PATIENT].html
    client.force_login(author)
    monkeypatch.setattr("articles.views.render_article_page", pytest.fail)

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(published))

    html = response.content.decode()
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-cache"
    assert "Your workspace" in html and "Sign in" not in html
    assert "Sign in" in stored_html
    start, end = stored_html.index("<!--reader-account-->"), stored_html.index("<!--/reader-account-->")
    assert html.startswith(stored_html[:start]) and html.endswith(stored_html[end + len("<!--/reader-account-->") :])
    assert len(queries) == 2  # the session (whether it names a person: not who), the stored page


def test_a_reviewers_new_name_retires_the_pages_that_name_them(
    client, article, board, django_capture_on_commit_callbacks
):
    published = approve(article, django_capture_on_commit_callbacks, reviewers=[board[0]])
    user = board[0].user
    user.first_name, user.last_name = "Rosalind", "Franklin"
    with django_capture_on_commit_callbacks(execute=True):
        user.save()

    assert not StoredPage.objects.filter(article=published).exists()
    assert "Rosalind Franklin" in client.get(url(published)).content.decode()


def test_a_login_does_not_retire_stored_pages(article, board, django_capture_on_commit_callbacks):
    published = approve(article, django_capture_on_commit_callbacks, reviewers=[board[0]])
    with django_capture_on_commit_callbacks(execute=True):
        board[0].user.save(update_fields=["last_login"])

    assert StoredPage.objects.filter(article=published).count() == 3


# Cards


def test_the_list_is_the_ids_then_their_stored_cards(client, neurology, django_assert_num_queries):
    articles = [factories.publish(factories.ArticleFactory(specialty=neurology)) for _ in range(3)]
    client.get("/articles/")

    # The generation with any stored result (none: too few matches to store), the ids and count, the cards.
    with django_assert_num_queries(3):
        html = client.get("/articles/").content.decode()

    for article in articles:
        assert article.approved_revision.title in html
    assert StoredPage.objects.filter(kind=StoredPageKind.CARD).count() == 3


def test_a_stored_card_of_an_article_no_longer_published_is_never_listed(client, editor, neurology):
    shown, retracted = (factories.publish(factories.ArticleFactory(specialty=neurology)) for _ in range(2))
    client.get("/articles/")
    services.article_retract(article=retracted, actor=editor, reason="Outdated")

    html = client.get("/articles/").content.decode()

    assert shown.approved_revision.title in html
    assert retracted.approved_revision.title not in html
    assert stored.cards([retracted.pk]) == []


def test_search_lists_the_stored_cards_of_the_matches(client, neurology):
    wanted = factories.publish(factories.ArticleFactory(specialty=neurology))
    other = factories.publish(factories.ArticleFactory(specialty=neurology))
    client.get("/articles/")

    html = client.get("/articles/", {"q": wanted.approved_revision.title}).content.decode()

    assert wanted.approved_revision.title in html
    assert other.approved_revision.title not in html
    assert "1 result for" in html


def test_a_page_past_the_last_answers_404(client, published):
    assert client.get("/articles/", {"page": 2}).status_code == 404
    assert client.get("/articles/", {"page": "last"}).status_code == 200
    assert client.get("/articles/", {"page": "x"}).status_code == 404


@pytest.mark.postgres
def test_search_on_postgresql_is_one_query_for_the_ids_and_one_for_the_cards(
    client, neurology, django_assert_num_queries
):
    wanted = factories.publish(factories.ArticleFactory(specialty=neurology))
    factories.publish(factories.ArticleFactory(specialty=neurology))
    query = wanted.approved_revision.title.rstrip("?")
    client.get("/articles/", {"q": query})

    with CaptureQueriesContext(connection) as queries:
        html = client.get("/articles/", {"q": query}).content.decode()

    assert wanted.approved_revision.title in html
    assert len(queries) == 3  # the stored result (none: one match), the ids and count, the cards
    assert "@@" in queries[1]["sql"] and "OVER ()" in queries[1]["sql"]


def test_a_renamed_specialty_shows_on_the_stored_page_and_card(client, article, django_capture_on_commit_callbacks):
    published = approve(article, django_capture_on_commit_callbacks)
    client.get("/articles/")
    specialty = published.specialty
    specialty.name = "Movement disorders"
    with django_capture_on_commit_callbacks(execute=True):
        specialty.save()

    assert "Movement disorders" in client.get(url(published)).content.decode()
    assert "Movement disorders" in client.get("/articles/").content.decode()


def test_a_page_rendered_from_data_older_than_a_reviewers_rename_is_never_served(client, article, board):
    """A render that read the old name, stored after the rename's pages were retired: its stamp is too old."""
    published = factories.publish(article, reviewers=[board[0]])
    client.get(url(published))  # rendered and stored with the old name
    stale = StoredPage.objects.get(article=published)
    user = board[0].user
    user.first_name, user.last_name = "Rosalind", "Franklin"
    user.save()
    stored.reader_data_changed(article_ids=[published.pk])  # what the rename's after-commit work does
    stale.save()  # the in-flight render's row lands after the retirement

    assert "Rosalind Franklin" in client.get(url(published)).content.decode()


def test_a_page_whose_review_falls_due_is_rendered_again_then(client, published, settings):
    """The page says when the text is due for review; once due, the stored page saying otherwise expires."""
    client.get(url(published))
    page = StoredPage.objects.get(article=published)
    assert page.expires_at == Article.objects.get(pk=published.pk).review_due_at
    # Due a moment ago (SQLite's clock counts milliseconds: a page due this very millisecond is still served).
    due = timezone.now() - timedelta(seconds=1)
    StoredPage.objects.filter(pk=page.pk).update(html="<p>not yet due</p>", expires_at=due)

    html = client.get(url(published)).content.decode()

    assert "not yet due" not in html


def test_an_authors_new_credentials_show_on_the_stored_page(client, article, django_capture_on_commit_callbacks):
    published = approve(article, django_capture_on_commit_callbacks)
    author = published.authors.first()
    with django_capture_on_commit_callbacks(execute=True):
        Byline.objects.update_or_create(user=author, defaults={"credentials": "MD, MPH"})

    assert not StoredPage.objects.filter(article=published).exists()
    assert "MD, MPH" in client.get(url(published)).content.decode()
