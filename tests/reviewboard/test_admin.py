from io import StringIO

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse

from articles.models import Article, ArticleState, ImmutableRowError, Reference, Revision, Specialty
from reviewboard import services
from reviewboard.models import (
    AssignmentStatus,
    BoardMember,
    ConflictOfInterest,
    Review,
    ReviewAssignment,
    TransitionLogEntry,
)
from reviewboard.review_models import ReviewRating
from tests import factories

pytestmark = pytest.mark.django_db

ALL_MODELS = [
    Specialty,
    Article,
    Revision,
    Reference,
    BoardMember,
    ReviewAssignment,
    ConflictOfInterest,
    Review,
    TransitionLogEntry,
]
READ_ONLY_MODELS = [Revision, Reference, Review, TransitionLogEntry, ReviewAssignment, ConflictOfInterest]

SUBMITTED_SLUG = "when-is-a-heart-murmur-a-concern"
APPROVED_SLUG = "what-causes-myoclonus-jerks"


@pytest.fixture
def demo():
    """The demo data: a row of every model, the demo admin and editor."""
    call_command("load_demo", stdout=StringIO())
    pharma = get_user_model().objects.get(username="dr.pharma")
    services.conflict_declare(
        article=Article.objects.get(slug=APPROVED_SLUG), actor=pharma, reason="Consults for a drug maker."
    )


def _client_for(client, username):
    client.force_login(get_user_model().objects.get(username=username))
    return client


def _url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def _transition(client, article, name, **form):
    """Follow an action's button to its page (nothing changes on the GET), then apply it with ``form``."""
    page = client.get(_url(Article, "action", article.pk, name))
    if page.status_code != 200:
        return page
    return client.post(_url(Article, "action", article.pk, name), form)


@pytest.mark.parametrize("username", ["admin", "editor"])
@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_changelist_and_change_page_load(client, demo, username, model):
    client = _client_for(client, username)
    assert client.get(_url(model, "changelist")).status_code == 200
    assert client.get(_url(model, "changelist"), {"q": "myoclonus"}).status_code == 200
    obj = model.objects.order_by("pk").first()
    assert client.get(_url(model, "change", obj.pk)).status_code == 200


def test_article_change_page_shows_revisions_log_and_allowed_buttons_only(client, demo):
    article = Article.objects.get(slug=SUBMITTED_SLUG)
    response = _client_for(client, "editor").get(_url(Article, "change", article.pk))
    names = [action.name for action in response.context["article_actions"]]
    # The editor may reject; withdrawing is the author's, start_review follows from assignments.
    assert names == ["reject"]
    content = response.content.decode()
    assert _url(Article, "action", article.pk, "reject") in content
    assert "transition log" in content.lower()
    assert _url(Revision, "change", article.current_revision_id) in content
    assert 'name="_save"' not in content


def test_editor_rejects_through_the_admin_with_a_reason(client, demo):
    article = Article.objects.get(slug=SUBMITTED_SLUG)
    client = _client_for(client, "editor")
    response = _transition(client, article, "reject", reason="Out of scope for the library.")
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.state == ArticleState.REJECTED
    entry = article.transitions.last()
    assert (entry.transition, entry.actor.username, entry.reason) == (
        "reject",
        "editor",
        "Out of scope for the library.",
    )


def test_reason_form_requires_a_reason(client, demo):
    article = Article.objects.get(slug=SUBMITTED_SLUG)
    client = _client_for(client, "editor")
    response = client.post(_url(Article, "action", article.pk, "reject"), {"reason": ""})
    assert response.status_code == 200
    assert "Give a reason to reject." in response.content.decode()
    article.refresh_from_db()
    assert article.state == ArticleState.SUBMITTED


def test_invalid_transition_shows_an_error_and_changes_nothing(client, demo):
    article = Article.objects.get(slug=SUBMITTED_SLUG)
    log_rows = TransitionLogEntry.objects.count()
    response = _transition(_client_for(client, "editor"), article, "revise")
    assert response.status_code == 302
    assert _messages(response) == ["The article is submitted: it cannot be revised now."]
    article.refresh_from_db()
    assert article.state == ArticleState.SUBMITTED
    assert TransitionLogEntry.objects.count() == log_rows


