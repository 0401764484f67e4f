"""Comment threads on the text: who may see, open, answer and resolve them (confidential ones too), the passage
checks, and how open threads follow their passage to the next revision or stay on the earlier one."""

import pytest
from django.urls import reverse

from articles.exceptions import ActionForbidden, InvalidTransition, NotFound, ValidationFailed
from reviewboard import services
from reviewboard.models import Decision
from reviewboard.permissions import THREAD_OPEN, access_article, access_thread, thread_rights
from reviewboard.review_models import AnchorField, CommentThread, ThreadStatus
from reviewboard.selectors import visible_threads
from reviewboard.services_threads import thread_open, thread_reopen, thread_reply, thread_resolve
from tests import factories

SECTIONS = [
    {"heading": "From the Guidelines", "body": "Give 10 mg twice a day [1].\n\nStop if drowsy."},
    {"heading": "Treatment", "body": "Treat the cause first [1]."},
]


@pytest.fixture
def review(author, editor, board):
    """An article under review: board[0] accepted, board[1] invited; board[2] not on the round."""
    article = factories.ArticleFactory(authors=[author], specialty=board[0].specialties.first(), revision=False)
    factories.RevisionFactory(article=article, created_by=author, sections=SECTIONS)
    services.article_submit(article=article, actor=author)
    accepted = services.assignment_create(article=article, board_member=board[0], actor=editor)
    services.assignment_accept(assignment=accepted, actor=board[0].user)
    services.assignment_create(article=article, board_member=board[1], actor=editor)
    article.refresh_from_db()
    return article


def _open(article, actor, *, quote="10 mg twice a day", confidential=False, index=0, paragraph=0, body="Dose?"):
    return thread_open(
        article=article,
        actor=actor,
        field=AnchorField.SECTION,
        index=index,
        paragraph=paragraph,
        quote=quote,
        body=body,
        confidential=confidential,
    )


def _people(author, editor, board):
    stranger = factories.AuthorFactory(username="stranger")
    return {
        "author": author,
        "editor": editor,
        "reviewer": board[0].user,
        "invited": board[1].user,
        "outsider": board[2].user,
        "other author": stranger,
    }


# who: (sees threads, sees confidential, opens, resolves)
MATRIX = {
    "author": (True, False, False, False),
    "editor": (True, True, True, True),
    "reviewer": (True, True, True, True),
    "invited": (True, True, True, True),
    "outsider": (False, False, False, False),
    "other author": (False, False, False, False),
}


@pytest.mark.parametrize("who", MATRIX)
def test_thread_permission_matrix(review, author, editor, board, who):
    person = _people(author, editor, board)[who]
    sees, sees_confidential, opens, resolves = MATRIX[who]
    public = _open(review, board[0].user)
    secret = _open(review, editor, confidential=True, body="Between us.")
    rights = thread_rights(person, review)
    assert (rights.view, rights.confidential, rights.open) == (sees, sees_confidential, opens)

    assert set(visible_threads(user=person, article=review)) == (
        {public, secret} if sees_confidential else {public} if sees else set()
    )
    # Opening: through the one access helper every surface uses.
    if opens:
        assert access_article(person, purpose=THREAD_OPEN, pk=review.pk) == review
    else:
        with pytest.raises((NotFound, ActionForbidden)):
            _open(review, person)
    # Replying: everyone who sees a thread; a confidential one does not exist for the author.
    if sees:
        assert thread_reply(thread=public, actor=person, body="Answered.").body == "Answered."
    else:
        with pytest.raises(NotFound):
            thread_reply(thread=public, actor=person, body="Answered.")
    if not sees_confidential:
        with pytest.raises(NotFound):
            access_thread(person, secret.pk)
        with pytest.raises(NotFound):
            thread_reply(thread=secret, actor=person, body="Let me in.")
    # Resolving and reopening.
    if resolves:
        assert thread_resolve(thread=public, actor=person).status == ThreadStatus.RESOLVED
        assert thread_reopen(thread=public, actor=person).status == ThreadStatus.OPEN
    else:
        with pytest.raises((NotFound, ActionForbidden)):
            thread_resolve(thread=public, actor=person)


