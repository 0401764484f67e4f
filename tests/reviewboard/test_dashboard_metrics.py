"""Every dashboard metric on small hand-built data, the expected numbers worked out by hand."""

from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from unittest import mock

import pytest

from articles.followup_models import FollowUpQuestion
from articles.models import Article
from reviewboard.dashboard import metrics
from reviewboard.models import AssignmentStatus, TransitionLogEntry
from tests import factories

T0 = datetime(2025, 1, 1, tzinfo=UTC)  # a Wednesday
DAY = timedelta(days=1)


@contextmanager
def frozen(moment):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def log(article, transition, from_state, to_state, when, actor):
    with frozen(when):
        return TransitionLogEntry.objects.create(
            article=article,
            revision=article.current_revision,
            actor=actor,
            transition=transition,
            from_state=from_state,
            to_state=to_state,
        )


def period(start=T0, end=T0 + 21 * DAY, **kwargs):
    return metrics.DashboardFilters(start=start, end=end, today=date(2025, 1, 25), **kwargs)


@pytest.fixture
def history(neurology):
    """Three articles created at T0 with a known history (in days after T0).

    A (neurology, reviewed by editor1): submit 2, start_review 3, approve 10.
    B (neurology, reviewed by editor2): submit 4, start_review 4.5, request_changes 6, resubmit 8,
      start_review 9, approve 12.
    C (cardiology): submit 6.
    """
    cardiology = factories.SpecialtyFactory(name="Cardiology", slug="cardiology")
    editor1 = factories.EditorFactory(username="editor1")
    editor2 = factories.EditorFactory(username="editor2")
    author = factories.AuthorFactory(username="writer")
    with frozen(T0):
        a = factories.ArticleFactory(slug="a", specialty=neurology, authors=[author])
        b = factories.ArticleFactory(slug="b", specialty=neurology, authors=[author])
        c = factories.ArticleFactory(slug="c", specialty=cardiology, authors=[author])
    log(a, "submit", "draft", "submitted", T0 + 2 * DAY, author)
    log(a, "start_review", "submitted", "under_review", T0 + 3 * DAY, editor1)
    log(a, "approve", "under_review", "approved", T0 + 10 * DAY, author)
    log(b, "submit", "draft", "submitted", T0 + 4 * DAY, author)
    log(b, "start_review", "submitted", "under_review", T0 + 4.5 * DAY, editor2)
    log(b, "request_changes", "under_review", "changes_requested", T0 + 6 * DAY, author)
    log(b, "resubmit", "changes_requested", "submitted", T0 + 8 * DAY, author)
    log(b, "start_review", "submitted", "under_review", T0 + 9 * DAY, editor2)
    log(b, "approve", "under_review", "approved", T0 + 12 * DAY, author)
    log(c, "submit", "draft", "submitted", T0 + 6 * DAY, author)
    Article.objects.filter(pk__in=[a.pk, b.pk]).update(state="approved")
    Article.objects.filter(pk=c.pk).update(state="submitted")
    return {"a": a, "b": b, "c": c, "editor1": editor1, "editor2": editor2, "cardiology": cardiology}


def days(stats):
    return {t.state: (t.count, round(t.median_seconds / 86400, 6), round(t.p90_seconds / 86400, 6)) for t in stats}


def test_time_in_state_gives_median_and_90th_percentile_of_each_state_left(history):
    # draft stays 2, 4, 6; submitted 1, 0.5, 1; under review 7, 1.5, 3; changes requested 2.
    assert days(metrics.time_in_state(period())) == {
        "draft": (3, 4.0, 5.6),  # p90 at position 1.8: 4 + 0.8 * (6 - 4)
        "submitted": (3, 1.0, 1.0),
        "under_review": (3, 3.0, 6.2),  # p90: 3 + 0.8 * (7 - 3)
        "changes_requested": (1, 2.0, 2.0),
    }


