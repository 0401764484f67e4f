import time

import pytest
from django.core import signing

from articles.preview import SALT, preview_url
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft_revision(article):
    return article.current_revision


def test_editor_previews_a_draft_with_a_banner_and_no_caching_or_indexing(client, editor, draft_revision):
    client.force_login(editor)

    response = client.get(preview_url(draft_revision))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Preview — not approved." in html
    assert draft_revision.title in html
    assert "It is well known" in html
    assert "Not approved yet" in html
    assert response["X-Robots-Tag"].startswith("noindex")
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert 'rel="canonical"' not in html
    assert "application/ld+json" not in html


def test_the_articles_own_author_may_preview_it(client, author, draft_revision):
    client.force_login(author)

    assert client.get(preview_url(draft_revision)).status_code == 200


def test_staff_may_preview(client, draft_revision):
    client.force_login(factories.UserFactory(is_staff=True))

    assert client.get(preview_url(draft_revision)).status_code == 200


def test_another_author_or_a_reader_account_is_forbidden(client, draft_revision):
    for user in (factories.AuthorFactory(), factories.UserFactory()):
        client.force_login(user)
        response = client.get(preview_url(draft_revision))
        assert response.status_code == 403
        assert draft_revision.title not in response.content.decode()


def test_anonymous_visitor_is_sent_to_log_in(client, draft_revision):
    url = preview_url(draft_revision)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_tampered_token_is_not_found(client, editor, draft_revision):
    client.force_login(editor)
    other = factories.ArticleFactory().current_revision
    signer = signing.TimestampSigner(salt=SALT)
    _, timestamp, signature = signer.sign_object(draft_revision.pk).rsplit(":", 2)
    other_payload = signer.sign_object(other.pk).rsplit(":", 2)[0]

    assert client.get(f"/articles/preview/{other_payload}:{timestamp}:{signature}/").status_code == 404
    assert client.get(f"/articles/preview/{signer.sign_object(draft_revision.pk)}x/").status_code == 404
    # Signed for another purpose (another salt): not a preview token.
    assert client.get(f"/articles/preview/{signing.dumps(other.pk, salt='other')}/").status_code == 404


def test_expired_link_is_not_found(client, editor, draft_revision, settings, monkeypatch):
    settings.PREVIEW_LINK_MAX_AGE = 60
    client.force_login(editor)
    url = preview_url(draft_revision)
    now = time.time()
    monkeypatch.setattr(signing.time, "time", lambda: now + 61)

    assert client.get(url).status_code == 404


def test_link_is_valid_within_its_age(client, editor, draft_revision, settings, monkeypatch):
    settings.PREVIEW_LINK_MAX_AGE = 60
    client.force_login(editor)
    url = preview_url(draft_revision)
    now = time.time()
    monkeypatch.setattr(signing.time, "time", lambda: now + 59)

    assert client.get(url).status_code == 200


def test_a_token_naming_something_else_than_a_revision_id_is_not_found(client, editor):
    client.force_login(editor)
    token = signing.TimestampSigner(salt=SALT).sign_object("1")

    assert client.get(f"/articles/preview/{token}/").status_code == 404


def test_preview_shows_the_exact_revision_while_readers_see_the_approved_one(client, editor, article):
    approved = article.current_revision
    article.submit()
    article.start_review()
    article.approve(reviewed=approved, when=approved.created_at)
    article.revise()
    article.save()
    newer = factories.RevisionFactory(article=article, title="A newer draft title?")
    client.force_login(editor)

    preview_html = client.get(preview_url(newer)).content.decode()
    reader_html = client.get(f"/articles/{article.slug}/").content.decode()
    approved_preview = client.get(preview_url(approved)).content.decode()

    assert "A newer draft title?" in preview_html
    assert "A newer draft title?" not in reader_html
    assert approved.title in reader_html
    assert "the one readers see" in approved_preview
