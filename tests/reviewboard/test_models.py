import pytest
from django.db import IntegrityError, connection, transaction
from django.db.utils import Error as DatabaseError

from articles.models import ImmutableRowError
from reviewboard.models import AssignmentStatus, Decision, Review, ReviewAssignment, TransitionLogEntry
from tests import factories

pytestmark = pytest.mark.django_db


# Review and the transition log are written once.


def test_saving_an_existing_review_raises_and_leaves_the_row_unchanged():
    review = factories.ReviewFactory(decision=Decision.APPROVE)
    review.decision = Decision.RECOMMEND_REJECTION
    with pytest.raises(ImmutableRowError):
        review.save()
    assert Review.objects.get(pk=review.pk).decision == Decision.APPROVE


def test_saving_an_existing_transition_log_entry_raises_and_leaves_the_row_unchanged():
    entry = factories.TransitionLogEntryFactory(reason="")
    entry.reason = "rewritten history"
    with pytest.raises(ImmutableRowError):
        entry.save()
    assert TransitionLogEntry.objects.get(pk=entry.pk).reason == ""


def test_transition_log_entry_cannot_be_deleted():
    entry = factories.TransitionLogEntryFactory()
    with pytest.raises(ImmutableRowError, match="cannot be deleted"):
        entry.delete()
    assert TransitionLogEntry.objects.filter(pk=entry.pk).exists()


@pytest.mark.postgres
def test_database_refuses_queryset_update_of_review():
    review = factories.ReviewFactory(comments_to_author="Fine")
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        Review.objects.filter(pk=review.pk).update(comments_to_author="x")
    assert Review.objects.get(pk=review.pk).comments_to_author == "Fine"


@pytest.mark.postgres
def test_database_refuses_raw_sql_update_of_review():
    review = factories.ReviewFactory(comments_to_author="Fine")
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE reviewboard_review SET comments_to_author = %s WHERE id = %s", ["x", review.pk])
    assert Review.objects.get(pk=review.pk).comments_to_author == "Fine"


@pytest.mark.postgres
def test_database_refuses_queryset_update_of_transition_log_entry():
    entry = factories.TransitionLogEntryFactory(reason="")
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        TransitionLogEntry.objects.filter(pk=entry.pk).update(reason="x")
    assert TransitionLogEntry.objects.get(pk=entry.pk).reason == ""


@pytest.mark.postgres
def test_database_refuses_raw_sql_update_of_transition_log_entry():
    entry = factories.TransitionLogEntryFactory(reason="")
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE reviewboard_transitionlogentry SET reason = %s WHERE id = %s", ["x", entry.pk])
    assert TransitionLogEntry.objects.get(pk=entry.pk).reason == ""


# One live assignment per member and revision.


@pytest.mark.parametrize("live", [AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED, AssignmentStatus.COMPLETED])
def test_second_live_assignment_for_same_member_and_revision_is_refused(live):
    first = factories.ReviewAssignmentFactory(status=live)
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.ReviewAssignmentFactory(
            revision=first.revision, board_member=first.board_member, status=AssignmentStatus.INVITED
        )
    assert ReviewAssignment.objects.count() == 1


@pytest.mark.parametrize("ended", [AssignmentStatus.DECLINED, AssignmentStatus.CANCELLED])
def test_new_assignment_allowed_after_the_first_ended(ended):
    first = factories.ReviewAssignmentFactory(status=ended)
    again = factories.ReviewAssignmentFactory(
        revision=first.revision, board_member=first.board_member, status=AssignmentStatus.INVITED
    )
    assert again.pk != first.pk
    assert ReviewAssignment.objects.filter(revision=first.revision, board_member=first.board_member).count() == 2


def test_same_member_may_hold_assignments_on_different_revisions():
    first = factories.ReviewAssignmentFactory(status=AssignmentStatus.INVITED)
    other = factories.RevisionFactory(article=first.revision.article)
    factories.ReviewAssignmentFactory(revision=other, board_member=first.board_member, status=AssignmentStatus.INVITED)
    assert first.board_member.assignments.count() == 2


