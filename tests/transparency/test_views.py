"""The board, profiles, corrections and "what changed": readers see approved content only, through every door."""

import datetime
import json
import re

import pytest
from django.utils import timezone

from articles import services as content
from articles.exceptions import InvalidTransition
from articles.models import ChangeNote
from reviewboard import services
from reviewboard.services_profiles import board_member_verify
from tests import factories
from tests.factories import publish

pytestmark = pytest.mark.django_db


def revise(article, *, actor, body: str, note: str = "", correction: bool = False):
    """Open a new draft of an approved article with ``body`` as its first section and the reader note."""
    services.article_revise(article=article, actor=actor)
    article.refresh_from_db()
    draft = content.revision_content(article.current_revision)
    draft.sections[0]["body"] = body
    content.revision_create(article=article, actor=actor, content=draft)
    if note:
        content.change_note_write(article=article, actor=actor, text_for_readers=note, is_correction=correction)
    article.refresh_from_db()
    return article


@pytest.fixture
def twice_approved(article, author, board):
    """An article approved, then revised with a correction note and approved again."""
    first = publish(article, reviewers=board[:2], when=timezone.now() - datetime.timedelta(days=40))
    ChangeNote.objects.filter(revision=first.approved_revision).update(approved_at=first.approved_at)
    revise(first, actor=author, body="Propranolol helps most people [1].", note="The dose was wrong.", correction=True)
    return publish(first, reviewers=board[:2])


def test_board_page_lists_active_members_with_credentials_and_verification(client, board, editor):
    member = board[0]
    member.affiliation, member.orcid = "St Elsewhere Hospital", "0000-0002-1825-0097"
    member.save()
    board_member_verify(member=member, actor=editor)
    board[2].active = False
    board[2].save()

    html = client.get("/board/").content.decode()

    assert "Our Medical Advisory Board" in html
    assert f'href="/board/{member.slug}/"' in html
    assert "St Elsewhere Hospital" in html
    assert 'href="https://orcid.org/0000-0002-1825-0097"' in html
    assert f"by {editor.get_full_name()}" in html
    assert "Credentials verified" in html
    assert board[2].display_name not in html


def test_article_badge_links_to_the_board(client, article, board):
    published = publish(article, reviewers=board[:2])

    html = client.get(published.get_absolute_url()).content.decode()

    assert '<a class="badge__label" href="/board/">Medical Advisory Board</a>' in html


def test_profile_lists_only_published_articles_the_member_approved(client, author, neurology, board):
    reviewed = publish(factories.ArticleFactory(authors=[author], specialty=neurology), reviewers=board[:2])
    under_review = factories.ArticleFactory(authors=[author], specialty=neurology)
    services.article_submit(article=under_review, actor=author)
    services.assignment_create(article=under_review, board_member=board[0], actor=factories.EditorFactory())
    retracted = publish(factories.ArticleFactory(authors=[author], specialty=neurology), reviewers=board[:2])
    services.article_retract(article=retracted, actor=factories.EditorFactory(), reason="Wrong.")

    html = client.get(f"/board/{board[0].slug}/").content.decode()

    assert reviewed.approved_revision.title in html
    assert under_review.current_revision.title not in html
    assert retracted.approved_revision.title not in html
    assert "No conflicts declared." in html


def test_profile_of_an_inactive_member_is_not_found(client, board):
    board[0].active = False
    board[0].save()

    assert client.get(f"/board/{board[0].slug}/").status_code == 404


def test_article_page_shows_history_reviewers_disclosures_and_authors_credentials(client, twice_approved, board):
    board[0].disclosure = "Speaker fees from Acme Pharma."
    board[0].save()
    author = twice_approved.authors.get()
    content_byline = author.byline if hasattr(author, "byline") else None
    assert content_byline is None
    from reviewboard.services_profiles import byline_update

    byline_update(user=author, actor=author, credentials="MD, MPH")

    html = client.get(twice_approved.get_absolute_url()).content.decode()

    assert f"{author.get_full_name()}, MD, MPH" in html
    assert "Disclosure: Speaker fees from Acme Pharma." in html
    assert "No conflicts declared." in html
    history = re.search(r'<section class="history".*?</section>', html, re.S).group(0)
    assert history.count('class="history__entry"') == 2
    assert "The dose was wrong." in history
    assert "Correction" in history
    assert f"/articles/{twice_approved.slug}/changes/?to={twice_approved.approved_revision.number}" in history


def test_drafts_note_never_reaches_readers(client, twice_approved, author):
    revise(twice_approved, actor=author, body="A draft nobody approved [1].", note="Secret draft note.")

    page = client.get(twice_approved.get_absolute_url()).content.decode()
    corrections = client.get("/corrections/").content.decode()
    feed = client.get("/articles/feed/").content.decode()

    for html in (page, corrections, feed):
        assert "Secret draft note." not in html
        assert "A draft nobody approved" not in html


def test_what_changed_compares_two_approved_revisions_only(client, twice_approved, author):
    newer = twice_approved.approved_revision
    revise(twice_approved, actor=author, body="Unapproved words [1].")
    draft_number = twice_approved.current_revision.number
    url = f"/articles/{twice_approved.slug}/changes/"

    response = client.get(url, {"to": newer.number})
    bad = client.get(url, {"to": draft_number})
    bad_from = client.get(url, {"to": newer.number, "from": draft_number})

    assert response.status_code == 200
    html = response.content.decode()
    assert "<ins>most people </ins>" in html or "<ins>most</ins>" in html
    assert "Unapproved words" not in html
    assert "The dose was wrong." in html
    assert bad.status_code == 404
    assert bad_from.status_code == 404


