import pytest

from articles.models import Article, ArticleState
from reviewboard import services
from reviewboard.models import AssignmentStatus, Decision, ReviewAssignment
from tests import factories
from tests.reviewboard.test_workspaces_author import editor_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def submitted(article, author):
    services.article_submit(article=article, actor=author)
    return article


def test_dashboard_shows_queues_per_state(editor_client, submitted):
    response = editor_client.get("/editor/")
    assert response.status_code == 200
    counts = {value: count for _, value, count in response.context["queues"]}
    assert counts["submitted"] == 1 and counts["draft"] == 0
    assert response.context["state"] == "submitted"  # the first queue with work waiting
    assert [article for article, _ in response.context["rows"]] == [submitted]


def test_the_desk_pages_a_queue_oldest_first_and_filters_by_specialty(editor_client, neurology):
    from urllib.parse import quote

    from django.utils import timezone

    cardiology = factories.SpecialtyFactory(name="Cardiology", slug="cardiology")
    articles = factories.ArticleFactory.create_batch(30, specialty=neurology)
    for article in [*articles, factories.ArticleFactory(specialty=cardiology)]:
        services.article_submit(article=article, actor=article.authors.first())
    for age, article in enumerate(articles):  # the first has waited longest
        waited = timezone.now() - timezone.timedelta(hours=100 - age)
        type(article).objects.filter(pk=article.pk).update(updated_at=waited)
    first = editor_client.get("/editor/?state=submitted")
    after = first.context["page"].next_after
    assert f"after={quote(after)}".encode() in first.content
    second = editor_client.get("/editor/", {"state": "submitted", "after": after})
    shown = [a for a, _ in first.context["rows"]] + [a for a, _ in second.context["rows"]]
    assert len(first.context["rows"]) == 25
    assert shown[:30] == articles
    assert second.context["page"].next_after is None
    # A token that does not parse starts again from the first page.
    assert editor_client.get("/editor/?state=submitted&after=nonsense").context["rows"] == first.context["rows"]
    cardio = editor_client.get("/editor/?state=submitted&specialty=cardiology")
    assert {a.specialty for a, _ in cardio.context["rows"]} == {cardiology}
    assert {value: count for _, value, count in cardio.context["queues"]}["submitted"] == 1


def test_article_page_shows_suggestions_with_reasons(editor_client, submitted, board):
    response = editor_client.get(f"/editor/articles/{submitted.slug}/")
    assert response.status_code == 200
    assert b"specialty Neurology" in response.content
    assert b"outside the specialty" in response.content


def test_editor_assigns_and_cancels_a_reviewer(editor_client, submitted, board):
    editor_client.post(f"/editor/articles/{submitted.slug}/assign/", {"board_member": board[0].pk})
    assignment = ReviewAssignment.objects.get(board_member=board[0])
    submitted.refresh_from_db()
    assert submitted.state == ArticleState.UNDER_REVIEW
    editor_client.post(f"/editor/articles/{submitted.slug}/assignments/{assignment.pk}/cancel/")
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.CANCELLED


def test_assigning_an_author_shows_the_reason(editor_client, author, neurology, board):
    member = factories.BoardMemberFactory(user=author, specialties=[neurology])
    article = factories.ArticleFactory(authors=[author], specialty=neurology)
    services.article_submit(article=article, actor=author)
    response = editor_client.post(f"/editor/articles/{article.slug}/assign/", {"board_member": member.pk}, follow=True)
    assert b"is an author of this article and cannot review it" in response.content


def test_auto_assign_picks_the_quorum_in_specialty(editor_client, submitted, board):
    editor_client.post(f"/editor/articles/{submitted.slug}/auto-assign/")
    assigned = set(ReviewAssignment.objects.values_list("board_member", flat=True))
    assert assigned == {board[0].pk, board[1].pk}


def test_reject_needs_a_reason_and_records_it(editor_client, submitted):
    response = editor_client.post(f"/workspace/articles/{submitted.slug}/reject/", {"reason": ""}, follow=True)
    assert b"Give a reason to reject." in response.content
    editor_client.post(f"/workspace/articles/{submitted.slug}/reject/", {"reason": "Out of scope"})
    submitted.refresh_from_db()
    assert submitted.state == ArticleState.REJECTED
    editor_client.post(f"/workspace/articles/{submitted.slug}/reopen/", {"reason": "Scope widened"})
    submitted.refresh_from_db()
    assert submitted.state == ArticleState.DRAFT


def test_retracting_a_draft_is_an_invalid_transition_message_not_an_error(editor_client, article):
    response = editor_client.post(f"/workspace/articles/{article.slug}/retract/", {"reason": "x"}, follow=True)
    assert response.status_code == 200
    assert b"The article is draft: it cannot be retracted now." in response.content


def test_timeline_shows_reviews_with_confidential_comments(editor_client, submitted, editor, board):
    assignment = services.assignment_create(article=submitted, board_member=board[0], actor=editor)
    services.assignment_accept(assignment=assignment, actor=board[0].user)
    services.review_submit(
        assignment=assignment,
        actor=board[0].user,
        decision=Decision.REQUEST_CHANGES,
        comments_to_author="Add dosing.",
        confidential_comments="For editors: weak evidence.",
    )
    response = editor_client.get(f"/editor/articles/{submitted.slug}/")
    for text in (
        b"Revision 1",
        b"invited to review",
        b"Add dosing.",
        b"For editors: weak evidence.",
        b"Changes requested",
    ):
        assert text in response.content