def test_forbidden_transition_shows_an_error_and_changes_nothing(client, demo):
    article = Article.objects.get(slug=SUBMITTED_SLUG)
    response = _transition(_client_for(client, "editor"), article, "withdraw", reason="Changed my mind.")
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.state == ArticleState.SUBMITTED


@pytest.mark.parametrize("name", ["approve", "start_review", "request_changes", "no_such_transition"])
def test_transitions_made_by_reviews_are_not_offered(client, demo, name):
    article = Article.objects.get(slug=SUBMITTED_SLUG)
    client = _client_for(client, "admin")
    assert client.get(_url(Article, "action", article.pk, name)).status_code == 404
    assert client.post(_url(Article, "action", article.pk, name), {"reason": "x"}).status_code == 404
    article.refresh_from_db()
    assert article.state == ArticleState.SUBMITTED


def test_view_only_staff_cannot_press_transition_buttons(client, demo):
    viewer = factories.UserFactory(is_staff=True)
    viewer.user_permissions.add(*Permission.objects.filter(codename="view_article"))
    client.force_login(viewer)
    article = Article.objects.get(slug=SUBMITTED_SLUG)
    assert client.get(_url(Article, "change", article.pk)).status_code == 200
    assert client.get(_url(Article, "action", article.pk, "reject")).status_code == 403
    assert client.post(_url(Article, "action", article.pk, "reject"), {"reason": "x"}).status_code == 403
    article.refresh_from_db()
    assert article.state == ArticleState.SUBMITTED


@pytest.mark.parametrize("model", [*READ_ONLY_MODELS, Article], ids=lambda m: m.__name__)
def test_immutable_and_workflow_models_cannot_be_added_or_deleted_in_admin(demo, model):
    request = RequestFactory().get("/")
    request.user = get_user_model().objects.get(username="admin")
    model_admin = admin.site._registry[model]
    obj = model.objects.first()
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_delete_permission(request, obj)
    if model is not Article:  # the article's buttons need change permission; its fields are read-only
        assert not model_admin.has_change_permission(request, obj)
        assert model_admin.has_view_permission(request, obj)


def test_read_only_models_refuse_a_post_to_their_change_page(client, demo):
    revision = Revision.objects.first()
    response = _client_for(client, "admin").post(_url(Revision, "change", revision.pk), {"title": "Changed"})
    assert response.status_code == 403
    revision.refresh_from_db()
    assert revision.title != "Changed"


def test_immutable_rows_refuse_to_save_again(demo):
    for model in [Revision, Reference, Review, TransitionLogEntry]:
        with pytest.raises(ImmutableRowError):
            model.objects.first().save()


def test_review_page_shows_confidential_comments_to_staff(client, demo):
    review = Review.objects.exclude(confidential_comments="").first()
    response = _client_for(client, "editor").get(_url(Review, "change", review.pk))
    assert review.confidential_comments in response.content.decode()


def test_auto_assign_action_invites_reviewers_and_opens_review(client, demo):
    article = Article.objects.get(slug=SUBMITTED_SLUG)
    response = _client_for(client, "editor").post(
        _url(Article, "changelist"), {"action": "assign_reviewers_automatically", "_selected_action": [article.pk]}
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.state == ArticleState.UNDER_REVIEW
    assignments = ReviewAssignment.objects.filter(revision=article.current_revision)
    assert assignments.count() == 2
    assert assignments.filter(board_member__specialties=article.specialty).exists()
    assert "invited" in _messages(response)[0]


def test_auto_assign_action_reports_errors_as_messages(client, demo):
    draft = Article.objects.get(slug="can-magnesium-help-prevent-migraine")
    response = _client_for(client, "editor").post(
        _url(Article, "changelist"), {"action": "assign_reviewers_automatically", "_selected_action": [draft.pk]}
    )
    assert response.status_code == 302
    assert "Reviewers are assigned to submitted articles" in _messages(response)[0]
    assert not ReviewAssignment.objects.filter(revision__article=draft).exists()


def test_auto_assign_action_is_for_editors_only(client, demo):
    staff = factories.UserFactory(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="articles"))
    client.force_login(staff)
    response = client.get(_url(Article, "changelist"))
    assert "assign_reviewers_automatically" not in response.content.decode()


