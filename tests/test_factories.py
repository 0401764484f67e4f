import factory
import pytest

from articles.models import Article
from articles.permissions import AUTHORS_GROUP, EDITORS_GROUP
from articles.validation import revision_errors
from reviewboard.models import AssignmentStatus
from tests import factories

pytestmark = pytest.mark.django_db

PROTECTED_FSM_FIELDS = {Article: ["state"]}

ALL_FACTORIES = sorted(
    (
        value
        for value in vars(factories).values()
        if isinstance(value, type)
        and issubclass(value, factory.django.DjangoModelFactory)
        and value.__module__ == factories.__name__
    ),
    key=lambda f: f.__name__,
)


def test_every_model_has_a_factory():
    from django.apps import apps

    covered = {f._meta.model for f in ALL_FACTORIES}
    ours = {m for m in apps.get_models() if m._meta.app_label in ("articles", "reviewboard", "identity")}
    assert ours <= covered, ours - covered


@pytest.mark.parametrize("model_factory", ALL_FACTORIES, ids=lambda f: f.__name__)
def test_factory_builds_a_saved_valid_object(model_factory):
    obj = model_factory()
    assert obj.pk is not None
    fresh = type(obj).objects.get(pk=obj.pk)
    # A protected FSM field cannot be re-assigned, and clean_fields() assigns every field it cleans.
    fresh.full_clean(exclude=PROTECTED_FSM_FIELDS.get(type(fresh), []))


def test_article_full_clean_does_not_crash():
    factories.ArticleFactory().full_clean()


def test_author_and_editor_factories_join_their_groups():
    assert list(factories.AuthorFactory().groups.values_list("name", flat=True)) == [AUTHORS_GROUP]
    assert list(factories.EditorFactory().groups.values_list("name", flat=True)) == [EDITORS_GROUP]


def test_user_factory_sets_a_usable_password():
    assert factories.UserFactory().check_password("pass")


def test_article_factory_makes_a_draft_with_one_valid_current_revision():
    article = factories.ArticleFactory()
    article.refresh_from_db()
    assert article.state == "draft"
    assert article.authors.count() == 1
    assert article.current_revision.number == 1
    assert article.current_revision.created_by == article.authors.get()
    assert revision_errors(article.current_revision) == []


def test_revision_factory_numbers_revisions_and_makes_the_latest_current():
    article = factories.ArticleFactory()
    second = factories.RevisionFactory(article=article)
    article.refresh_from_db()
    assert second.number == 2
    assert article.current_revision == second
    assert revision_errors(second) == []


def test_review_factory_completes_its_assignment():
    review = factories.ReviewFactory()
    assert review.assignment.status == AssignmentStatus.COMPLETED


def test_board_member_factory_takes_specialties():
    specialty = factories.SpecialtyFactory()
    member = factories.BoardMemberFactory(specialties=[specialty])
    assert list(member.specialties.all()) == [specialty]
