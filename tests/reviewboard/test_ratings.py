"""Editors rate each review 1 to 5; the rating is theirs only, and shows in the board's workload table."""

import pytest
from django.urls import reverse

from articles.exceptions import ActionForbidden, ValidationFailed
from reviewboard import services
from reviewboard.models import Decision
from tests.reviewboard.test_api_workflow import client_for


@pytest.fixture
def review(article, author, editor, board):
    services.article_submit(article=article, actor=author)
    assignment = services.assignment_create(article=article, board_member=board[0], actor=editor)
    services.assignment_accept(assignment=assignment, actor=board[0].user)
    return services.review_submit(
        assignment=assignment, actor=board[0].user, decision=Decision.REQUEST_CHANGES, comments_to_author="Dose?"
    )


def test_editor_rates_and_rerates_a_review(review, editor):
    services.review_rate(review=review, actor=editor, rating=4)
    assert services.review_rate(review=review, actor=editor, rating="2").rating == 2
    review.refresh_from_db()
    assert review.rating.rating == 2


@pytest.mark.parametrize("rating", [0, 6, "five", None])
def test_a_rating_is_1_to_5(review, editor, rating):
    with pytest.raises(ValidationFailed):
        services.review_rate(review=review, actor=editor, rating=rating)


@pytest.mark.parametrize("who", ["author", "reviewer"])
def test_only_editors_rate(review, author, board, who):
    with pytest.raises(ActionForbidden):
        services.review_rate(review=review, actor={"author": author, "reviewer": board[0].user}[who], rating=5)


def test_the_rating_form_and_the_workload_table(client, review, editor, board):
    client.force_login(editor)
    article = review.assignment.revision.article
    response = client.post(
        reverse("workspaces:editor_rate_review", args=[article.slug, review.assignment_id]), {"rating": "5"}
    )
    assert response.status_code == 302
    page = client.get(reverse("workspaces:editor_article", args=[article.slug])).content.decode()
    assert '<option value="5" selected>' in page
    dashboard = client.get("/dashboard/?period=365").content.decode()
    assert "5.0 (1)" in dashboard
    # The reviewer never sees it.
    client.force_login(board[0].user)
    assert (
        "Rating" not in client.get(reverse("workspaces:board_assignment", args=[review.assignment_id])).content.decode()
    )


def test_the_api_rates_for_editors_only(review, editor, author):
    assert (
        client_for(editor)
        .post(f"/api/v1/editorial/reviews/{review.pk}/rating/", {"rating": 3}, format="json")
        .json()["rating"]
        == 3
    )
    assert (
        client_for(author)
        .post(f"/api/v1/editorial/reviews/{review.pk}/rating/", {"rating": 3}, format="json")
        .status_code
        == 403
    )