def test_time_in_state_counts_stays_that_ended_in_the_period_from_when_they_began(history):
    # From day 5: B request_changes (1.5 under review), resubmit (2 changes requested),
    # start_review (1 submitted), A approve (7 under review, entered on day 3), B approve (3), C submit (6 draft).
    assert days(metrics.time_in_state(period(start=T0 + 5 * DAY))) == {
        "draft": (1, 6.0, 6.0),
        "submitted": (1, 1.0, 1.0),
        "under_review": (3, 3.0, 6.2),
        "changes_requested": (1, 2.0, 2.0),
    }


def test_time_in_state_filters_by_specialty_and_editor(history, neurology):
    by_specialty = days(metrics.time_in_state(period(specialty_id=neurology.pk)))
    assert by_specialty["draft"] == (2, 3.0, 3.8)  # A 2, B 4: p90 = 2 + 0.9 * 2
    by_editor = days(metrics.time_in_state(period(editor_id=history["editor1"].pk)))
    assert by_editor == {"draft": (1, 2.0, 2.0), "submitted": (1, 1.0, 1.0), "under_review": (1, 7.0, 7.0)}


def test_time_in_state_reads_when_each_stay_began_from_the_log_row(history):
    # The stay's start is stored on the row that ended it: the previous row of the article, or its creation.
    a_rows = list(TransitionLogEntry.objects.filter(article=history["a"]).order_by("created_at"))
    assert [row.entered_at for row in a_rows] == [T0, T0 + 2 * DAY, T0 + 3 * DAY]
    # A period holding only A's approval still counts the whole 7-day review, begun before the period.
    assert days(metrics.time_in_state(period(start=T0 + 9.9 * DAY, end=T0 + 10.1 * DAY))) == {
        "under_review": (1, 7.0, 7.0)
    }


def test_percentile_cont_interpolates_like_postgresql():
    assert metrics.percentile_cont([10, 20, 30, 40], 0.5) == 25
    assert metrics.percentile_cont([10, 20, 30, 40], 0.9) == pytest.approx(37)
    assert metrics.percentile_cont([5], 0.9) == 5
    assert metrics.percentile_cont([], 0.5) is None


def test_follow_up_questions_waiting_counts_the_open_questions_of_the_whole_queue(history):
    factories.FollowUpQuestionFactory.create_batch(3, article=history["a"])
    factories.FollowUpQuestionFactory(article=history["c"])
    factories.FollowUpQuestionFactory(article=history["b"], status="closed", closed_reason="Answered.")
    converted = factories.FollowUpQuestionFactory(article=history["b"])
    FollowUpQuestion.objects.filter(pk=converted.pk).update(status="converted", converted_article=history["c"])
    summary = metrics.state_summary(period())
    assert summary.questions_waiting == 4
    assert summary.due_for_rereview == 0
    assert {row.state: row.count for row in summary.states}["approved"] == 2
    # The queue is not split by specialty, even when no article of the specialty exists.
    assert metrics.state_summary(period(specialty_id=history["cardiology"].pk)).questions_waiting == 4
    empty = factories.SpecialtyFactory(name="Dermatology", slug="dermatology")
    assert metrics.state_summary(period(specialty_id=empty.pk)).questions_waiting == 4


def test_follow_up_questions_waiting_is_zero_without_open_questions(history):
    assert metrics.state_summary(period()).questions_waiting == 0


def test_approvals_per_week_counts_each_week_including_empty_ones(history):
    weeks = metrics.approvals_per_week(period())
    # A approved on Sat 11 Jan (week of Mon 6 Jan), B on Mon 13 Jan; the period runs 1-21 Jan.
    assert [(w.week, w.count) for w in weeks] == [
        (date(2024, 12, 30), 0),
        (date(2025, 1, 6), 1),
        (date(2025, 1, 13), 1),
        (date(2025, 1, 20), 0),
    ]
    by_editor = metrics.approvals_per_week(period(editor_id=history["editor2"].pk))
    assert [w.count for w in by_editor] == [0, 0, 1, 0]


