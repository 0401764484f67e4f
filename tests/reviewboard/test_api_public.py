"""The public, read-only API: approved articles only, exactly as readers see them."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import AnonRateThrottle

from articles.services import RevisionContent, revision_create
from reviewboard import services
from tests import factories


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()


@pytest.fixture
def client():
    return APIClient()


def approve(article, board, editor):
    """Take a draft through review to approval with the services, as people would."""
    author = article.authors.first()
    services.article_submit(article=article, actor=author)
    for member in board[:2]:
        assignment = services.assignment_create(article=article, board_member=member, actor=editor)
        services.assignment_accept(assignment=assignment, actor=member.user)
        services.review_submit(assignment=assignment, actor=member.user, decision="approve")
    article.refresh_from_db()
    return article


@pytest.fixture
def approved(article, board, editor):
    return approve(article, board, editor)


def test_list_shows_approved_articles_only(client, approved, author, neurology):
    factories.ArticleFactory(authors=[author], specialty=neurology, slug="still-a-draft")
    response = client.get("/api/v1/articles/")
    assert response.status_code == 200
    assert [item["slug"] for item in response.json()["results"]] == [approved.slug]
    item = response.json()["results"][0]
    assert item["title"] == approved.approved_revision.title
    assert item["specialty"] == {"slug": "neurology", "name": "Neurology"}
    assert item["url"] == f"/articles/{approved.slug}/"


def test_list_and_detail_show_the_approved_revision_while_a_new_draft_is_written(client, approved, author, editor):
    services.article_revise(article=approved, actor=author)
    revision_create(
        article=approved,
        actor=author,
        content=RevisionContent(
            title="Unreviewed new title", summary_patient="x", summary_professional="y", sections=[], references=[]
        ),
    )
    listed = client.get("/api/v1/articles/").json()["results"]
    assert [item["title"] for item in listed] == [approved.approved_revision.title]
    detail = client.get(f"/api/v1/articles/{approved.slug}/").json()
    assert detail["title"] == approved.approved_revision.title
    assert detail["revision"] == 1
    assert "Unreviewed" not in str(client.get("/api/v1/articles/?q=Unreviewed").json())
    assert client.get("/api/v1/articles/?q=Unreviewed").json()["count"] == 0


def test_retracted_article_disappears_from_list_and_detail(client, approved, editor):
    services.article_retract(article=approved, actor=editor, reason="Outdated guidance.")
    assert client.get("/api/v1/articles/").json()["count"] == 0
    response = client.get(f"/api/v1/articles/{approved.slug}/")
    assert response.status_code == 404
    assert response.json()["detail"] == "No published article at this address."


def test_draft_detail_is_not_found_with_a_json_body(client, article):
    response = client.get(f"/api/v1/articles/{article.slug}/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "No published article at this address.",
        "errors": ["No published article at this address."],
    }


def test_detail_has_sections_references_reviewers_and_approval_date(client, approved, board):
    body = client.get(f"/api/v1/articles/{approved.slug}/").json()
    assert body["summary_patient"] == "A short answer in plain words."
    assert body["summary_professional"] == "A short answer for clinicians."
    assert body["sections"][0]["heading"] == "From the Guidelines"
    assert body["sections"][0]["markdown"] == "It is well known [1]."
    assert 'href="#ref-1"' in body["sections"][0]["html"]
    assert body["references"][0]["number"] == 1
    assert body["references"][0]["kind"] == "research"
    assert sorted(r["name"] for r in body["reviewers"]) == sorted(m.display_name for m in board[:2])
    assert body["reviewers"][0]["credentials"] == "MD"
    assert body["reviewers"][0]["specialties"] == ["Neurology"]
    assert body["approved_at"].startswith(approved.approved_at.date().isoformat())


def test_search_and_specialty_filter(client, approved, author, board, editor):
    cardiology = factories.SpecialtyFactory(name="Cardiology", slug="cardiology")
    heart = factories.ArticleFactory(authors=[author], specialty=cardiology, slug="heart")
    factories.BoardMemberFactory(user__username="cardio2", specialties=[cardiology])
    approve(heart, [board[2], factories.BoardMember.objects.get(user__username="cardio2")], editor)
    assert client.get("/api/v1/articles/").json()["count"] == 2
    assert [a["slug"] for a in client.get("/api/v1/articles/?specialty=cardiology").json()["results"]] == ["heart"]
    assert client.get("/api/v1/articles/?specialty=dermatology").json()["count"] == 0
    title_word = heart.approved_revision.title.split()[-1]
    assert [a["slug"] for a in client.get(f"/api/v1/articles/?q={title_word}").json()["results"]] == ["heart"]


def test_list_is_paginated(client, author, neurology, board, editor):
    for number in range(3):
        approve(factories.ArticleFactory(authors=[author], specialty=neurology, slug=f"a{number}"), board, editor)
    body = client.get("/api/v1/articles/").json()
    assert body["count"] == 3
    assert body["next"] is None
    assert len(body["results"]) == 3
    response = client.get("/api/v1/articles/?page=9")
    assert response.status_code == 404
    assert response.json()["detail"] == "Invalid page."


def test_bad_query_answers_400_with_the_field(client, db):
    response = client.get("/api/v1/articles/?q=a%00b")
    assert response.status_code == 400
    assert response.json()["fields"]["q"] == ["Null characters are not allowed."]


def test_detail_answers_304_when_the_etag_still_matches(client, approved):
    first = client.get(f"/api/v1/articles/{approved.slug}/")
    assert first["ETag"]
    assert first["Last-Modified"]
    again = client.get(f"/api/v1/articles/{approved.slug}/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    stale = client.get(f"/api/v1/articles/{approved.slug}/", HTTP_IF_NONE_MATCH='"something-else"')
    assert stale.status_code == 200


def test_list_etag_changes_when_an_article_is_retracted(client, approved, editor):
    etag = client.get("/api/v1/articles/")["ETag"]
    assert client.get("/api/v1/articles/", HTTP_IF_NONE_MATCH=etag).status_code == 304
    services.article_retract(article=approved, actor=editor, reason="Outdated.")
    assert client.get("/api/v1/articles/", HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_specialties_are_public(client, neurology):
    assert client.get("/api/v1/specialties/").json()["results"] == [{"slug": "neurology", "name": "Neurology"}]


def test_public_reads_refuse_writes(client, approved):
    response = client.post(f"/api/v1/articles/{approved.slug}/", {}, format="json")
    assert response.status_code == 405
    assert response.json()["errors"]


def test_unknown_address_under_api_answers_json_404(client, db):
    for address in ("/api/v1/nothing/", "/api/v1/articles/not a slug/", "/api/v2/articles/", "/api/v1/articles"):
        response = client.get(address)
        assert response.status_code == 404, address
        assert response.json()["detail"] == "There is no API endpoint at this address."


def test_anonymous_requests_are_throttled_with_a_json_429(client, db, monkeypatch):
    monkeypatch.setattr(AnonRateThrottle, "THROTTLE_RATES", {"anon": "2/minute"})
    assert client.get("/api/v1/specialties/").status_code == 200
    assert client.get("/api/v1/specialties/").status_code == 200
    response = client.get("/api/v1/specialties/")
    assert response.status_code == 429
    assert "throttled" in response.json()["detail"]


def test_docs_are_served_from_the_app_without_a_cdn(client, db):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "swagger-ui" in page
    assert "/static/drf_spectacular_sidecar/" in page
    assert "cdn" not in page.lower()


def test_schema_is_served(client, db):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    assert "/api/v1/articles/{slug}/" in response.json()["paths"]
