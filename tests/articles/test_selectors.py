import pytest
from django.utils import timezone

from articles.models import Article, ArticleState
from articles.selectors import article_revisions, published_articles, published_revision
from articles.services import RevisionContent, revision_create
from tests import factories

pytestmark = pytest.mark.django_db

S = ArticleState


def _approve(article):
    """Take a draft through review to approval with the model transitions (test setup only)."""
    article.submit()
    article.start_review()
    article.approve(reviewed=article.current_revision, when=timezone.now())
    article.save()
    return article


def _new_draft(article, author, title="Second draft"):
    content = RevisionContent(
        title=title,
        summary_patient="p",
        summary_professional="q",
        sections=[{"heading": "H", "body": "New text [1]."}],
        references=[{"kind": "research", "title": "New study"}],
    )
    return revision_create(article=article, actor=author, content=content)


@pytest.mark.parametrize("state", [S.DRAFT, S.SUBMITTED, S.UNDER_REVIEW, S.CHANGES_REQUESTED, S.REJECTED])
def test_never_approved_article_is_not_published(article, state):
    Article.objects.filter(pk=article.pk).update(state=state)
    assert published_revision(slug=article.slug) is None
    assert not published_articles().exists()


def test_unknown_slug_is_not_published(db):
    assert published_revision(slug="no-such-article") is None


def test_approved_article_shows_the_approved_revision_with_references(article, django_assert_num_queries):
    approved = article.current_revision
    _approve(article)
    with django_assert_num_queries(2):
        revision = published_revision(slug=article.slug)
        assert revision == approved
        assert revision.article.specialty.name == "Neurology"
        assert [reference.number for reference in revision.references.all()] == [1]


def test_published_revision_without_references_reads_the_article_and_revision_in_one_query(
    article, django_assert_num_queries
):
    approved = article.current_revision
    _approve(article)
    with django_assert_num_queries(1):
        revision = published_revision(slug=article.slug, with_references=False)
        assert revision == approved
        assert revision.title == approved.title
        assert revision.article.specialty.name == "Neurology"


def test_published_revision_is_loaded_as_the_orm_loads_it(article, django_assert_num_queries):
    _approve(article)
    expected = Article.objects.select_related("approved_revision", "specialty").get(pk=article.pk)

    with django_assert_num_queries(1):
        revision = published_revision(slug=article.slug, with_references=False)
        loaded = revision.article
        assert loaded.approved_revision is revision
        assert loaded.specialty.name == "Neurology"

    for instance, model_instance in [(loaded, expected), (revision, expected.approved_revision)]:
        fields = type(instance)._meta.concrete_fields
        assert [getattr(instance, f.attname) for f in fields] == [getattr(model_instance, f.attname) for f in fields]
        assert not instance.get_deferred_fields()
        assert not instance._state.adding and instance._state.db == "default"
    assert revision.sections == expected.approved_revision.sections != []


def test_published_revision_query_count_does_not_grow_with_references(author, neurology, django_assert_num_queries):
    article = factories.ArticleFactory(authors=[author], specialty=neurology, revision=False)
    revision = factories.RevisionFactory(article=article, references=[])
    for number in range(1, 11):
        factories.ReferenceFactory(revision=revision, number=number)
    article.refresh_from_db()
    _approve(article)
    with django_assert_num_queries(2):
        shown = published_revision(slug=article.slug)
        assert [reference.number for reference in shown.references.all()] == list(range(1, 11))


def test_published_references_are_in_number_order(author, neurology):
    article = factories.ArticleFactory(authors=[author], specialty=neurology, revision=False)
    revision = factories.RevisionFactory(article=article, references=[])
    for number in (3, 1, 2):
        factories.ReferenceFactory(revision=revision, number=number)
    article.refresh_from_db()
    _approve(article)
    assert [r.number for r in published_revision(slug=article.slug).references.all()] == [1, 2, 3]


def test_retracted_article_is_not_published(article):
    _approve(article)
    article.retract()
    article.save()
    assert published_revision(slug=article.slug) is None
    assert not published_articles().exists()


def test_revised_article_still_shows_the_approved_revision_not_the_new_draft(article, author):
    approved = article.current_revision
    _approve(article)
    article.revise()
    article.save()
    draft = _new_draft(article, author)
    article.refresh_from_db()
    assert article.state == S.DRAFT
    assert article.current_revision == draft
    revision = published_revision(slug=article.slug)
    assert revision == approved
    assert revision.title == approved.title
    assert [r.title for r in revision.references.all()] == [r.title for r in approved.references.all()]


def test_new_draft_under_review_does_not_replace_the_published_revision(article, author):
    approved = article.current_revision
    _approve(article)
    article.revise()
    article.save()
    _new_draft(article, author)
    article.refresh_from_db()
    article.submit()
    article.start_review()
    article.save()
    assert published_revision(slug=article.slug) == approved


def test_published_articles_carry_their_approved_revision(author, neurology, django_assert_num_queries):
    articles = [_approve(factories.ArticleFactory(authors=[author], specialty=neurology)) for _ in range(3)]
    factories.ArticleFactory(authors=[author], specialty=neurology)  # a draft, not shown
    with django_assert_num_queries(1):
        shown = list(published_articles())
        titles = {(a.approved_revision.title, a.specialty.name) for a in shown}
    assert len(shown) == 3
    assert titles == {(a.current_revision.title, "Neurology") for a in articles}


def test_article_revisions_newest_first(article, author):
    _new_draft(article, author, title="Two")
    _new_draft(article, author, title="Three")
    assert [r.number for r in article_revisions(article=article)] == [3, 2, 1]


def test_reopened_retracted_article_is_not_shown_to_readers(article):
    _approve(article)
    article.retract()
    article.reopen()
    article.save()
    assert published_revision(slug=article.slug) is None