def test_open_and_live_assignment_querysets():
    revision = factories.RevisionFactory()
    statuses = list(AssignmentStatus)
    for status in statuses:
        factories.ReviewAssignmentFactory(revision=revision, status=status)
    assert set(ReviewAssignment.objects.open().values_list("status", flat=True)) == {
        AssignmentStatus.INVITED,
        AssignmentStatus.ACCEPTED,
    }
    assert set(ReviewAssignment.objects.live().values_list("status", flat=True)) == {
        AssignmentStatus.INVITED,
        AssignmentStatus.ACCEPTED,
        AssignmentStatus.COMPLETED,
    }


@pytest.mark.postgres
def test_database_refuses_bulk_delete_of_transition_log_entries():
    entry = factories.TransitionLogEntryFactory()
    with pytest.raises(DatabaseError), transaction.atomic():
        TransitionLogEntry.objects.filter(pk=entry.pk).delete()


def test_log_row_created_without_entered_at_takes_the_previous_rows_time():
    first = factories.TransitionLogEntryFactory()
    second = factories.TransitionLogEntryFactory(
        article=first.article, transition="start_review", from_state="submitted", to_state="under_review"
    )
    assert first.entered_at == first.article.created_at
    assert TransitionLogEntry.objects.get(pk=second.pk).entered_at == first.created_at


@pytest.mark.django_db(transaction=True)
def test_migration_fills_entered_at_from_the_previous_row_or_the_articles_creation():
    from datetime import UTC, datetime, timedelta

    from django.db.migrations.executor import MigrationExecutor

    # Articles goes back too: rows are written with the historical models, which know only the columns of then.
    before = [
        ("reviewboard", "0005_dashboard_indexes"),
        ("articles", "0008_submitted_revision_and_question_transitions"),
    ]
    after = [("reviewboard", "0006_transitionlogentry_entered_at")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        apps = executor.loader.project_state(before).apps
        Article = apps.get_model("articles", "Article")
        Log = apps.get_model("reviewboard", "TransitionLogEntry")
        user = apps.get_model("auth", "User").objects.create(username="migrating-editor")
        specialty = apps.get_model("articles", "Specialty").objects.create(name="Migration", slug="migration")
        created = datetime(2025, 1, 1, tzinfo=UTC)
        first, second = (Article.objects.create(slug=slug, specialty=specialty) for slug in ("first", "second"))
        Article.objects.filter(pk__in=[first.pk, second.pk]).update(created_at=created)
        times = [created + timedelta(days=n) for n in (2, 3, 3)]  # two rows at the same instant: id breaks the tie
        steps = [("draft", "submitted"), ("submitted", "under_review"), ("under_review", "approved")]
        rows = [
            (Log.objects.create(article=first, actor=user, transition="t", from_state=f, to_state=t).pk, when)
            for when, (f, t) in zip(times, steps, strict=True)
        ]
        other = Log.objects.create(article=second, actor=user, transition="submit", from_state="draft", to_state="x")
        with connection.cursor() as cursor:  # PostgreSQL refuses UPDATE of the log: set the times with it off
            if connection.vendor == "postgresql":
                cursor.execute("ALTER TABLE reviewboard_transitionlogentry DISABLE TRIGGER USER")
            for pk, when in rows:
                cursor.execute("UPDATE reviewboard_transitionlogentry SET created_at = %s WHERE id = %s", [when, pk])
            if connection.vendor == "postgresql":
                cursor.execute("ALTER TABLE reviewboard_transitionlogentry ENABLE TRIGGER USER")

        executor = MigrationExecutor(connection)
        executor.migrate(after)

        entered = dict(TransitionLogEntry.objects.values_list("pk", "entered_at"))
        assert [entered[pk] for pk, _ in rows] == [created, times[0], times[1]]
        assert entered[other.pk] == Article.objects.get(pk=second.pk).created_at
    finally:
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
