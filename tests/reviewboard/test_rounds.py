"""Review rounds: a resubmission carries the authors' response letter, re-invites the previous round's reviewers,
and each of them sees the diff against the revision they reviewed; rounds are listed with their outcome."""

import pytest
from django.urls import reverse

from articles.exceptions import ValidationFailed
from reviewboard import actions, services
from reviewboard.models import AssignmentStatus, Decision, ReviewAssignment, RoundOutcome
from reviewboard.notifications.models import OutboxEvent
from reviewboard.review_models import AnchorField, ThreadComment
from reviewboard.services_threads import thread_open, thread_resolve
from tests import factories
from tests.reviewboard.test_api_workflow import client_for

LETTER = "We changed the dose to 250 mg as asked, and cited the 2022 guideline."


@pytest.fixture
def changes_requested(article, author, editor, board):
    """Round 1: board[0] asked for changes; board[1] had accepted and was cancelled when the round ended."""
    services.article_submit(article=article, actor=author)
    first = services.assignment_create(article=article, board_member=board[0], actor=editor)
    services.assignment_accept(assignment=first, actor=board[0].user)
    second = services.assignment_create(article=article, board_member=board[1], actor=editor)
    services.assignment_accept(assignment=second, actor=board[1].user)
    services.review_submit(
        assignment=first, actor=board[0].user, decision=Decision.REQUEST_CHANGES, comments_to_author="Fix the dose."
    )
    factories.RevisionFactory(
        article=article,
        created_by=author,
        sections=[{"heading": "From the Guidelines", "body": "It is well known, at 250 mg [1]."}],
    )
    article.refresh_from_db()
    return article


def test_resubmission_carries_the_letter_and_reinvites_the_reviewers_of_the_previous_round(
    changes_requested, author, board
):
    services.article_submit(article=changes_requested, actor=author, response_letter=LETTER)
    changes_requested.refresh_from_db()
    rounds = list(changes_requested.review_rounds.order_by("number"))
    assert [(r.number, r.outcome, r.response_letter) for r in rounds] == [
        (1, RoundOutcome.CHANGES_REQUESTED, ""),
        (2, "", LETTER),
    ]
    invited = ReviewAssignment.objects.filter(review_round=rounds[1])
    # Only the member who reviewed is invited again; the cancelled one is the editors' choice.
    assert [(a.board_member, a.status) for a in invited] == [(board[0], AssignmentStatus.INVITED)]
    assert invited[0].assigned_by.username == "editorial-system"
    assert changes_requested.state == "under_review"


def test_a_reviewer_who_cannot_review_now_is_not_reinvited(changes_requested, author, board):
    factories.ConflictOfInterestFactory(board_member=board[0], article=changes_requested)
    services.article_submit(article=changes_requested, actor=author)
    changes_requested.refresh_from_db()
    assert changes_requested.state == "submitted"  # waiting for an editor to assign
    assert not ReviewAssignment.objects.filter(review_round__number=2).exists()


def test_the_letter_is_checked_by_its_text_rule(changes_requested, author):
    with pytest.raises(ValidationFailed) as caught:
        services.article_submit(article=changes_requested, actor=author, response_letter="x" * 20_001)
    assert caught.value.errors[0].field == "response_letter"


def test_the_reinvited_reviewer_sees_the_letter_and_the_diff_against_what_they_reviewed(
    client, changes_requested, author, board
):
    services.article_submit(article=changes_requested, actor=author, response_letter=LETTER)
    assignment = ReviewAssignment.objects.get(review_round__number=2)
    client.force_login(board[0].user)
    html = client.get(reverse("workspaces:board_assignment", args=[assignment.pk])).content.decode()
    assert LETTER in html
    assert "Changes since the revision you reviewed" in html
    assert "Compared with revision 1, the one you reviewed in round 1." in html


def test_the_web_resubmit_form_posts_the_letter(client, changes_requested, author):
    client.force_login(author)
    page = client.get(reverse("workspaces:author_article", args=[changes_requested.slug])).content.decode()
    assert 'name="response_letter"' in page
    response = client.post(
        reverse("workspaces:article_action", args=[changes_requested.slug, "resubmit"]), {"response_letter": LETTER}
    )
    assert response.status_code == 302
    assert changes_requested.review_rounds.get(number=2).response_letter == LETTER