def test_corrections_page_lists_corrections_and_retractions(client, twice_approved, author, neurology, board, editor):
    retracted = publish(factories.ArticleFactory(authors=[author], specialty=neurology), reviewers=board[:2])
    services.article_retract(article=retracted, actor=editor, reason="Superseded by newer trial data.")

    html = client.get("/corrections/").content.decode()

    assert twice_approved.approved_revision.title in html
    assert "The dose was wrong." in html
    assert retracted.approved_revision.title in html
    assert "Superseded by newer trial data." in html
    assert retracted.approved_revision.summary_patient not in html.split("Retractions", 1)[1].split("Corrections")[0]


def test_feed_marks_a_correction(client, twice_approved):
    xml = client.get("/articles/feed/").content.decode()

    assert f"Corrected: {twice_approved.approved_revision.title}" in xml
    assert "Correction: The dose was wrong." in xml


def test_next_review_due_follows_the_article_then_specialty_then_site_interval(client, article, board, settings):
    settings.REREVIEW_AFTER_DAYS = 365
    approved_at = timezone.now() - datetime.timedelta(days=100)
    published = publish(article, reviewers=board[:2], when=approved_at)
    url = published.get_absolute_url()

    site = client.get(url, {"audience": "patient"}).content.decode()
    published.specialty.review_interval_days = 90
    published.specialty.save()
    specialty = client.get(url, {"audience": "professional"}).content.decode()

    due = (approved_at + datetime.timedelta(days=365)).date().isoformat()
    assert f'Next review due: <time datetime="{due}">' in site
    assert "Overdue for review" in specialty
    assert list(type(published).objects.review_overdue()) == [published]
    type(published).objects.filter(pk=published.pk).update(review_interval_days=200)
    assert list(type(published).objects.review_overdue()) == []


def test_json_ld_names_reviewers_authors_citations_and_dates(client, twice_approved):
    html = client.get(twice_approved.get_absolute_url(), {"audience": "professional"}).content.decode()
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))

    assert data["@type"] == "MedicalWebPage"
    assert data["reviewedBy"][0]["url"].startswith("/board/")
    assert data["author"][0]["@type"] == "Person"
    assert data["citation"]
    assert data["datePublished"] < data["lastReviewed"]
    assert data["audience"]["audienceType"] == "Clinician"
    assert '<link rel="canonical"' in html


def test_change_note_is_kept_once_its_revision_is_approved(twice_approved, author):
    note = ChangeNote.objects.get(revision=twice_approved.approved_revision)
    assert note.approved_at is not None
    with pytest.raises(InvalidTransition):
        content.change_note_write(article=twice_approved, actor=author, text_for_readers="Rewrite history.")
    note.refresh_from_db()
    assert note.text == "The dose was wrong."


def test_every_door_shows_the_approved_text_while_a_revision_waits(client, twice_approved, author):
    """Page, list, search, feed, sitemap, cache, API and history: the draft's words and note reach no reader."""
    revise(twice_approved, actor=author, body="Zanzibarine cures myoclonus [1].", note="Zanzibarine added.")
    slug = twice_approved.slug
    doors = {
        "page": f"/articles/{slug}/",
        "page again (cache)": f"/articles/{slug}/",
        "list": "/articles/",
        "search": "/articles/?q=Zanzibarine",
        "feed": "/articles/feed/",
        "sitemap": "/sitemap.xml",
        "api": f"/api/v1/articles/{slug}/",
        "api search": "/api/v1/articles/?q=Zanzibarine",
        "corrections": "/corrections/",
        "what changed": f"/articles/{slug}/changes/",
    }
    for door, address in doors.items():
        response = client.get(address)
        assert response.status_code == 200, door
        body = response.content.decode()
        assert "Zanzibarine cures" not in body, door
        assert "Zanzibarine added" not in body, door
        assert twice_approved.approved_revision.title in body or door in ("search", "api search", "sitemap"), door


def test_public_api_gives_levels_citation_fields_and_next_review(client, article, board):
    from articles.models import Reference

    revision = article.current_revision
    draft = content.revision_content(revision)
    draft.sections.append({"heading": "Sub", "body": "More [1].", "level": 2})
    draft.references[0].update(volume="3", issue="10", pages="598-607")
    content.revision_create(article=article, actor=article.authors.get(), content=draft)
    published = publish(article, reviewers=board[:2])

    data = client.get(f"/api/v1/articles/{published.slug}/").json()

    assert [section["level"] for section in data["sections"]][-1] == 2
    assert data["references"][0]["pages"] == "598-607"
    assert data["next_review_due"]
    assert Reference.objects.filter(revision=published.approved_revision, volume="3").exists()


def test_sitemap_lists_the_board_its_active_members_and_corrections(client, board, settings):
    if "django.contrib.sitemaps" not in settings.INSTALLED_APPS:
        settings.INSTALLED_APPS = [*settings.INSTALLED_APPS, "django.contrib.sitemaps"]
    board[2].active = False
    board[2].save()

    xml = client.get("/sitemap.xml").content.decode()

    assert "<loc>http://testserver/board/</loc>" in xml
    assert "<loc>http://testserver/corrections/</loc>" in xml
    assert f"<loc>http://testserver/board/{board[0].slug}/</loc>" in xml
    assert f"/board/{board[2].slug}/" not in xml