def test_a_member_of_an_earlier_round_sees_and_answers_but_cannot_open(review, author, editor, board):
    thread = _open(review, board[0].user)
    services.review_submit(
        assignment=board[0].assignments.get(),
        actor=board[0].user,
        decision=Decision.REQUEST_CHANGES,
        comments_to_author="See my comments.",
    )
    rights = thread_rights(board[0].user, review)
    assert rights.view and rights.confidential and not rights.open
    thread_reply(thread=thread, actor=board[0].user, body="Still stands.")
    with pytest.raises(ActionForbidden):
        _open(review, board[0].user)


def test_whole_paragraph_when_no_passage_is_quoted(review, board):
    thread = _open(review, board[0].user, quote="", paragraph=1)
    assert (thread.quote, thread.whole_paragraph, thread.start, thread.end) == ("Stop if drowsy.", True, 0, 15)


def test_passage_offsets_are_in_the_text_readers_see(review, board):
    thread = _open(review, board[0].user, quote="  twice\n a day ")
    assert thread.quote == "twice a day"
    assert (thread.start, thread.end) == (len("Give 10 mg "), len("Give 10 mg twice a day"))


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"quote": "20 mg"}, "not_found"),
        ({"paragraph": 7}, "missing"),
        ({"body": "   "}, "required"),
        ({"body": "x" * 5001}, "max_length"),
        ({"body": "bad\x00"}, "null_character"),
    ],
)
def test_thread_input_is_checked_by_the_service(review, board, fields, code):
    with pytest.raises(ValidationFailed) as caught:
        _open(review, board[0].user, **fields)
    assert caught.value.errors[0].code == code
    assert not CommentThread.objects.exists()


def test_threads_are_opened_only_on_a_revision_under_review(article, editor):
    with pytest.raises(InvalidTransition):
        _open(article, editor)


def _request_changes(article, board):
    services.review_submit(
        assignment=board[0].assignments.get(),
        actor=board[0].user,
        decision=Decision.REQUEST_CHANGES,
        comments_to_author="See my comments.",
    )


def test_open_threads_follow_an_unchanged_passage_and_stay_on_a_changed_one(review, author, editor, board):
    kept = _open(review, board[0].user, quote="Stop if drowsy", paragraph=1)
    changed = _open(review, board[0].user, quote="10 mg twice a day")
    whole = _open(review, editor, index=1, quote="")
    resolved = _open(review, editor, quote="Give")
    thread_resolve(thread=resolved, actor=editor)
    first = review.submitted_revision
    _request_changes(review, board)
    # The author changes the dose, adds a section before the others and leaves the rest as it was.
    factories.RevisionFactory(
        article=review,
        created_by=author,
        sections=[
            {"heading": "Key points", "body": "New first section [1]."},
            {"heading": "From the Guidelines", "body": "Give 5 mg once a day [1].\n\nStop if drowsy."},
            {"heading": "Treatment", "body": "Treat the cause first [1]."},
        ],
    )
    services.article_submit(article=review, actor=author)
    review.refresh_from_db()
    second = review.submitted_revision
    for thread in (kept, changed, whole, resolved):
        thread.refresh_from_db()
    assert (kept.anchor_revision, kept.anchor_index, kept.anchor_paragraph, kept.anchor_start) == (second, 1, 1, 0)
    assert (whole.anchor_revision, whole.anchor_index, whole.anchor_paragraph) == (second, 2, 0)
    # Changed: still on the revision it was written on, with its words; never lost.
    assert (changed.anchor_revision, changed.quote) == (first, "10 mg twice a day")
    assert resolved.anchor_revision == first
    assert (kept.revision, kept.index) == (first, 0)  # where it was written never changes


