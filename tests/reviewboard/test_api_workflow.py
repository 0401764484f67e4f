"""The workflow API: authors, board members and editors, each through the same services as the pages."""

import pytest
from django.core.cache import cache
from knox.models import AuthToken
from rest_framework.test import APIClient

from articles.models import Article, ArticleState
from reviewboard import services
from reviewboard.models import AssignmentStatus, ConflictOfInterest, ReviewAssignment
from tests import factories


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()


def client_for(user) -> APIClient:
    """A client that authenticates with the user's API token, as a program would."""
    client = APIClient()
    _, secret = AuthToken.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client


def draft_payload(**overrides) -> dict:
    payload = {
        "slug": "what-causes-myoclonus",
        "specialty": "neurology",
        "title": "What causes myoclonus (jerks)?",
        "summary_patient": "Brief jerks of muscles.",
        "summary_professional": "Sudden involuntary muscle contractions.",
        "sections": [{"heading": "From the Guidelines", "body": "Often benign [1]."}],
        "references": [{"kind": "guideline", "title": "Myoclonus guideline", "source": "AAN", "year": 2022}],
    }
    return {**payload, **overrides}


@pytest.fixture
def submitted(article, author):
    services.article_submit(article=article, actor=author)
    article.refresh_from_db()
    return article


@pytest.fixture
def invited(submitted, board, editor):
    return services.assignment_create(article=submitted, board_member=board[0], actor=editor)


@pytest.fixture
def accepted(invited, board):
    return services.assignment_accept(assignment=invited, actor=board[0].user)


def approve(article, board, editor):
    for member in board[:2]:
        assignment = services.assignment_create(article=article, board_member=member, actor=editor)
        services.assignment_accept(assignment=assignment, actor=member.user)
        services.review_submit(assignment=assignment, actor=member.user, decision="approve")
    article.refresh_from_db()
    return article


def assert_error(response, status_code: int, text: str = ""):
    assert response.status_code == status_code, response.content
    body = response.json()
    assert body["detail"]
    assert isinstance(body["errors"], list)
    assert text in body["detail"]


# Authentication


def test_token_is_issued_for_good_credentials_only(author):
    client = APIClient()
    response = client.post("/api/v1/auth/token/", {"username": "author", "password": "pass"}, format="json")
    assert response.status_code == 200
    secret = response.json()["token"]
    assert AuthToken.objects.get(user=author).token_key == secret[:15]  # only a digest and the first characters
    assert APIClient(headers={"Authorization": f"Token {secret}"}).get("/api/v1/drafts/").status_code == 200
    refused = client.post("/api/v1/auth/token/", {"username": "author", "password": "wrong"}, format="json")
    assert_error(refused, 400, "Unable to log in")


def test_workflow_endpoints_need_authentication(db):
    client = APIClient()
    for method, address in [
        ("get", "/api/v1/drafts/"),
        ("post", "/api/v1/drafts/"),
        ("get", "/api/v1/assignments/"),
        ("post", "/api/v1/assignments/1/accept/"),
        ("get", "/api/v1/editorial/articles/"),
        ("post", "/api/v1/editorial/articles/x/reject/"),
    ]:
        response = getattr(client, method)(address, {}, format="json")
        assert_error(response, 401, "Authentication credentials were not provided")
        assert response["WWW-Authenticate"] == "Token"


def test_session_authentication_works_and_enforces_csrf(author, article):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(author)
    assert client.get("/api/v1/drafts/").json()["count"] == 1
    response = client.post(f"/api/v1/drafts/{article.slug}/submit/", {}, format="json")
    assert_error(response, 403, "CSRF")


# Authors


