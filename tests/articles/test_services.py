import pytest
from django.contrib.auth.models import Group

from articles.exceptions import ActionForbidden, InvalidTransition, NotFound, ValidationFailed
from articles.models import Article, ArticleState, Reference, ReferenceKind, Revision
from articles.permissions import AUTHORS_GROUP
from articles.services import RevisionContent, article_create, revision_create
from tests import factories

pytestmark = pytest.mark.django_db

S = ArticleState


def _content(**overrides):
    fields = {
        "title": "What causes migraine?",
        "summary_patient": "Plain words.",
        "summary_professional": "Clinical words.",
        "sections": [{"heading": "Causes", "body": "Triggers vary [1], see also [2]."}],
        "references": [
            {"kind": ReferenceKind.GUIDELINE, "title": "Migraine guideline", "source": "NICE", "year": 2023},
            {"kind": ReferenceKind.RESEARCH, "title": "A trial", "doi": "10.1000/xyz", "year": None},
        ],
    }
    fields.update(overrides)
    return RevisionContent(**fields)


def _in_state(article, state):
    """Put the article in ``state`` behind the FSM's back (test setup only)."""
    Article.objects.filter(pk=article.pk).update(state=state)
    return Article.objects.get(pk=article.pk)


def _counts():
    return Article.objects.count(), Revision.objects.count(), Reference.objects.count()


# article_create


def test_author_creates_article_with_first_revision(author, neurology):
    article = article_create(actor=author, slug="migraine", specialty=neurology, content=_content())
    article.refresh_from_db()
    assert article.state == S.DRAFT
    assert article.specialty == neurology
    assert list(article.authors.all()) == [author]
    revision = article.current_revision
    assert revision.number == 1
    assert revision.title == "What causes migraine?"
    assert revision.created_by == author
    assert revision.change_note == "First draft"
    assert revision.sections == [{"heading": "Causes", "body": "Triggers vary [1], see also [2]."}]
    assert article.approved_revision is None
    references = list(revision.references.order_by("number"))
    assert [(r.number, r.kind, r.title) for r in references] == [
        (1, ReferenceKind.GUIDELINE, "Migraine guideline"),
        (2, ReferenceKind.RESEARCH, "A trial"),
    ]
    assert references[0].source == "NICE"
    assert references[0].year == 2023
    assert references[1].doi == "10.1000/xyz"
    assert references[1].year is None


def test_editor_creates_article(editor, neurology):
    article = article_create(actor=editor, slug="migraine", specialty=neurology, content=_content())
    assert list(article.authors.all()) == [editor]


def test_user_without_role_cannot_create_article(neurology):
    nobody = factories.UserFactory()
    with pytest.raises(ActionForbidden, match="Only authors and editors"):
        article_create(actor=nobody, slug="migraine", specialty=neurology, content=_content())
    assert _counts() == (0, 0, 0)


def test_inactive_author_cannot_create_article(neurology):
    inactive = factories.AuthorFactory(is_active=False)
    with pytest.raises(ActionForbidden):
        article_create(actor=inactive, slug="migraine", specialty=neurology, content=_content())
    assert _counts() == (0, 0, 0)


def test_duplicate_slug_fails_validation(author, neurology):
    article_create(actor=author, slug="migraine", specialty=neurology, content=_content())
    before = _counts()
    with pytest.raises(ValidationFailed) as error:
        article_create(actor=author, slug="migraine", specialty=neurology, content=_content())
    assert error.value.messages == ['An article with the address "migraine" already exists.']
    assert _counts() == before


def test_invalid_content_writes_no_article(author, neurology):
    with pytest.raises(ValidationFailed) as error:
        article_create(actor=author, slug="migraine", specialty=neurology, content=_content(title=" "))
    assert error.value.messages == ["The title is required."]
    assert _counts() == (0, 0, 0)


def test_article_create_strips_the_title(author, neurology):
    article = article_create(actor=author, slug="m", specialty=neurology, content=_content(title="  Migraine  "))
    assert article.current_revision.title == "Migraine"


# revision_create


def test_new_revision_gets_the_next_number_and_becomes_current(article, author):
    first = article.current_revision
    second = revision_create(article=article, actor=author, content=_content(title="Second"), change_note="Edit")
    third = revision_create(article=article, actor=author, content=_content(title="Third"))
    assert (first.number, second.number, third.number) == (1, 2, 3)
    article.refresh_from_db()
    assert article.current_revision == third
    assert second.change_note == "Edit"
    assert second.created_by == author


def test_new_revision_leaves_the_old_one_unchanged(article, author):
    old = article.current_revision
    old_values = Revision.objects.filter(pk=old.pk).values().get()
    old_references = list(old.references.values())
    revision_create(article=article, actor=author, content=_content(title="Rewritten", sections=[]))
    assert Revision.objects.filter(pk=old.pk).values().get() == old_values
    assert list(Reference.objects.filter(revision=old).values()) == old_references


def test_new_revision_has_its_own_reference_rows(article, author):
    old_reference_ids = set(article.current_revision.references.values_list("pk", flat=True))
    revision = revision_create(article=article, actor=author, content=_content())
    new_references = list(revision.references.order_by("number"))
    assert [r.number for r in new_references] == [1, 2]
    assert not old_reference_ids & {r.pk for r in new_references}
    assert Reference.objects.filter(pk__in=old_reference_ids).count() == len(old_reference_ids)