def test_cancel_assignment_action_goes_through_the_service(client, demo):
    assignment = ReviewAssignment.objects.get(status=AssignmentStatus.ACCEPTED)
    response = _client_for(client, "editor").post(
        _url(ReviewAssignment, "changelist"), {"action": "cancel_assignments", "_selected_action": [assignment.pk]}
    )
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.CANCELLED


def test_article_changelist_queries_do_not_grow_with_articles(client, demo, django_assert_max_num_queries):
    client = _client_for(client, "admin")
    with django_assert_max_num_queries(12):
        assert client.get(_url(Article, "changelist")).status_code == 200


def test_action_with_an_optional_reason_applies_the_service(client, demo):
    article = Article.objects.get(slug=APPROVED_SLUG)
    approved = article.approved_revision
    response = _transition(_client_for(client, "editor"), article, "revise")
    assert response.status_code == 302
    assert _messages(response) == ["Start a new revision: the article is now draft."]
    article.refresh_from_db()
    assert article.state == ArticleState.DRAFT
    assert article.approved_revision == approved
    assert article.transitions.last().transition == "revise"


def test_reason_form_page_names_the_transition_and_article(client, demo):
    article = Article.objects.get(slug=APPROVED_SLUG)
    response = _client_for(client, "editor").get(_url(Article, "action", article.pk, "retract"))
    assert response.status_code == 200
    assert "<h1>Retract: What causes myoclonus (jerks)?</h1>" in response.content.decode()


@pytest.mark.parametrize("username", ["admin", "editor"])
def test_admin_index_lists_both_apps(client, demo, username):
    response = _client_for(client, username).get(reverse("admin:index"))
    assert response.status_code == 200
    assert {app["app_label"] for app in response.context["app_list"]} >= {"articles", "reviewboard"}


# Filters and search


def test_article_list_filters_by_author_and_reviewer(client, demo):
    member = BoardMember.objects.get(user__username="dr.cardio")
    reviewed = set(
        ReviewAssignment.objects.filter(board_member=member).values_list("revision__article__slug", flat=True)
    )
    assert reviewed  # the demo has reviews by dr.cardio
    client = _client_for(client, "editor")
    response = client.get(_url(Article, "changelist"), {"reviewer": member.pk})
    assert response.status_code == 200
    assert {a.slug for a in response.context["cl"].result_list} == reviewed
    assert "By reviewer" in response.content.decode()  # the chosen reviewer is shown as the active filter
    # Authors are found by the search: a list of every author would outgrow the page on a large archive.
    author = get_user_model().objects.get(username="author")
    response = client.get(_url(Article, "changelist"), {"q": author.username})
    assert {a.slug for a in response.context["cl"].result_list} == set(
        Article.objects.filter(authors=author).values_list("slug", flat=True)
    )
    # A board member's row links to the articles they reviewed and to their assignments.
    members = client.get(_url(BoardMember, "changelist")).content.decode()
    assert f"{_url(Article, 'changelist')}?reviewer={member.pk}" in members
    assert f"{_url(ReviewAssignment, 'changelist')}?board_member={member.pk}" in members


def test_article_search_finds_articles_by_author_and_reviewer_name(client, demo):
    client = _client_for(client, "editor")
    member = BoardMember.objects.get(user__username="dr.cardio")
    response = client.get(_url(Article, "changelist"), {"q": member.user.last_name})
    found = {a.slug for a in response.context["cl"].result_list}
    assert found == set(
        Article.objects.filter(revisions__assignments__board_member=member).values_list("slug", flat=True)
    )
    response = client.get(_url(Article, "changelist"), {"q": "Unlikelyname"})
    assert list(response.context["cl"].result_list) == []


# Bulk actions


def _action(client, action, articles, **extra):
    return client.post(
        _url(Article, "changelist"), {"action": action, "_selected_action": [a.pk for a in articles], **extra}
    )