def test_author_creates_a_draft_with_its_first_revision(author, neurology):
    response = client_for(author).post("/api/v1/drafts/", draft_payload(), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "draft"
    assert body["current_revision"]["number"] == 1
    assert body["current_revision"]["references"][0]["title"] == "Myoclonus guideline"
    article = Article.objects.get(slug="what-causes-myoclonus")
    assert list(article.authors.all()) == [author]
    assert article.current_revision.references.count() == 1


def test_creating_a_draft_reports_bad_input_as_400(author, neurology, article):
    client = client_for(author)
    assert_error(client.post("/api/v1/drafts/", draft_payload(slug=article.slug), format="json"), 400, "already exists")
    unknown = client.post("/api/v1/drafts/", draft_payload(specialty="astrology"), format="json")
    assert_error(unknown, 400)
    assert "specialty" in unknown.json()["fields"]
    bad_reference = client.post("/api/v1/drafts/", draft_payload(references=[{"kind": "rumour"}]), format="json")
    assert_error(bad_reference, 400)
    assert {"field": "references.kind", "index": 0, "code": "required"}.items() <= bad_reference.json()["field_errors"][
        0
    ].items()
    assert_error(client.post("/api/v1/drafts/", ["not", "an", "object"], format="json"), 400)


def test_a_board_member_without_author_role_cannot_create_a_draft(board, neurology):
    response = client_for(board[0].user).post("/api/v1/drafts/", draft_payload(), format="json")
    assert_error(response, 403, "Only authors and editors can write articles.")
    assert not Article.objects.exists()


def test_author_lists_own_articles_filtered_by_state(author, article, submitted, neurology):
    factories.ArticleFactory(authors=[author], specialty=neurology, slug="second")
    factories.ArticleFactory(specialty=neurology, slug="someone-elses")
    client = client_for(author)
    assert sorted(a["slug"] for a in client.get("/api/v1/drafts/").json()["results"]) == [article.slug, "second"]
    assert [a["slug"] for a in client.get("/api/v1/drafts/?state=submitted").json()["results"]] == [article.slug]
    assert_error(client.get("/api/v1/drafts/?state=flying"), 400)


def test_another_author_cannot_see_or_touch_my_draft(article, neurology):
    stranger = client_for(factories.AuthorFactory(username="stranger"))
    for response in (
        stranger.get(f"/api/v1/drafts/{article.slug}/"),
        stranger.post(f"/api/v1/drafts/{article.slug}/submit/", {}, format="json"),
        stranger.post(f"/api/v1/drafts/{article.slug}/revisions/", draft_payload(), format="json"),
    ):
        assert_error(response, 404, "There is no such article for you.")
    article.refresh_from_db()
    assert article.state == ArticleState.DRAFT


def test_editor_may_read_a_draft_but_only_authors_submit(article, editor):
    client = client_for(editor)
    assert client.get(f"/api/v1/drafts/{article.slug}/").status_code == 200
    assert_error(client.post(f"/api/v1/drafts/{article.slug}/submit/", {}, format="json"), 403, "Only the article's")


def test_new_revision_is_saved_as_a_draft_and_refused_once_submitted(author, article):
    client = client_for(author)
    payload = {k: v for k, v in draft_payload(change_note="Tightened").items() if k not in ("slug", "specialty")}
    response = client.post(f"/api/v1/drafts/{article.slug}/revisions/", payload, format="json")
    assert response.status_code == 201
    assert response.json()["current_revision"]["number"] == 2
    assert response.json()["current_revision"]["change_note"] == "Tightened"
    client.post(f"/api/v1/drafts/{article.slug}/submit/", {}, format="json")
    refused = client.post(f"/api/v1/drafts/{article.slug}/revisions/", payload, format="json")
    assert_error(refused, 409, "it can be edited only as a draft")
    assert article.revisions.count() == 2


def test_submit_moves_the_draft_to_submitted_and_twice_is_a_conflict(author, article):
    client = client_for(author)
    response = client.post(f"/api/v1/drafts/{article.slug}/submit/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == "submitted"
    assert_error(
        client.post(f"/api/v1/drafts/{article.slug}/submit/", {}, format="json"), 409, "The article is submitted"
    )


def test_submit_lists_every_content_problem(author, neurology):
    client = client_for(author)
    client.post("/api/v1/drafts/", draft_payload(sections=[{"heading": "H", "body": "See [2]."}]), format="json")
    response = client.post("/api/v1/drafts/what-causes-myoclonus/submit/", {}, format="json")
    assert_error(response, 400)
    assert response.json()["errors"] == [
        'Section 1 ("H") cites [2], but there is no reference 2.',
        "Reference 1 is never cited in the text.",
    ]


def test_withdraw_needs_a_reason(author, submitted):
    client = client_for(author)
    assert_error(client.post(f"/api/v1/drafts/{submitted.slug}/withdraw/", {}, format="json"), 400, "reason")
    response = client.post(f"/api/v1/drafts/{submitted.slug}/withdraw/", {"reason": "Found an error"}, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == "draft"


def test_revise_opens_a_new_draft_of_an_approved_article(author, submitted, board, editor):
    approve(submitted, board, editor)
    client = client_for(author)
    response = client.post(f"/api/v1/drafts/{submitted.slug}/revise/", {}, format="json")
    assert response.json()["state"] == "draft"
    assert response.json()["approved_revision"] == 1
    assert_error(client.post(f"/api/v1/drafts/{submitted.slug}/revise/", {}, format="json"), 409, "cannot be revised")


def test_author_sees_feedback_but_never_confidential_comments(author, accepted, board):
    services.review_submit(
        assignment=accepted,
        actor=board[0].user,
        decision="request_changes",
        comments_to_author="Cite the 2023 update.",
        confidential_comments="Weak author.",
    )
    body = client_for(author).get(f"/api/v1/drafts/{accepted.revision.article.slug}/").json()
    assert body["state"] == "changes_requested"
    assert body["feedback"][0]["comments_to_author"] == "Cite the 2023 update."
    assert "Weak author." not in str(body)


# Board members


def test_board_member_lists_invitations_and_queue(invited, board, neurology, author, editor):
    other = factories.ArticleFactory(authors=[author], specialty=neurology, slug="other")
    services.article_submit(article=other, actor=author)
    second = services.assignment_create(article=other, board_member=board[0], actor=editor)
    services.assignment_accept(assignment=second, actor=board[0].user)
    client = client_for(board[0].user)
    listed = client.get("/api/v1/assignments/").json()["results"]
    assert sorted((a["id"], a["status"]) for a in listed) == [(invited.pk, "invited"), (second.pk, "accepted")]
    assert [a["id"] for a in client.get("/api/v1/assignments/?status=invited").json()["results"]] == [invited.pk]
    assert client_for(board[1].user).get("/api/v1/assignments/").json()["count"] == 0


def test_people_who_are_not_board_members_have_no_assignment_list(author):
    assert_error(client_for(author).get("/api/v1/assignments/"), 403, "Only active board members")


def test_assignment_detail_shows_the_revision_to_its_reviewer_only(invited, board):
    body = client_for(board[0].user).get(f"/api/v1/assignments/{invited.pk}/").json()
    assert body["content"]["number"] == invited.revision.number
    assert body["content"]["sections"][0]["markdown"] == "It is well known [1]."
    refused = client_for(board[1].user).get(f"/api/v1/assignments/{invited.pk}/")
    # Another member's assignment is answered exactly like one that does not exist.
    assert_error(refused, 404, "There is no such review assignment for you.")
    assert_error(client_for(board[1].user).get("/api/v1/assignments/999999/"), 404)


def test_accept_once_only_and_by_the_invited_member_only(invited, board, editor):
    assert_error(client_for(board[1].user).post(f"/api/v1/assignments/{invited.pk}/accept/"), 404)
    assert_error(client_for(editor).post(f"/api/v1/assignments/{invited.pk}/accept/"), 403, "Only the invited")
    client = client_for(board[0].user)
    response = client.post(f"/api/v1/assignments/{invited.pk}/accept/")
    assert response.status_code == 200
    assert response.json()["status"] == "accepted"
    assert_error(client.post(f"/api/v1/assignments/{invited.pk}/accept/"), 409, "already accepted")


def test_decline_with_a_conflict_of_interest_needs_a_reason_and_records_it(invited, board):
    client = client_for(board[0].user)
    address = f"/api/v1/assignments/{invited.pk}/decline/"
    assert_error(client.post(address, {"conflict_of_interest": True}, format="json"), 400, "reason")
    response = client.post(address, {"conflict_of_interest": True, "reason": "I consult for them."}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "declined"
    assert ConflictOfInterest.objects.get(board_member=board[0]).reason == "I consult for them."


def test_review_is_posted_on_an_accepted_assignment_only(invited, board):
    client = client_for(board[0].user)
    address = f"/api/v1/assignments/{invited.pk}/review/"
    assert_error(client.post(address, {"decision": "approve"}, format="json"), 409, "Accept the invitation")
    client.post(f"/api/v1/assignments/{invited.pk}/accept/")
    assert_error(client.post(address, {"decision": "request_changes"}, format="json"), 400, "comments to the author")
    assert_error(client.post(address, {"decision": "maybe"}, format="json"), 400)
    response = client.post(address, {"decision": "approve", "comments_to_author": "Good."}, format="json")
    assert response.status_code == 201
    assert response.json()["decision"] == "approve"
    invited.refresh_from_db()
    assert invited.status == AssignmentStatus.COMPLETED


def test_two_approvals_through_the_api_publish_the_article(submitted, board, editor):
    editor_client = client_for(editor)
    created = editor_client.post(f"/api/v1/editorial/articles/{submitted.slug}/auto-assign/", {}, format="json")
    assert created.status_code == 201
    for assignment in ReviewAssignment.objects.filter(revision__article=submitted):
        reviewer = client_for(assignment.board_member.user)
        reviewer.post(f"/api/v1/assignments/{assignment.pk}/accept/")
        reviewer.post(f"/api/v1/assignments/{assignment.pk}/review/", {"decision": "approve"}, format="json")
    assert APIClient().get(f"/api/v1/articles/{submitted.slug}/").status_code == 200


# Editors


def test_editor_lists_articles_by_state_and_specialty(editor, article, submitted, neurology):
    factories.ArticleFactory(specialty=factories.SpecialtyFactory(name="Cardiology", slug="cardiology"), slug="heart")
    client = client_for(editor)
    assert client.get("/api/v1/editorial/articles/").json()["count"] == 2
    assert [a["slug"] for a in client.get("/api/v1/editorial/articles/?state=submitted").json()["results"]] == [
        article.slug
    ]
    assert [a["slug"] for a in client.get("/api/v1/editorial/articles/?specialty=cardiology").json()["results"]] == [
        "heart"
    ]


@pytest.mark.parametrize(
    ("method", "address"),
    [
        ("get", "/api/v1/editorial/articles/"),
        ("get", "/api/v1/editorial/board-members/"),
        ("post", "/api/v1/editorial/articles/{slug}/assignments/"),
        ("post", "/api/v1/editorial/articles/{slug}/auto-assign/"),
        ("post", "/api/v1/editorial/articles/{slug}/reject/"),
        ("post", "/api/v1/editorial/articles/{slug}/retract/"),
        ("post", "/api/v1/editorial/articles/{slug}/reopen/"),
        ("post", "/api/v1/editorial/assignments/1/cancel/"),
    ],
)
def test_editor_endpoints_refuse_authors_and_board_members(method, address, submitted, author, board):
    for user in (author, board[0].user):
        response = getattr(client_for(user), method)(address.format(slug=submitted.slug), {}, format="json")
        assert_error(response, 403, "Only editors")
    submitted.refresh_from_db()
    assert submitted.state == ArticleState.SUBMITTED


def test_editor_assigns_a_board_member_and_review_starts(editor, submitted, board):
    client = client_for(editor)
    address = f"/api/v1/editorial/articles/{submitted.slug}/assignments/"
    response = client.post(address, {"board_member": board[0].pk}, format="json")
    assert response.status_code == 201
    assert response.json()["status"] == "invited"
    submitted.refresh_from_db()
    assert submitted.state == ArticleState.UNDER_REVIEW
    assert_error(
        client.post(address, {"board_member": board[0].pk}, format="json"), 400, "already a reviewer in this round"
    )
    assert_error(client.post(address, {"board_member": 999999}, format="json"), 400)
    assert [a["id"] for a in client.get(address).json()] == [response.json()["id"]]


def test_assigning_a_draft_is_a_conflict_and_a_missing_article_is_404(editor, article, board):
    client = client_for(editor)
    response = client.post(
        f"/api/v1/editorial/articles/{article.slug}/assignments/", {"board_member": board[0].pk}, format="json"
    )
    assert_error(response, 409, "Reviewers are assigned to submitted articles")
    missing = client.post("/api/v1/editorial/articles/nope/assignments/", {"board_member": board[0].pk}, format="json")
    assert_error(missing, 404, "There is no such article for you.")


def test_an_author_who_sits_on_the_board_cannot_be_assigned_their_own_article(editor, submitted, author, neurology):
    member = factories.BoardMemberFactory(user=author, specialties=[neurology])
    response = client_for(editor).post(
        f"/api/v1/editorial/articles/{submitted.slug}/assignments/", {"board_member": member.pk}, format="json"
    )
    assert_error(response, 400, "is an author of this article")


def test_auto_assign_picks_the_quorum_in_specialty(editor, submitted, board):
    response = client_for(editor).post(f"/api/v1/editorial/articles/{submitted.slug}/auto-assign/", {}, format="json")
    assert response.status_code == 201
    assert sorted(a["board_member"] for a in response.json()) == sorted(m.display_name for m in board[:2])


def test_editor_cancels_an_open_assignment_once(editor, invited):
    client = client_for(editor)
    address = f"/api/v1/editorial/assignments/{invited.pk}/cancel/"
    response = client.post(address, {"reason": "Too busy"}, format="json")
    assert response.json()["status"] == "cancelled"
    assert_error(client.post(address, {}, format="json"), 409, "already cancelled")
    assert_error(client.post("/api/v1/editorial/assignments/999999/cancel/", {}, format="json"), 404)


def test_editor_rejects_with_a_reason_only(editor, submitted):
    client = client_for(editor)
    address = f"/api/v1/editorial/articles/{submitted.slug}/reject/"
    assert_error(client.post(address, {"reason": "  "}, format="json"), 400, "Give a reason to reject.")
    response = client.post(address, {"reason": "Out of scope."}, format="json")
    assert response.json()["state"] == "rejected"
    assert_error(client.post(address, {"reason": "Again"}, format="json"), 409, "cannot be rejected")


def test_editor_retracts_and_reopens(editor, submitted, board):
    approve(submitted, board, editor)
    client = client_for(editor)
    base = f"/api/v1/editorial/articles/{submitted.slug}"
    assert_error(client.post(f"{base}/reopen/", {"reason": "x"}, format="json"), 409, "cannot be reopened")
    assert client.post(f"{base}/retract/", {"reason": "Outdated."}, format="json").json()["state"] == "retracted"
    assert APIClient().get(f"/api/v1/articles/{submitted.slug}/").status_code == 404
    assert client.post(f"{base}/reopen/", {"reason": "Update it."}, format="json").json()["state"] == "draft"


def test_editor_lists_board_members(editor, board):
    results = client_for(editor).get("/api/v1/editorial/board-members/").json()["results"]
    assert {(m["id"], m["credentials"]) for m in results} == {(m.pk, "MD") for m in board}
