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
    """Press a transition button; for a transition with a reason form, fill it in and apply."""
    response = client.post(_url(Article, "change", article.pk), {"_fsm_transition_to": name})
    if form:
        assert response.status_code == 302
        response = client.post(response.url, form)
    return response


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
    names = [t.name for block in response.context["fsm_object_transitions"] for t in block.available_transitions]
    # The editor may reject; withdrawing is the author's, start_review follows from assignments.
    assert names == ["reject"]
    content = response.content.decode()
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
    response = client.post(_url(Article, "transition", article.pk, "reject"), {"reason": ""})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    article.refresh_from_db()
    assert article.state == ArticleState.SUBMITTED


def test_invalid_transition_shows_an_error_and_changes_nothing(client, demo):
    article = Article.objects.get(slug=SUBMITTED_SLUG)
    log_rows = TransitionLogEntry.objects.count()
    response = _transition(_client_for(client, "editor"), article, "revise")
    assert response.status_code == 302
    assert _messages(response) == ["You cannot revise an article that is submitted."]
    article.refresh_from_db()
    assert article.state == ArticleState.SUBMITTED
    assert TransitionLogEntry.objects.count() == log_rows


def test_forbidden_transition_shows_an_error_and_changes_nothing(client, demo):
    article = Article.objects.get(slug=SUBMITTED_SLUG)
    response = _transition(_client_for(client, "editor"), article, "withdraw", reason="Changed my mind.")
    assert response.status_code == 200
    assert _messages(response) == ["Only the article's authors can withdraw it."]
    article.refresh_from_db()
    assert article.state == ArticleState.SUBMITTED


@pytest.mark.parametrize("name", ["approve", "start_review", "request_changes", "no_such_transition"])
def test_transitions_made_by_reviews_are_not_offered(client, demo, name):
    article = Article.objects.get(slug=SUBMITTED_SLUG)
    response = _transition(_client_for(client, "admin"), article, name)
    assert response.status_code == 302
    assert "is not an action the admin offers" in _messages(response)[0]
    article.refresh_from_db()
    assert article.state == ArticleState.SUBMITTED
    assert client.get(_url(Article, "transition", article.pk, name)).status_code == 404


def test_view_only_staff_cannot_press_transition_buttons(client, demo):
    viewer = factories.UserFactory(is_staff=True)
    viewer.user_permissions.add(*Permission.objects.filter(codename="view_article"))
    client.force_login(viewer)
    article = Article.objects.get(slug=SUBMITTED_SLUG)
    assert client.get(_url(Article, "change", article.pk)).status_code == 200
    assert client.post(_url(Article, "change", article.pk), {"_fsm_transition_to": "reject"}).status_code == 403
    assert client.post(_url(Article, "transition", article.pk, "reject"), {"reason": "x"}).status_code == 403
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


def test_button_without_a_form_applies_the_service_at_once(client, demo):
    article = Article.objects.get(slug=APPROVED_SLUG)
    approved = article.approved_revision
    response = _transition(_client_for(client, "editor"), article, "revise")
    assert response.status_code == 302
    assert _messages(response) == ["Revise: the article is now draft."]
    article.refresh_from_db()
    assert article.state == ArticleState.DRAFT
    assert article.approved_revision == approved
    assert article.transitions.last().transition == "revise"


def test_reason_form_page_names_the_transition_and_article(client, demo):
    article = Article.objects.get(slug=APPROVED_SLUG)
    response = _client_for(client, "editor").get(_url(Article, "transition", article.pk, "retract"))
    assert response.status_code == 200
    assert "<h1>Retract: What causes myoclonus (jerks)?</h1>" in response.content.decode()


@pytest.mark.parametrize("username", ["admin", "editor"])
def test_admin_index_lists_both_apps(client, demo, username):
    response = _client_for(client, username).get(reverse("admin:index"))
    assert response.status_code == 200
    assert {app["app_label"] for app in response.context["app_list"]} >= {"articles", "reviewboard"}
