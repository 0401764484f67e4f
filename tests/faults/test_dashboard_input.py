"""Dashboard input: bounded periods, nothing echoed, CSV cells that never run as formulas."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from reviewboard.dashboard import exports, metrics
from reviewboard.dashboard.views import EXPORTS
from reviewboard.models import AssignmentStatus, TransitionLogEntry
from tests import factories

pytestmark = pytest.mark.django_db

URL = "/dashboard/"


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("0001-01-01", "9999-12-31", "Choose dates between 1 January 1970 and"),
        ("1900-01-01", "2100-12-31", "Choose dates between 1 January 1970 and"),
        ("2015-01-01", "2020-01-01", "Choose a period of at most 5 years"),
        ("2020-02-29", "2025-03-01", "Choose a period of at most 5 years"),
    ],
)
def test_a_period_out_of_bounds_is_refused_with_a_clear_message(editor_client, start, end, message):
    response = editor_client.get(URL, {"start": start, "end": end})
    assert response.status_code == 400
    assert message in response.text


def test_five_years_exactly_is_allowed(editor_client):
    response = editor_client.get(URL, {"start": "2015-01-01", "end": "2019-12-31"})
    assert response.status_code == 200
    assert "Period: 1 Jan 2015 to 31 Dec 2019" in response.text


def test_period_problem_is_the_one_rule():
    today = timezone.localdate()
    assert metrics.period_problem(today - timedelta(days=30), today) is None
    assert metrics.period_problem(today, today - timedelta(days=1)) == "The period starts after it ends."


@pytest.mark.parametrize(
    "query",
    [
        {"export": '<meta http-equiv="refresh" content="0;url=https://evil.example">'},
        {"export": "<script>alert(1)</script>"},
        {"start": "<script>alert(1)</script>", "end": "2025-01-01"},
        {"specialty": "<script>alert(1)</script>"},
        {"period": "<b>7</b>"},
    ],
)
def test_nothing_the_request_carries_is_echoed(editor_client, query):
    response = editor_client.get(URL, query)
    assert response.status_code == 400
    for value in query.values():
        if "<" in value:
            assert value not in response.text  # a form may show its own field's value back, escaped only
    assert "<meta http-equiv" not in response.text and "<script>alert" not in response.text


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("https://evil.example","x")', '\'=HYPERLINK("https://evil.example","x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tthen", "'\tthen"),
        ("\rthen", "'\rthen"),
        ("plain text", "plain text"),
        ("a=b", "a=b"),
        (-3, -3),
        (2.5, 2.5),
        ("", ""),
    ],
)
def test_spreadsheet_cell_quotes_text_that_a_spreadsheet_would_run(value, written):
    assert exports.spreadsheet_cell(value) == written


def test_every_export_writes_user_text_as_text(editor_client, editor, neurology, settings):
    settings.REREVIEW_AFTER_DAYS = 0  # every approved article is due: the re-review export has rows
    poison = '=HYPERLINK("https://evil.example","open")'
    editor.first_name, editor.last_name = "@SUM(1)", "+Editor"
    editor.save()
    specialty = factories.SpecialtyFactory(name="-Cardio", slug="cardio")
    member = factories.BoardMemberFactory(
        specialties=[specialty], user__first_name="=cmd|' /C calc'!A0", user__last_name="x"
    )
    article = factories.ArticleFactory(specialty=specialty)
    TransitionLogEntry.objects.create(
        article=article, revision=article.current_revision, actor=editor, transition="reject",
        from_state="submitted", to_state="rejected", reason=poison,
    )  # fmt: skip
    factories.ReviewAssignmentFactory(
        revision=article.current_revision, board_member=member, status=AssignmentStatus.ACCEPTED,
        due_date=timezone.localdate() - timedelta(days=3), assigned_by=editor,
    )  # fmt: skip
    factories.publish(factories.ArticleFactory(specialty=specialty))

    seen = set()
    for table in EXPORTS:
        response = editor_client.get(URL, {"export": table})
        assert response.status_code == 200, table
        for row in list(csv.reader(io.StringIO(response.content.decode())))[1:]:
            for cell in row:
                seen.add(cell)
                assert not cell.startswith(exports.FORMULA_STARTS), (table, cell)
    assert "'" + poison in seen
    assert "'-Cardio" in seen