def test_remind_action_publishes_one_reminder_per_open_assignment(client, demo):
    from reviewboard.notifications.models import OutboxEvent

    article = Article.objects.get(slug="when-is-a-heart-murmur-a-concern")
    services.assignments_auto(article=article, actor=get_user_model().objects.get(username="editor"))
    open_ids = set(ReviewAssignment.objects.open().filter(revision__article=article).values_list("pk", flat=True))
    assert len(open_ids) == 2
    client = _client_for(client, "editor")
    response = _action(client, "remind_reviewers", [article])
    assert response.status_code == 302
    assert _messages(response) == ["Sent 2 review reminder(s)."]
    events = OutboxEvent.objects.filter(kind="review_due_soon")
    assert {e.payload["assignment_id"] for e in events} == open_ids
    assert {e.article_id for e in events} == {article.pk}
    # The same day again: the dedupe key of the daily reminder keeps it to one.
    response = _action(client, "remind_reviewers", [article])
    assert _messages(response)[-1] == "2 reviewer(s) were already reminded today."
    assert OutboxEvent.objects.filter(kind="review_due_soon").count() == 2


def test_remind_action_reaches_the_board_member_through_the_outbox(client, demo):
    from reviewboard.notifications.models import Message, OutboxEvent
    from reviewboard.notifications.outbox import relay_event

    assignment = ReviewAssignment.objects.filter(status=AssignmentStatus.ACCEPTED).select_related("revision").first()
    ReviewAssignment.objects.filter(pk=assignment.pk).update(due_date=assignment.due_date.replace(year=2020))
    _action(_client_for(client, "editor"), "remind_reviewers", [assignment.revision.article])
    event = OutboxEvent.objects.get(kind="review_overdue", payload__assignment_id=assignment.pk)
    assert relay_event(event.pk)
    message = Message.objects.get(event=event, channel="inbox")
    assert message.recipient == assignment.board_member.user
    assert "is overdue" in message.subject


def test_remind_action_says_when_an_article_has_no_open_review(client, demo):
    from reviewboard.notifications.models import OutboxEvent

    draft = Article.objects.get(slug="can-magnesium-help-prevent-migraine")
    response = _action(_client_for(client, "editor"), "remind_reviewers", [draft])
    assert _messages(response) == [f"{draft}: no open review to remind anyone of."]
    assert not OutboxEvent.objects.filter(kind__in=["review_due_soon", "review_overdue"]).exists()


def test_retract_action_asks_for_the_reason_first(client, demo):
    article = Article.objects.get(slug=APPROVED_SLUG)
    response = _action(_client_for(client, "editor"), "retract_with_reason", [article])
    assert response.status_code == 200
    content = response.content.decode()
    assert "Retract 1 article" in content and 'name="reason"' in content
    article.refresh_from_db()
    assert article.state == ArticleState.APPROVED


def test_retract_action_requires_a_reason(client, demo):
    article = Article.objects.get(slug=APPROVED_SLUG)
    response = _action(_client_for(client, "editor"), "retract_with_reason", [article], apply="1", reason="")
    assert response.status_code == 200
    assert "Give a reason to retract." in response.content.decode()
    article.refresh_from_db()
    assert article.state == ArticleState.APPROVED


def test_retract_action_retracts_through_the_service_and_reports_refusals(client, demo):
    approved = Article.objects.get(slug=APPROVED_SLUG)
    submitted = Article.objects.get(slug=SUBMITTED_SLUG)
    response = _action(
        _client_for(client, "editor"),
        "retract_with_reason",
        [approved, submitted],
        apply="1",
        reason="New evidence on dosing.",
    )
    assert response.status_code == 302
    approved.refresh_from_db()
    submitted.refresh_from_db()
    assert approved.state == ArticleState.RETRACTED
    assert submitted.state == ArticleState.SUBMITTED
    entry = approved.transitions.last()
    assert (entry.transition, entry.actor.username, entry.reason) == ("retract", "editor", "New evidence on dosing.")
    messages = _messages(response)
    assert f"{submitted}: The article is submitted: it cannot be retracted now." in messages
    assert "Retracted 1 article(s)." in messages


