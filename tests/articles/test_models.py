import pytest
from django.db import connection, transaction
from django.db.utils import Error as DatabaseError
from django.utils import timezone
from django_fsm import TransitionNotAllowed, can_proceed

from articles.models import Article, ArticleState, ImmutableRowError, Reference, Revision
from tests import factories

pytestmark = pytest.mark.django_db

S = ArticleState
ALL_STATES = list(S)

# transition -> {source state: target state}; every other state refuses the transition.
TRANSITIONS = {
    "submit": {S.DRAFT: S.SUBMITTED},
    "resubmit": {S.CHANGES_REQUESTED: S.SUBMITTED},
    "withdraw": {S.SUBMITTED: S.DRAFT, S.UNDER_REVIEW: S.DRAFT},
    "start_review": {S.SUBMITTED: S.UNDER_REVIEW},
    "request_changes": {S.UNDER_REVIEW: S.CHANGES_REQUESTED},
    "approve": {S.UNDER_REVIEW: S.APPROVED},
    "reject": {S.SUBMITTED: S.REJECTED, S.UNDER_REVIEW: S.REJECTED, S.CHANGES_REQUESTED: S.REJECTED},
    "revise": {S.APPROVED: S.DRAFT},
    "retract": {S.APPROVED: S.RETRACTED},
    "reopen": {S.REJECTED: S.DRAFT, S.RETRACTED: S.DRAFT},
}
TABLE = [
    pytest.param(state, name, targets.get(state), id=f"{state.value}-{name}")
    for name, targets in TRANSITIONS.items()
    for state in ALL_STATES
]


def _in_state(article, state):
    """Put the article in ``state`` behind the FSM's back (test setup only) and return a fresh copy."""
    Article.objects.filter(pk=article.pk).update(state=state)
    return Article.objects.get(pk=article.pk)


def _call(article, name):
    method = getattr(article, name)
    if name == "approve":
        return method(reviewed=article.current_revision, when=timezone.now())
    return method()


def test_state_cannot_be_assigned_directly(article):
    with pytest.raises(AttributeError):
        article.state = S.APPROVED
    article.refresh_from_db()
    assert article.state == S.DRAFT


def test_new_article_starts_in_draft(article):
    assert article.state == S.DRAFT


def test_every_state_and_transition_is_in_the_table():
    assert len(TABLE) == 7 * 10
    assert set(TRANSITIONS) == {
        "submit",
        "resubmit",
        "withdraw",
        "start_review",
        "request_changes",
        "approve",
        "reject",
        "revise",
        "retract",
        "reopen",
    }


@pytest.mark.parametrize(("state", "name", "target"), TABLE)
def test_transition_from_state(article, state, name, target):
    article = _in_state(article, state)
    method = getattr(article, name)
    if target is None:
        assert not can_proceed(method, check_conditions=False)
        with pytest.raises(TransitionNotAllowed):
            _call(article, name)
        assert article.state == state
    else:
        assert can_proceed(method)
        _call(article, name)
        assert article.state == target
        article.save()
        assert Article.objects.get(pk=article.pk).state == target


def test_transitions_change_the_object_in_memory_only(article):
    article.submit()
    assert Article.objects.get(pk=article.pk).state == S.DRAFT


def test_approve_records_the_reviewed_revision_and_time(article):
    article = _in_state(article, S.UNDER_REVIEW)
    reviewed = article.current_revision
    when = timezone.now()
    article.approve(reviewed=reviewed, when=when)
    assert article.approved_revision == reviewed
    assert article.approved_at == when


@pytest.mark.parametrize(("state", "name"), [(S.DRAFT, "submit"), (S.CHANGES_REQUESTED, "resubmit")])
def test_submit_needs_a_revision(author, neurology, state, name):
    article = _in_state(factories.ArticleFactory(authors=[author], specialty=neurology, revision=False), state)
    assert article.current_revision is None
    method = getattr(article, name)
    assert can_proceed(method, check_conditions=False)
    assert not can_proceed(method)
    with pytest.raises(TransitionNotAllowed):
        method()
    assert article.state == state


def test_approve_needs_a_revision(author, neurology):
    article = _in_state(factories.ArticleFactory(authors=[author], specialty=neurology, revision=False), S.UNDER_REVIEW)
    assert not can_proceed(article.approve)
    with pytest.raises(TransitionNotAllowed):
        article.approve(reviewed=None, when=timezone.now())