def test_articles_per_state_counts_now_and_due_for_rereview(history, settings):
    from django.utils import timezone

    Article.objects.filter(pk=history["a"].pk).update(approved_at=timezone.now() - 400 * DAY)
    Article.objects.filter(pk=history["b"].pk).update(approved_at=timezone.now() - 10 * DAY)
    table, due = metrics.articles_per_state(period())
    counts = {row.state: row.count for row in table}
    assert counts == {
        "draft": 0,
        "submitted": 1,
        "under_review": 0,
        "changes_requested": 0,
        "approved": 2,
        "rejected": 0,
        "retracted": 0,
    }
    assert due == 1
    assert [a.slug for a in metrics.due_for_rereview(period())] == ["a"]
    settings.REREVIEW_AFTER_DAYS = 5
    assert metrics.articles_per_state(period())[1] == 2
    assert [a.slug for a in metrics.due_for_rereview(period())] == ["a", "b"]
    cardiology = history["cardiology"]
    assert {r.state: r.count for r in metrics.articles_per_state(period(specialty_id=cardiology.pk))[0]}[
        "submitted"
    ] == 1


@pytest.fixture
def workload(neurology):
    """m1: completed after 2 and 6 days, one open overdue, one declined. m2: one open (not due),
    one cancelled, one completed after 1 day. All invited in the period."""
    editor = factories.EditorFactory(username="assigner")
    m1 = factories.BoardMemberFactory(user__username="m1", user__first_name="Ann", user__last_name="One")
    m2 = factories.BoardMemberFactory(user__username="m2", user__first_name="Bob", user__last_name="Two")
    revision = factories.ArticleFactory(specialty=neurology).current_revision

    def assign(member, status, created, completed=None, due=date(2025, 2, 1)):
        with frozen(created):
            return factories.ReviewAssignmentFactory(
                revision=revision,
                board_member=member,
                status=status,
                completed_at=completed,
                due_date=due,
                assigned_by=editor,
            )

    done = AssignmentStatus.COMPLETED
    # The live-assignment constraint allows one live assignment per member and revision: use
    # a fresh revision for each.
    assign(m1, done, T0 + 3 * DAY, T0 + 5 * DAY)
    revision = factories.RevisionFactory(article=revision.article)
    assign(m1, done, T0 + 3 * DAY, T0 + 9 * DAY)
    revision = factories.RevisionFactory(article=revision.article)
    overdue = assign(m1, AssignmentStatus.ACCEPTED, T0 + 3 * DAY, due=date(2025, 1, 20))
    assign(m1, AssignmentStatus.DECLINED, T0 + 4 * DAY)
    assign(m2, AssignmentStatus.INVITED, T0 + 4 * DAY)
    assign(m2, AssignmentStatus.CANCELLED, T0 + 4 * DAY)
    revision = factories.RevisionFactory(article=revision.article)
    assign(m2, done, T0 + 9 * DAY, T0 + 10 * DAY)
    return {"m1": m1, "m2": m2, "overdue": overdue, "editor": editor}


def test_board_workload_gives_open_completed_turnaround_and_decline_rate(workload):
    rows = {w.board_member.user.username: w for w in metrics.board_workload(period())}
    m1, m2 = rows["m1"], rows["m2"]
    assert (m1.open, m1.overdue, m1.completed, m1.declined, m1.invited) == (1, 1, 2, 1, 4)
    assert m1.median_turnaround_seconds == pytest.approx(4 * 86400)
    assert m1.decline_rate == 0.25
    assert (m2.open, m2.overdue, m2.completed, m2.declined, m2.invited) == (1, 0, 1, 0, 2)
    assert m2.median_turnaround_seconds == pytest.approx(86400)
    assert m2.decline_rate == 0


