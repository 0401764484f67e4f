"""The dashboard page: who may see it, what it shows, its CSV exports and its query budget."""

import csv
import io
from datetime import timedelta

import pytest
from django.conf import global_settings
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from reviewboard.models import AssignmentStatus, TransitionLogEntry
from tests import factories

URL = "/dashboard/"


def rows(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


def build(count, specialty, editor):
    """``count`` submitted-and-reviewed articles, each with a log row and an overdue assignment."""
    member = factories.BoardMemberFactory(specialties=[specialty])
    for _ in range(count):
        article = factories.ArticleFactory(specialty=specialty)
        TransitionLogEntry.objects.create(
            article=article,
            revision=article.current_revision,
            actor=editor,
            transition="start_review",
            from_state="submitted",
            to_state="under_review",
        )
        factories.ReviewAssignmentFactory(
            revision=article.current_revision,
            board_member=factories.BoardMemberFactory(specialties=[specialty]) if _ % 2 else member,
            status=AssignmentStatus.ACCEPTED,
            due_date=timezone.localdate() - timedelta(days=3),
            assigned_by=editor,
        )


def test_dashboard_url_is_named():
    assert reverse("dashboard:index") == URL


@pytest.mark.parametrize("path", [URL, URL + "?export=states", URL + "?export=workload&period=30"])
def test_anonymous_visitor_is_sent_to_log_in(client, db, path, settings):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL) + "?next=")


def test_admin_login_is_used_without_a_login_url_setting(client, db, settings):
    settings.LOGIN_URL = global_settings.LOGIN_URL
    response = client.get(URL)
    assert response["Location"].startswith("/admin/login/?next=")


@pytest.mark.parametrize("role", ["author", "board_member", "plain"])
@pytest.mark.parametrize("path", [URL, URL + "?export=states", URL + "?export=activity"])
def test_non_editors_are_refused(client, db, role, path):
    user = {
        "author": lambda: factories.AuthorFactory(),
        "board_member": lambda: factories.BoardMemberFactory().user,
        "plain": lambda: factories.UserFactory(),
    }[role]()
    client.force_login(user)
    assert client.get(path).status_code == 403


def test_inactive_editor_is_refused(client, db):
    user = factories.EditorFactory(is_active=False)
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code in (302, 403)


@pytest.mark.parametrize("path", [URL, URL + "?export=states"])
def test_editors_and_admins_see_the_dashboard(client, db, path):
    for user in (factories.EditorFactory(), factories.UserFactory(is_superuser=True, is_staff=True)):
        client.force_login(user)
        assert client.get(path).status_code == 200


def test_dashboard_shows_every_section_with_charts_and_tables(editor_client, editor, neurology):
    build(3, neurology, editor)
    response = editor_client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    for heading in (
        "Articles per state",
        "Approvals per week",
        "Time spent in each state",
        "Board members&#x27; workload",
        "Overdue reviews (3)",
        "Overdue for review (0)",
        "Recent activity",
    ):
        assert heading in html
    assert html.count("<svg") == 3
    assert 'role="img"' in html and '<title id="chart-approvals-title">Approvals per week</title>' in html
    assert '<desc id="chart-times-desc">Submitted: median' in html
    assert html.count("export=") == 7


def test_dashboard_links_the_waiting_follow_up_questions_to_the_intake_queue(editor_client, editor, neurology):
    build(2, neurology, editor)
    factories.FollowUpQuestionFactory.create_batch(2, article=Article.objects.first())
    html = editor_client.get(URL).content.decode()
    assert "Follow-up questions waiting" in html
    assert '<a href="/editor/intake/"><span class="big-number">2</span> open reader questions' in html


def test_query_count_does_not_grow_with_rows(
    editor_client, editor, neurology, django_assert_max_num_queries, on_postgres
):
    build(3, neurology, editor)
    # 15, 1 for the workspace frame, 1 for the review intervals in use (read once for both overdue counts),
    # 1 for the editors' ratings; on PostgreSQL also the savepoint and its release around the period's work_mem.
    budget = 20 if on_postgres else 18
    with django_assert_max_num_queries(budget) as small:
        editor_client.get(URL)
    build(27, neurology, editor)  # 30 in all
    with django_assert_max_num_queries(budget) as large:
        response = editor_client.get(URL + f"?period=365&specialty={neurology.pk}&editor={editor.pk}")
    assert response.status_code == 200
    assert len(large.captured_queries) == len(small.captured_queries)


def test_filters_narrow_the_tables(editor_client, editor, neurology):
    build(2, neurology, editor)
    other = factories.SpecialtyFactory(name="Cardiology", slug="cardiology")
    response = editor_client.get(URL, {"specialty": other.pk})
    assert "Overdue reviews (0)" in response.content.decode()
    response = editor_client.get(URL, {"specialty": neurology.pk, "editor": editor.pk})
    assert "Overdue reviews (2)" in response.content.decode()


def test_custom_period_needs_both_dates_in_order(editor_client):
    assert editor_client.get(URL, {"start": "2025-02-01", "end": "2025-01-01"}).status_code == 400
    assert editor_client.get(URL, {"period": "custom", "start": "2025-01-01"}).status_code == 400
    response = editor_client.get(URL, {"start": "2025-01-01", "end": "2025-01-31"})
    assert response.status_code == 200
    assert "Period: 1 Jan 2025 to 31 Jan 2025" in response.content.decode()


def test_unknown_filter_values_are_a_bad_request_not_an_error(editor_client):
    assert editor_client.get(URL, {"specialty": "999"}).status_code == 400
    assert editor_client.get(URL, {"period": "7"}).status_code == 400
    assert editor_client.get(URL, {"export": "secrets"}).status_code == 400


def test_csv_export_of_articles_per_state(editor_client, editor, neurology):
    build(2, neurology, editor)
    response = editor_client.get(URL, {"export": "states"})
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="dashboard-states.csv"' in response["Content-Disposition"]
    assert rows(response) == [
        ["state", "articles"],
        ["draft", "2"],
        ["submitted", "0"],
        ["under_review", "0"],
        ["changes_requested", "0"],
        ["approved", "0"],
        ["rejected", "0"],
        ["retracted", "0"],
    ]


def test_csv_export_of_overdue_workload_and_activity(editor_client, editor, neurology):
    build(2, neurology, editor)
    overdue = rows(editor_client.get(URL, {"export": "overdue"}))
    assert overdue[0] == ["article", "revision", "board_member", "assigned_by", "status", "due_date", "days_overdue"]
    assert [r[6] for r in overdue[1:]] == ["3", "3"]
    workload = rows(editor_client.get(URL, {"export": "workload"}))
    assert workload[0][:4] == ["board_member", "open", "overdue", "completed"]
    assert sorted(r[1:4] for r in workload[1:]) == [["1", "1", "0"], ["1", "1", "0"]]
    activity = rows(editor_client.get(URL, {"export": "activity"}))
    assert [r[2:5] for r in activity[1:]] == [["start_review", "submitted", "under_review"]] * 2
    assert rows(editor_client.get(URL, {"export": "approvals", "period": "30"}))[0] == ["week_starting", "approvals"]
    assert rows(editor_client.get(URL, {"export": "time_in_state"}))[1][:2] == ["submitted", "2"]
    assert rows(editor_client.get(URL, {"export": "rereview"})) == [["article", "specialty", "approved_at"]]