def test_editor_may_edit_someone_elses_article(article, editor):
    revision = revision_create(article=article, actor=editor, content=_content())
    assert revision.number == 2
    assert revision.created_by == editor


@pytest.mark.parametrize(
    "make_actor",
    [
        pytest.param(lambda: factories.AuthorFactory(), id="other-author"),
        pytest.param(lambda: factories.UserFactory(), id="no-role"),
        pytest.param(lambda: factories.BoardMemberFactory().user, id="board-member"),
    ],
)
def test_only_authors_and_editors_may_edit(article, make_actor):
    # Nobody else even learns that the draft exists.
    before = _counts()
    with pytest.raises(NotFound, match="no such article"):
        revision_create(article=article, actor=make_actor(), content=_content())
    assert _counts() == before


def test_inactive_author_of_the_article_may_not_edit(article, author):
    author.is_active = False
    author.save()
    with pytest.raises(NotFound):
        revision_create(article=article, actor=author, content=_content())


@pytest.mark.parametrize("state", [S.DRAFT, S.CHANGES_REQUESTED])
def test_revision_allowed_while_editable(article, author, state):
    article = _in_state(article, state)
    assert revision_create(article=article, actor=author, content=_content()).number == 2


@pytest.mark.parametrize("state", [S.SUBMITTED, S.UNDER_REVIEW, S.APPROVED, S.REJECTED, S.RETRACTED])
def test_revision_refused_outside_draft(article, author, state):
    article = _in_state(article, state)
    before = _counts()
    with pytest.raises(InvalidTransition) as error:
        revision_create(article=article, actor=author, content=_content())
    assert f"The article is {article.get_state_display().lower()}" in error.value.message
    assert "can be edited only as a draft" in error.value.message
    assert _counts() == before
    assert Article.objects.get(pk=article.pk).current_revision_id == article.current_revision_id


def test_forbidden_is_reported_before_state(article):
    article = _in_state(article, S.APPROVED)
    with pytest.raises(NotFound):
        revision_create(article=article, actor=factories.UserFactory(), content=_content())


def test_revision_create_reads_the_state_from_the_database(article, author):
    stale = Article.objects.get(pk=article.pk)
    _in_state(article, S.SUBMITTED)
    with pytest.raises(InvalidTransition):
        revision_create(article=stale, actor=author, content=_content())


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        (
            {"kind": "blog", "title": "A post"},
            "Reference 2: choose its kind: guideline, research, review, other.",
        ),
        ({"title": "No kind"}, "Reference 2: choose its kind: guideline, research, review, other."),
        ({"kind": ReferenceKind.REVIEW, "title": "  "}, "Reference 2: the title is required."),
        ({"kind": ReferenceKind.REVIEW}, "Reference 2: the title is required."),
        (
            {"kind": ReferenceKind.REVIEW, "title": "T", "impact": 9},
            "Reference 2 has unknown fields: impact.",
        ),
    ],
)
def test_bad_reference_fails_with_a_clear_message_and_writes_nothing(article, author, reference, message):
    references = [{"kind": ReferenceKind.GUIDELINE, "title": "Fine"}, reference]
    before = _counts()
    with pytest.raises(ValidationFailed) as error:
        revision_create(article=article, actor=author, content=_content(references=references))
    assert error.value.messages == [message]
    assert _counts() == before
    assert Article.objects.get(pk=article.pk).current_revision_id == article.current_revision_id


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "The title is required."),
        ({"title": "x" * 201}, "The title is longer than 200 characters (it has 201)."),
        ({"sections": [{"heading": "H", "body": "B", "extra": 1}]}, "Section 1 must have a heading and a body only."),
        ({"sections": ["just text"]}, "Section 1 must have a heading and a body only."),
    ],
)
def test_bad_content_fails_with_a_clear_message_and_writes_nothing(article, author, overrides, message):
    before = _counts()
    with pytest.raises(ValidationFailed) as error:
        revision_create(article=article, actor=author, content=_content(**overrides))
    assert message in error.value.messages
    assert _counts() == before


def test_every_problem_is_reported_at_once(article, author):
    content = _content(title="", references=[{"kind": "x"}, {"title": "t"}])
    with pytest.raises(ValidationFailed) as error:
        revision_create(article=article, actor=author, content=content)
    assert [(e.field, e.index, e.code) for e in error.value.errors] == [
        ("title", None, "required"),
        ("references.kind", 0, "required"),
        ("references.title", 0, "required"),
        ("references.kind", 1, "required"),
    ]
    assert error.value.message == " ".join(error.value.messages)


def test_missing_section_keys_are_stored_as_empty_text(article, author):
    revision = revision_create(article=article, actor=author, content=_content(sections=[{"heading": "Only"}]))
    assert revision.sections == [{"heading": "Only", "body": ""}]


def test_overlong_reference_title_fails_validation(article, author):
    references = [{"kind": ReferenceKind.GUIDELINE, "title": "x" * 501}]
    with pytest.raises(ValidationFailed):
        revision_create(article=article, actor=author, content=_content(references=references))


def test_author_group_membership_is_what_grants_creation(neurology):
    user = factories.UserFactory()
    user.groups.add(Group.objects.get_or_create(name=AUTHORS_GROUP)[0])
    user = type(user).objects.get(pk=user.pk)  # drop the cached group names
    article = article_create(actor=user, slug="by-new-author", specialty=neurology, content=_content())
    assert list(article.authors.all()) == [user]