def test_board_workload_narrowed_to_a_specialty_counts_the_same_and_leaves_others_out(workload, neurology):
    def table(filters):
        return [
            (w.board_member.pk, w.open, w.overdue, w.completed, w.declined, w.invited, w.median_turnaround_seconds)
            for w in metrics.board_workload(filters)
        ]

    assert table(period(specialty_id=neurology.pk)) == table(period())
    other = factories.SpecialtyFactory(name="Cardiology", slug="cardiology")
    assert metrics.board_workload(period(specialty_id=other.pk)) == []


def test_board_workload_period_excludes_older_completions(workload):
    rows = {w.board_member.user.username: w for w in metrics.board_workload(period(start=T0 + 6 * DAY))}
    # Only m1's review completed on day 9 (6 days) and m2's on day 10 fall in; both were invited earlier.
    assert (rows["m1"].completed, rows["m1"].invited, rows["m1"].decline_rate) == (1, 0, None)
    assert rows["m1"].median_turnaround_seconds == pytest.approx(6 * 86400)
    assert rows["m1"].open == 1
    assert (rows["m2"].completed, rows["m2"].invited) == (1, 1)


def test_board_workload_filters_by_editor_who_assigned(workload):
    assert metrics.board_workload(period(editor_id=workload["editor"].pk))
    other = factories.EditorFactory(username="other-editor")
    assert metrics.board_workload(period(editor_id=other.pk)) == []


def test_overdue_reviews_lists_open_assignments_past_due(workload):
    assert list(metrics.overdue_reviews(period())) == [workload["overdue"]]
    later = metrics.DashboardFilters(start=T0, end=T0 + 21 * DAY, today=date(2025, 2, 2))
    assert len(metrics.overdue_reviews(later)) == 2  # m2's invitation, due 1 Feb, too


def test_recent_activity_is_the_last_twenty_transitions_newest_first(history):
    entries = metrics.recent_activity(period())
    assert [(e.article.slug, e.transition) for e in entries[:2]] == [("b", "approve"), ("a", "approve")]
    assert len(entries) == 10
    author = factories.AuthorFactory(username="more")
    for n in range(15):
        log(history["c"], "withdraw", "submitted", "draft", T0 + (20 + n) * DAY, author)
    assert len(metrics.recent_activity(period())) == 20
    assert [e.article.slug for e in metrics.recent_activity(period(specialty_id=history["cardiology"].pk))][:1] == ["c"]


def test_time_in_state_of_an_article_created_within_the_period_starts_at_its_creation(history, neurology):
    # D is created on day 6 and submitted on day 8.5: from day 5, one more draft stay of 2.5 days,
    # beside C's 6 days (C was created before the period, its stay began before it too).
    author = factories.AuthorFactory(username="late-writer")
    with frozen(T0 + 6 * DAY):
        d = factories.ArticleFactory(slug="d", specialty=neurology, authors=[author])
    log(d, "submit", "draft", "submitted", T0 + 8.5 * DAY, author)
    stats = days(metrics.time_in_state(period(start=T0 + 5 * DAY)))
    assert stats["draft"] == (2, 4.25, 5.65)  # 2.5 and 6: p90 = 2.5 + 0.9 * 3.5


def test_time_in_state_ignores_stays_that_ended_after_the_period(history):
    # Up to day 7: A approve (day 10), B resubmit (8), start_review (9), approve (12) are later.
    assert days(metrics.time_in_state(period(end=T0 + 7 * DAY))) == {
        "draft": (3, 4.0, 5.6),
        "submitted": (2, 0.75, 0.95),  # A 1, B 0.5
        "under_review": (1, 1.5, 1.5),  # B 4.5 to 6
    }


def test_board_workload_names_each_member(workload):
    rows = {w.board_member.pk: w.board_member for w in metrics.board_workload(period())}
    m1 = rows[workload["m1"].pk]
    assert (m1.display_name, m1.credentials, m1.user.pk) == ("Ann One", "MD", workload["m1"].user.pk)
