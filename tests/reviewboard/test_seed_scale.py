"""seed_scale writes a consistent archive: states that match the log, reviews behind decisions."""

import io
from itertools import groupby

import pytest
from django.core.management import call_command

from articles.models import Article, Revision
from reviewboard.models import AssignmentStatus, BoardMember, Decision, Review, ReviewAssignment, TransitionLogEntry


@pytest.fixture
def seeded(db):
    call_command("seed_scale", articles=200, chunk=70, stdout=io.StringIO())


def test_small_run_writes_the_requested_counts(seeded):
    assert Article.objects.count() == 200
    assert Revision.objects.count() == 2000
    assert Review.objects.count() == 600
    assert BoardMember.objects.count() == 5
    assert ReviewAssignment.objects.filter(status=AssignmentStatus.COMPLETED).count() == 600


def test_every_state_is_where_its_log_leads(seeded):
    states = dict(Article.objects.values_list("pk", "state"))
    rows = TransitionLogEntry.objects.order_by("article_id", "created_at", "pk").values_list(
        "article_id", "from_state", "to_state", "created_at"
    )
    seen = set()
    for article_id, entries in groupby(rows, key=lambda r: r[0]):
        entries = list(entries)
        assert entries[0][1] == "draft"
        for before, after in zip(entries, entries[1:], strict=False):
            assert before[2] == after[1]
            assert before[3] < after[3]
        assert entries[-1][2] == states[article_id]
        seen.add(article_id)
    assert {pk for pk, state in states.items() if state != "draft"} == seen


def test_every_log_row_records_when_its_stay_began(seeded):
    created = dict(Article.objects.values_list("pk", "created_at"))
    rows = TransitionLogEntry.objects.order_by("article_id", "created_at", "pk").values_list(
        "article_id", "entered_at", "created_at"
    )
    for article_id, entries in groupby(rows, key=lambda r: r[0]):
        entries = list(entries)
        assert entries[0][1] == created[article_id]
        for before, after in zip(entries, entries[1:], strict=False):
            assert after[1] == before[2]


def test_approved_articles_pin_their_last_revision_and_a_quorum_of_approvals(seeded):
    approved = Article.objects.filter(state__in=["approved", "retracted"])
    assert approved.exists()
    for article in approved.select_related("approved_revision", "current_revision"):
        assert article.approved_revision == article.current_revision
        assert article.approved_revision.number == 10
        assert article.approved_at is not None
        approvals = Review.objects.filter(
            assignment__revision=article.approved_revision, decision=Decision.APPROVE
        ).count()
        assert approvals == 2
    assert not Article.objects.exclude(state__in=["approved", "retracted"]).filter(approved_at__isnull=False).exists()


def test_every_request_for_changes_has_its_review(seeded):
    requests = TransitionLogEntry.objects.filter(transition="request_changes")
    assert requests.count() == Review.objects.filter(decision=Decision.REQUEST_CHANGES).count()
    assert ReviewAssignment.objects.filter(status__in=["invited", "accepted"]).count() == (
        2 * Article.objects.filter(state="under_review").count()
    )


def test_scale_option_sets_the_size(db):
    call_command("seed_scale", scale=0.0005, stdout=io.StringIO())
    assert Article.objects.count() == 50
    assert Revision.objects.count() == 500
