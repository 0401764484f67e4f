"""The threads API: the same permission function as the pages; confidential threads never reach the authors."""

import pytest
from django.core.cache import cache

from reviewboard.review_models import CommentThread, ThreadStatus
from tests.reviewboard.test_api_workflow import client_for
from tests.reviewboard.test_threads import _open, review  # noqa: F401  (the fixture)


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    cache.clear()


def test_reviewer_opens_a_thread_on_a_passage_and_the_author_answers(review, author, board):  # noqa: F811
    response = client_for(board[0].user).post(
        f"/api/v1/review/articles/{review.slug}/threads/",
        {"field": "section", "index": 0, "paragraph": 0, "quote": "twice a day", "body": "Check the dose."},
        format="json",
    )
    assert response.status_code == 201, response.json()
    thread = response.json()
    assert (thread["quote"], thread["start"], thread["anchor"]["revision"]) == ("twice a day", 11, 1)
    answer = client_for(author).post(f"/api/v1/threads/{thread['id']}/replies/", {"body": "Fixed."}, format="json")
    assert answer.status_code == 201
    assert [c["body"] for c in answer.json()["comments"]] == ["Check the dose.", "Fixed."]
    resolved = client_for(board[0].user).post(f"/api/v1/threads/{thread['id']}/resolve/")
    assert resolved.json()["status"] == ThreadStatus.RESOLVED


def test_the_author_never_gets_a_confidential_thread(review, author, editor, board):  # noqa: F811
    _open(review, board[0].user, body="For everyone.")
    secret = _open(review, editor, confidential=True, body="Editors only.")
    listed = client_for(author).get(f"/api/v1/review/articles/{review.slug}/threads/").json()
    assert [t["comments"][0]["body"] for t in listed] == ["For everyone."]
    assert client_for(author).get(f"/api/v1/threads/{secret.pk}/").status_code == 404
    assert client_for(author).post(f"/api/v1/threads/{secret.pk}/replies/", {"body": "x"}).status_code == 404
    assert len(client_for(board[1].user).get(f"/api/v1/review/articles/{review.slug}/threads/").json()) == 2


@pytest.mark.parametrize("who", ["author", "outsider"])
def test_who_cannot_open_a_thread(review, author, board, who):  # noqa: F811
    person = {"author": author, "outsider": board[2].user}[who]
    response = client_for(person).post(
        f"/api/v1/review/articles/{review.slug}/threads/",
        {"field": "section", "index": 0, "paragraph": 0, "body": "Mine."},
        format="json",
    )
    assert response.status_code == (403 if who == "author" else 404)
    assert not CommentThread.objects.exists()


def test_a_wrong_passage_is_a_field_error(review, board):  # noqa: F811
    response = client_for(board[0].user).post(
        f"/api/v1/review/articles/{review.slug}/threads/",
        {"field": "section", "index": 0, "paragraph": 0, "quote": "not there", "body": "Hm."},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["field_errors"][0]["field"] == "quote"