def test_non_editors_cannot_reach_editor_workspace(client, author, board, submitted):
    for user in (author, board[0].user):
        client.force_login(user)
        assert client.get("/editor/").status_code == 403
        assert client.get(f"/editor/articles/{submitted.slug}/").status_code == 403
        assert client.post(f"/workspace/articles/{submitted.slug}/reject/", {"reason": "x"}).status_code == 403
    submitted.refresh_from_db()
    assert submitted.state == ArticleState.SUBMITTED


def test_anonymous_is_sent_to_login(client):
    response = client.get("/editor/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_missing_article_is_404(editor_client):
    assert editor_client.get("/editor/articles/nope/").status_code == 404


def test_forms_are_csrf_protected(submitted, editor):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(editor)
    assert client.post(f"/workspace/articles/{submitted.slug}/reject/", {"reason": "x"}).status_code == 403
    submitted.refresh_from_db()
    assert submitted.state == ArticleState.SUBMITTED


def test_dashboard_queries_do_not_grow_with_articles(editor_client, django_assert_max_num_queries):
    factories.ArticleFactory.create_batch(2)
    with django_assert_max_num_queries(11) as small:  # 10, and the frame's unread count
        editor_client.get("/editor/")
    factories.ArticleFactory.create_batch(10)
    with django_assert_max_num_queries(len(small.captured_queries)):
        editor_client.get("/editor/")


def _login(client, user):
    client.force_login(user)
    return client


def test_full_journey_through_the_pages(client, author, editor, board, neurology):
    """Author writes and submits, editor assigns two neurologists, both approve: approved."""
    _login(client, author)
    client.post("/author/articles/new/", editor_post(specialty=neurology.pk))
    article = Article.objects.get()
    client.post(f"/workspace/articles/{article.slug}/submit/")

    _login(client, editor)
    for member in board[:2]:
        client.post(f"/editor/articles/{article.slug}/assign/", {"board_member": member.pk})

    for member in board[:2]:
        _login(client, member.user)
        assignment = client.get("/review/").context["invitations"][0]
        client.post(f"/review/assignments/{assignment.pk}/accept/")
        client.post(f"/review/assignments/{assignment.pk}/decide/", {"decision": Decision.APPROVE})

    article.refresh_from_db()
    assert article.state == ArticleState.APPROVED
    assert article.approved_revision == article.current_revision
    assert client.get(f"/articles/{article.slug}/").status_code == 200


def test_changes_requested_round_through_the_pages(client, author, editor, board, neurology):
    _login(client, author)
    client.post("/author/articles/new/", editor_post(specialty=neurology.pk))
    article = Article.objects.get()
    client.post(f"/workspace/articles/{article.slug}/submit/")

    _login(client, editor)
    client.post(f"/editor/articles/{article.slug}/auto-assign/")

    first, second = ReviewAssignment.objects.order_by("pk")
    _login(client, first.board_member.user)
    client.post(f"/review/assignments/{first.pk}/accept/")
    client.post(
        f"/review/assignments/{first.pk}/decide/",
        {
            "decision": Decision.REQUEST_CHANGES,
            "comments_to_author": "Name the drugs.",
            "confidential_comments": "Meh.",
        },
    )
    article.refresh_from_db()
    assert article.state == ArticleState.CHANGES_REQUESTED

    _login(client, author)
    page = client.get(f"/author/articles/{article.slug}/")
    assert b"Name the drugs." in page.content and b"Meh." not in page.content
    client.post(
        f"/author/articles/{article.slug}/edit/",
        editor_post(sections=[("From the Guidelines", "Myoclonus is a brief jerk; valproate helps [1].")]),
    )
    client.post(f"/workspace/articles/{article.slug}/resubmit/", {"response_letter": "Named the drug."})
    article.refresh_from_db()
    # The reviewer who asked for changes is invited again at once; the editor adds the rest.
    assert article.state == ArticleState.UNDER_REVIEW
    assert article.current_revision.number == 2

    _login(client, editor)
    client.post(f"/editor/articles/{article.slug}/auto-assign/")
    for assignment in ReviewAssignment.objects.filter(revision=article.current_revision):
        _login(client, assignment.board_member.user)
        client.post(f"/review/assignments/{assignment.pk}/accept/")
        review_page = client.get(f"/review/assignments/{assignment.pk}/")
        assert b"valproate" in review_page.content
        client.post(f"/review/assignments/{assignment.pk}/decide/", {"decision": Decision.APPROVE})
    article.refresh_from_db()
    assert article.state == ArticleState.APPROVED
    assert article.approved_revision.number == 2


def test_members_already_assigned_are_not_offered_and_suggestions_sit_beside_the_assign_form(
    editor_client, editor, submitted, board
):
    services.assignment_create(article=submitted, board_member=board[0], actor=editor)
    response = editor_client.get(f"/editor/articles/{submitted.slug}/")
    form = response.context["assign_form"]
    offered = {value for value, _ in form.fields["board_member"].widget.choices if value}
    assert board[0].pk not in offered
    assert board[1].pk in offered
    html = response.content.decode()
    desk = html[html.index('id="assign-title"') :]
    # The suggestion's own Invite button and the form's Assign button are in the same panel.
    assert f'name="board_member" value="{board[1].pk}"' in desk.split("Assign automatically")[0]
    assert "already a reviewer in this round" in desk


def test_the_timeline_names_people_and_their_roles_never_usernames(editor_client, editor, submitted, board):
    services.assignment_create(article=submitted, board_member=board[0], actor=editor)
    html = editor_client.get(f"/editor/articles/{submitted.slug}/").content.decode()
    timeline = html[html.index('id="timeline-title"') :]
    author = submitted.authors.first()
    assert f"by {author.get_full_name()} (author)" in timeline
    assert f"by {editor.get_full_name()} (editor)" in timeline
    for user in (author, editor, board[0].user):
        assert f">{user.username}<" not in html and f"by {user.username}" not in html