def test_remind_and_retract_actions_are_for_editors_only(client, demo):
    staff = factories.UserFactory(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(content_type__app_label="articles"))
    client.force_login(staff)
    content = client.get(_url(Article, "changelist")).content.decode()
    assert "remind_reviewers" not in content and "retract_with_reason" not in content
    article = Article.objects.get(slug=APPROVED_SLUG)
    _action(client, "retract_with_reason", [article], apply="1", reason="x")
    article.refresh_from_db()
    assert article.state == ArticleState.APPROVED


# The read-only diff between revisions


@pytest.fixture
def two_revisions(neurology):
    article = factories.ArticleFactory(specialty=neurology)
    factories.RevisionFactory(
        article=article,
        title=article.current_revision.title,
        summary_patient="A longer answer in plain words.",
        created_by=article.authors.first(),
    )
    return article


def test_revision_diff_shows_the_words_removed_and_added(admin_client, two_revisions):
    response = admin_client.get(_url(Article, "diff", two_revisions.pk), {"from": 1, "to": 2})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Revision 1 → revision 2" in content
    assert "<del>short</del><ins>longer</ins>" in content
    assert "unchanged parts: Title, Summary for healthcare professionals" in content
    assert 'name="_save"' not in content and "<textarea" not in content


def test_revision_diff_defaults_to_the_current_revision_and_the_one_before(admin_client, two_revisions):
    response = admin_client.get(_url(Article, "diff", two_revisions.pk))
    assert (response.context["old"].number, response.context["new"].number) == (1, 2)


@pytest.mark.parametrize(("query", "status"), [({"from": 1, "to": 9}, 404), ({"from": "x", "to": 2}, 400)])
def test_revision_diff_refuses_revisions_the_article_does_not_have(admin_client, two_revisions, query, status):
    assert admin_client.get(_url(Article, "diff", two_revisions.pk), query).status_code == status


def test_article_change_page_and_revisions_link_to_the_diff(admin_client, two_revisions):
    content = admin_client.get(_url(Article, "change", two_revisions.pk)).content.decode()
    diff = _url(Article, "diff", two_revisions.pk)
    assert f'href="{diff}?from=1&amp;to=2"' in content
    assert "compare with revision 1" in content


def test_revision_diff_needs_view_permission(client, two_revisions):
    client.force_login(factories.UserFactory(is_staff=True))
    assert client.get(_url(Article, "diff", two_revisions.pk)).status_code == 403


# Roles: editors run the editorial models, admins everything


@pytest.fixture
def staff_editor(db):
    return factories.EditorFactory(username="staff-editor", is_staff=True)


@pytest.mark.parametrize("model_name", ["user", "group"])
def test_editors_have_no_user_or_group_admin_but_admins_do(client, staff_editor, model_name):
    url = reverse(f"admin:auth_{model_name}_changelist")
    client.force_login(staff_editor)
    assert client.get(url).status_code == 403
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))
    assert client.get(url).status_code == 200


def test_editors_group_is_set_up_by_migration_without_deletes(staff_editor):
    codenames = set(Permission.objects.filter(group__name="Editors").values_list("content_type__app_label", "codename"))
    assert ("articles", "change_article") in codenames
    assert ("reviewboard", "add_boardmember") in codenames
    assert ("reviewboard", "view_transitionlogentry") in codenames
    assert not [c for _, c in codenames if c.startswith("delete_")]
    assert not [c for app, c in codenames if app == "auth"]
    assert ("articles", "change_revision") not in codenames


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda m: m.__name__)
def test_editors_may_view_every_editorial_model_and_delete_none(staff_editor, model):
    request = RequestFactory().get("/")
    request.user = get_user_model().objects.get(pk=staff_editor.pk)
    model_admin = admin.site._registry[model]
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_editor_index_lists_only_the_editorial_apps_and_admin_sees_auth(client, staff_editor):
    client.force_login(staff_editor)
    apps = {app["app_label"] for app in client.get(reverse("admin:index")).context["app_list"]}
    assert apps == {"articles", "reviewboard"}
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))
    apps = {app["app_label"] for app in client.get(reverse("admin:index")).context["app_list"]}
    assert "auth" in apps