def test_review_page_shows_threads_beside_their_passage_and_posts_without_javascript(client, review, board):
    reviewer = board[0].user
    assignment = board[0].assignments.get()
    page = reverse("workspaces:board_assignment", args=[assignment.pk])
    client.force_login(reviewer)
    response = client.post(
        reverse("workspaces:thread_open", args=[review.slug]),
        {
            "field": "section",
            "index": "0",
            "paragraph": "0",
            "quote": "twice a day",
            "body": "Is this <b>right</b>?",
            "next": page,
        },
    )
    assert response.status_code == 302 and response["Location"].startswith(page)
    thread = CommentThread.objects.get()
    html = client.get(page).content.decode()
    passage = html.index('id="passage-section-0-0"')
    assert passage < html.index(f'id="thread-{thread.pk}"') < html.index('id="passage-section-0-1"')
    assert "Is this &lt;b&gt;right&lt;/b&gt;?" in html
    assert "“twice a day”" in html


def test_a_wrong_passage_is_reported_on_the_page(client, review, board):
    client.force_login(board[0].user)
    response = client.post(
        reverse("workspaces:thread_open", args=[review.slug]),
        {"field": "section", "index": "0", "paragraph": "0", "quote": "nowhere", "body": "Hm"},
        follow=True,
    )
    assert "The quoted passage is not in this paragraph" in response.content.decode()
    assert not CommentThread.objects.exists()


def test_author_page_shows_threads_without_confidential_ones_and_the_author_replies(
    client, review, author, editor, board
):
    public = _open(review, board[0].user, body="Check the dose.")
    _open(review, editor, confidential=True, body="Reviewer seems unsure.")
    client.force_login(author)
    html = client.get(reverse("workspaces:author_article", args=[review.slug])).content.decode()
    assert "Check the dose." in html
    assert "Reviewer seems unsure." not in html and "Confidential" not in html
    assert reverse("workspaces:thread_open", args=[review.slug]) not in html  # the author does not open threads
    reply = {"body": "Fixed in the next revision."}
    assert "awaiting your reply" in html  # listed beside the actions until answered
    response = client.post(reverse("workspaces:thread_reply", args=[public.pk]), reply)
    assert response.status_code == 302
    assert public.comments.last().body == "Fixed in the next revision."
    html = client.get(reverse("workspaces:author_article", args=[review.slug])).content.decode()
    assert "· answered" in html and "awaiting your reply" not in html


@pytest.mark.parametrize("who", ["author", "outsider"])
def test_forbidden_paths_on_the_web(client, review, author, editor, board, who):
    person = {"author": author, "outsider": board[2].user}[who]
    secret = _open(review, editor, confidential=True)
    client.force_login(person)
    response = client.post(
        reverse("workspaces:thread_open", args=[review.slug]),
        {"field": "section", "index": "0", "paragraph": "0", "body": "Mine"},
    )
    assert response.status_code in (403, 404)
    assert client.post(reverse("workspaces:thread_reply", args=[secret.pk]), {"body": "x"}).status_code == 404
    assert client.post(reverse("workspaces:thread_resolve", args=[secret.pk])).status_code == 404
    assert CommentThread.objects.count() == 1 and secret.comments.count() == 1


def test_review_page_with_50_threads_and_a_20_item_checklist_takes_at_most_12_queries(
    client, review, editor, board, django_assert_max_num_queries
):
    for _ in range(20):
        factories.ChecklistItemFactory(specialty=review.specialty)
    for n in range(50):
        thread = _open(review, editor if n % 2 else board[0].user, quote="", paragraph=n % 2, body=f"Point {n}")
        thread_reply(thread=thread, actor=editor, body="Agreed.")
    client.force_login(board[0].user)
    page = reverse("workspaces:board_assignment", args=[board[0].assignments.get().pk])
    with django_assert_max_num_queries(12):
        response = client.get(page)
    html = response.content.decode()
    assert html.count('class="thread ') == 50
    assert html.count('class="checklist__item') == 20