def test_the_api_resubmits_with_the_letter(changes_requested, author):
    response = client_for(author).post(
        f"/api/v1/drafts/{changes_requested.slug}/resubmit/", {"response_letter": LETTER}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert changes_requested.review_rounds.get(number=2).response_letter == LETTER


def test_only_a_resubmission_takes_a_letter(article, author):
    with pytest.raises(ValidationFailed):
        actions.perform("withdraw", article=article, actor=author, reason="x", response_letter=LETTER)


def test_rounds_are_listed_with_their_outcome_for_editors_and_authors(client, changes_requested, author, editor):
    services.article_submit(article=changes_requested, actor=author, response_letter=LETTER)
    for person, page in ((editor, "workspaces:editor_article"), (author, "workspaces:author_article")):
        client.force_login(person)
        html = client.get(reverse(page, args=[changes_requested.slug])).content.decode()
        table = html[html.index('id="rounds-title"') :]
        assert "Changes requested" in table and "open" in table
        assert LETTER in table


def test_editors_read_the_rounds_in_the_admin(client, changes_requested, author):
    services.article_submit(article=changes_requested, actor=author, response_letter=LETTER)
    staff = factories.EditorFactory(username="chair", is_staff=True)
    client.force_login(staff)
    listing = client.get(reverse("admin:reviewboard_reviewround_changelist")).content.decode()
    assert "Changes requested" in listing
    second = changes_requested.review_rounds.get(number=2)
    page = client.get(reverse("admin:reviewboard_reviewround_change", args=[second.pk])).content.decode()
    assert LETTER in page


# The response letter's replies: one per open thread, posted in the thread with the resubmission.


@pytest.fixture
def threaded(article, author, editor, board):
    """Round 1 with threads (two open, one resolved, one confidential) ended by board[0]'s request for changes."""
    services.article_submit(article=article, actor=author)
    first = services.assignment_create(article=article, board_member=board[0], actor=editor)
    services.assignment_accept(assignment=first, actor=board[0].user)
    reviewer = board[0].user

    def comment(actor, body, **kwargs):
        return thread_open(
            article=article, actor=actor, field=AnchorField.SUMMARY_PATIENT, index=0, paragraph=0, body=body, **kwargs
        )

    threads = {
        "dose": comment(reviewer, "Which dose?"),
        "source": comment(reviewer, "Which source?"),
        "done": comment(reviewer, "Typo."),
        "secret": comment(editor, "Between us.", confidential=True),
    }
    thread_resolve(thread=threads["done"], actor=reviewer)
    services.review_submit(
        assignment=first, actor=reviewer, decision=Decision.REQUEST_CHANGES, comments_to_author="See my comments."
    )
    factories.RevisionFactory(
        article=article,
        created_by=author,
        sections=[{"heading": "From the Guidelines", "body": "It is well known, at 250 mg [1]."}],
    )
    article.refresh_from_db()
    return article, threads


def _replies(threads, **bodies):
    return [{"thread": threads[name].pk, "body": body} for name, body in bodies.items()]


def test_a_resubmission_posts_a_reply_in_each_open_thread_it_answers(threaded, author):
    article, threads = threaded
    services.article_submit(
        article=article,
        actor=author,
        response_letter=LETTER,
        thread_replies=_replies(threads, dose="Now 250 mg.", source="The 2022 guideline."),
    )
    second = article.review_rounds.get(number=2)
    replies = ThreadComment.objects.filter(review_round=second).order_by("thread__created_at")
    assert [(c.thread_id, c.author, c.body) for c in replies] == [
        (threads["dose"].pk, author, "Now 250 mg."),
        (threads["source"].pk, author, "The 2022 guideline."),
    ]
    assert threads["dose"].comments.count() == 2  # the reply is in the thread itself
    kinds = list(OutboxEvent.objects.filter(kind="thread_reply").values_list("payload__thread_id", flat=True))
    assert sorted(kinds) == sorted([threads["dose"].pk, threads["source"].pk])


@pytest.mark.parametrize(
    ("replies", "field", "code"),
    [
        (lambda t: _replies(t, dose="Now 250 mg.", source="   "), "thread_replies.body", "required"),
        (lambda t: _replies(t, dose="x" * 5001), "thread_replies.body", "max_length"),
        (lambda t: _replies(t, done="Fixed."), "thread_replies.thread", "not_found"),  # resolved
        (lambda t: _replies(t, secret="Hello?"), "thread_replies.thread", "not_found"),  # confidential: unknown
        (lambda t: [{"thread": 999_999, "body": "Hi"}], "thread_replies.thread", "not_found"),
        (lambda t: [{"thread": "one", "body": "Hi"}], "thread_replies.thread", "type"),
        (lambda t: [*_replies(t, dose="A"), *_replies(t, dose="B")], "thread_replies.thread", "duplicate"),
    ],
)
def test_a_bad_reply_refuses_the_whole_resubmission_beside_its_field(threaded, author, replies, field, code):
    article, threads = threaded
    given = replies(threads)
    with pytest.raises(ValidationFailed) as caught:
        services.article_submit(article=article, actor=author, response_letter=LETTER, thread_replies=given)
    error = caught.value.errors[-1]
    assert (error.field, error.code, error.index) == (field, code, len(given) - 1)
    article.refresh_from_db()
    assert article.state == "changes_requested"
    assert article.review_rounds.count() == 1
    assert not ThreadComment.objects.filter(body__in=["Now 250 mg.", "Fixed.", "Hello?", "Hi", "A"]).exists()


def test_replies_go_with_a_resubmission_only(article, author, board, editor):
    services.article_submit(article=article, actor=author)
    first = services.assignment_create(article=article, board_member=board[0], actor=editor)
    services.assignment_accept(assignment=first, actor=board[0].user)
    thread = thread_open(
        article=article, actor=board[0].user, field=AnchorField.SUMMARY_PATIENT, index=0, paragraph=0, body="Why?"
    )
    services.article_withdraw(article=article, actor=author, reason="More work.")
    with pytest.raises(ValidationFailed) as caught:
        services.article_submit(article=article, actor=author, thread_replies=[{"thread": thread.pk, "body": "Hi"}])
    assert caught.value.errors[0].field == "thread_replies"
    assert thread.comments.count() == 1


def test_the_reinvited_reviewer_sees_the_replies_with_the_letter(client, threaded, author, board):
    article, threads = threaded
    services.article_submit(
        article=article, actor=author, response_letter=LETTER, thread_replies=_replies(threads, dose="Now 250 mg.")
    )
    assignment = ReviewAssignment.objects.get(review_round__number=2)
    client.force_login(board[0].user)
    html = client.get(reverse("workspaces:board_assignment", args=[assignment.pk])).content.decode()
    letter = html[html.index('id="letter-title"') : html.index('id="changes-title"')]
    assert LETTER in letter
    assert "Their replies to the open comments" in letter
    assert threads["dose"].quote in letter and "Now 250 mg." in letter
    assert f'href="#thread-{threads["dose"].pk}"' in letter


def test_the_web_resubmit_form_has_a_reply_per_open_thread_and_posts_them(client, threaded, author):
    article, threads = threaded
    client.force_login(author)
    url = reverse("workspaces:author_article", args=[article.slug])
    page = client.get(url).content.decode()
    for name, shown in (("dose", True), ("source", True), ("done", False), ("secret", False)):
        assert (f'name="reply_{threads[name].pk}"' in page) is shown
    response = client.post(
        reverse("workspaces:article_action", args=[article.slug, "resubmit"]),
        {"response_letter": LETTER, f"reply_{threads['dose'].pk}": "Now 250 mg.", f"reply_{threads['source'].pk}": ""},
    )
    assert response.status_code == 302
    second = article.review_rounds.get(number=2)
    assert list(ThreadComment.objects.filter(review_round=second).values_list("thread_id", "body")) == [
        (threads["dose"].pk, "Now 250 mg.")
    ]


def test_the_web_form_shows_a_bad_reply_beside_its_field_and_saves_nothing(client, threaded, author):
    article, threads = threaded
    client.force_login(author)
    response = client.post(
        reverse("workspaces:article_action", args=[article.slug, "resubmit"]),
        {
            "response_letter": LETTER,
            f"reply_{threads['dose'].pk}": "Now 250 mg.",
            f"reply_{threads['source'].pk}": "x" * 5001,
        },
    )
    assert response.status_code == 400
    html = response.content.decode()
    field = html[html.index(f'id="resubmit-reply_{threads["source"].pk}_error"') :]
    assert "5,000" in field[: field.index("</div>")] or "5000" in field[: field.index("</div>")]
    assert LETTER in html  # what was typed is kept
    article.refresh_from_db()
    assert article.state == "changes_requested"
    assert not ThreadComment.objects.filter(body="Now 250 mg.").exists()


def test_the_api_resubmits_with_replies_and_places_a_bad_one(threaded, author):
    article, threads = threaded
    api = client_for(author)
    url = f"/api/v1/drafts/{article.slug}/resubmit/"
    bad = api.post(url, {"thread_replies": _replies(threads, dose="Fine.", done="Fixed.")}, format="json")
    assert bad.status_code == 400
    assert [(e["field"], e["index"]) for e in bad.json()["field_errors"]] == [("thread_replies.thread", 1)]
    assert not ThreadComment.objects.filter(body="Fine.").exists()
    good = api.post(url, {"response_letter": LETTER, "thread_replies": _replies(threads, dose="Fine.")}, format="json")
    assert good.status_code == 200, good.json()
    assert ThreadComment.objects.get(body="Fine.").review_round == article.review_rounds.get(number=2)