def test_editor_cannot_change_immutable_rows_or_delete_board_members(client, staff_editor, neurology):
    member = factories.BoardMemberFactory(specialties=[neurology])
    article = factories.ArticleFactory(specialty=neurology)
    client.force_login(staff_editor)
    revision = article.current_revision
    response = client.post(_url(Revision, "change", revision.pk), {"title": "Changed"})
    assert response.status_code == 403
    assert client.get(_url(BoardMember, "change", member.pk)).status_code == 200
    assert client.post(_url(BoardMember, "delete", member.pk), {"post": "yes"}).status_code == 403
    assert BoardMember.objects.filter(pk=member.pk).exists()


@pytest.mark.parametrize("model", [ReviewAssignment, ConflictOfInterest], ids=lambda m: m.__name__)
def test_board_member_filter_queries_do_not_grow_with_board_members(client, demo, model):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client_for(client, "admin")
    chosen = {"board_member": BoardMember.objects.order_by("pk").first().pk}
    with CaptureQueriesContext(connection) as few:
        assert client.get(_url(model, "changelist"), chosen).status_code == 200
    factories.BoardMemberFactory.create_batch(5)
    with CaptureQueriesContext(connection) as many:
        response = client.get(_url(model, "changelist"), chosen)
    assert len(many.captured_queries) == len(few.captured_queries)
    assert "By board member" in response.content.decode()


# Ratings: editors rate a review from its admin page, through services.review_rate.


@pytest.fixture
def rated_review(article, author, editor, board):
    services.article_submit(article=article, actor=author)
    assignment = services.assignment_create(article=article, board_member=board[0], actor=editor)
    services.assignment_accept(assignment=assignment, actor=board[0].user)
    return services.review_submit(
        assignment=assignment, actor=board[0].user, decision="request_changes", comments_to_author="Dose?"
    )


def test_an_editor_rates_and_rerates_a_review_in_the_admin(client, rated_review):
    chair = factories.EditorFactory(username="chair", is_staff=True)
    client.force_login(chair)
    page = client.get(_url(Review, "change", rated_review.pk)).content.decode()
    assert "Not rated" in page and "Rate this review" in page
    assert client.get(_url(Review, "rating", rated_review.pk)).status_code == 200
    response = client.post(_url(Review, "rating", rated_review.pk), {"rating": "4"})
    assert response.status_code == 302
    assert (rated_review.rating.rating, rated_review.rating.rated_by) == (4, chair)
    client.post(_url(Review, "rating", rated_review.pk), {"rating": "2"})
    rated_review.refresh_from_db()
    assert rated_review.rating.rating == 2
    page = client.get(_url(Review, "change", rated_review.pk)).content.decode()
    assert "2/5 by" in page and "Change the rating" in page
    assert "2/5" in client.get(_url(Review, "changelist")).content.decode()


@pytest.mark.parametrize("rating", ["", "0", "6", "five"])
def test_a_bad_rating_in_the_admin_is_shown_beside_the_field_and_saves_nothing(client, rated_review, rating):
    client.force_login(factories.EditorFactory(username="chair", is_staff=True))
    response = client.post(_url(Review, "rating", rated_review.pk), {"rating": rating})
    assert response.status_code == 200
    assert "Rate the review from 1 (poor) to 5 (excellent)." in response.content.decode()
    assert not ReviewRating.objects.exists()


def test_staff_who_are_not_editors_cannot_rate_in_the_admin(client, rated_review):
    viewer = factories.UserFactory(is_staff=True)
    viewer.user_permissions.add(*Permission.objects.filter(codename__in=["view_review", "change_review"]))
    client.force_login(viewer)
    page = client.get(_url(Review, "change", rated_review.pk))
    assert page.status_code == 200 and "Rate this review" not in page.content.decode()
    assert client.get(_url(Review, "rating", rated_review.pk)).status_code == 403
    assert client.post(_url(Review, "rating", rated_review.pk), {"rating": "5"}).status_code == 403
    assert not ReviewRating.objects.exists()