def test_submit_allowed_once_a_revision_exists(article):
    assert article.has_revision()
    assert can_proceed(article.submit)


@pytest.mark.parametrize(("state", "editable"), [(state, state in (S.DRAFT, S.CHANGES_REQUESTED)) for state in S])
def test_article_is_editable_only_as_draft_or_after_changes_requested(article, state, editable):
    assert _in_state(article, state).is_editable is editable


def test_title_is_the_current_revision_title(article):
    assert article.title == article.current_revision.title
    assert str(article) == article.current_revision.title


def test_title_falls_back_to_slug_without_revision(author, neurology):
    article = factories.ArticleFactory(authors=[author], specialty=neurology, revision=False, slug="no-text-yet")
    assert article.title == "no-text-yet"


# Immutable rows


def test_saving_an_existing_revision_raises_and_leaves_the_row_unchanged(article):
    revision = article.current_revision
    original_title = revision.title
    revision.title = "Changed"
    with pytest.raises(ImmutableRowError, match="immutable"):
        revision.save()
    assert Revision.objects.get(pk=revision.pk).title == original_title


def test_saving_an_existing_reference_raises_and_leaves_the_row_unchanged(article):
    reference = article.current_revision.references.get()
    original_title = reference.title
    reference.title = "Changed"
    with pytest.raises(ImmutableRowError):
        reference.save()
    assert Reference.objects.get(pk=reference.pk).title == original_title


def test_new_revision_can_be_saved(article):
    revision = Revision(
        article=article,
        number=2,
        title="Second",
        summary_patient="p",
        summary_professional="q",
        sections=[],
        created_by=article.authors.get(),
    )
    revision.save()
    assert Revision.objects.filter(article=article).count() == 2


@pytest.mark.postgres
def test_database_refuses_queryset_update_of_revision(article):
    revision = article.current_revision
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        Revision.objects.filter(pk=revision.pk).update(title="x")
    assert Revision.objects.get(pk=revision.pk).title == revision.title


@pytest.mark.postgres
def test_database_refuses_raw_sql_update_of_revision(article):
    revision = article.current_revision
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE articles_revision SET title = %s WHERE id = %s", ["x", revision.pk])
    assert Revision.objects.get(pk=revision.pk).title == revision.title


@pytest.mark.postgres
def test_database_refuses_queryset_update_of_reference(article):
    reference = article.current_revision.references.get()
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        Reference.objects.filter(pk=reference.pk).update(title="x")
    assert Reference.objects.get(pk=reference.pk).title == reference.title


@pytest.mark.postgres
def test_database_refuses_raw_sql_update_of_reference(article):
    reference = article.current_revision.references.get()
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE articles_reference SET title = %s WHERE id = %s", ["x", reference.pk])
    assert Reference.objects.get(pk=reference.pk).title == reference.title


# ArticleQuerySet.published()


def _approved(article):
    article.submit()
    article.start_review()
    article.approve(reviewed=article.current_revision, when=timezone.now())
    article.save()
    return article


def test_published_excludes_never_approved_articles(article):
    for state in (S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.CHANGES_REQUESTED, S.REJECTED):
        _in_state(article, state)
        assert not Article.objects.published().exists()


def test_published_includes_approved_article(article):
    _approved(article)
    assert list(Article.objects.published()) == [article]


def test_published_keeps_approved_article_while_a_new_draft_is_written(article):
    article = _approved(article)
    article.revise()
    article.save()
    assert list(Article.objects.published()) == [article]


def test_published_excludes_retracted_article(article):
    article = _approved(article)
    article.retract()
    article.save()
    assert not Article.objects.published().exists()


def test_reopened_retracted_article_stays_hidden_until_approved_again(article):
    article = _approved(article)
    article.retract()
    article.reopen()
    article.save()
    assert not Article.objects.published().exists()


def test_authored_by_returns_the_authors_articles(article, author):
    factories.ArticleFactory()
    assert list(Article.objects.authored_by(author)) == [article]


@pytest.mark.django_db
def test_revision_and_reference_cannot_be_deleted_one_by_one():
    revision = factories.RevisionFactory()
    reference = revision.references.get()
    for row in (reference, revision):
        with pytest.raises(ImmutableRowError, match="cannot be deleted"):
            row.delete()
    assert Revision.objects.filter(pk=revision.pk).exists()
    assert Reference.objects.filter(pk=reference.pk).exists()
