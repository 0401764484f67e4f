"""factory_boy factories for every model."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone
from knox.models import AuthToken

from articles.models import (
    Article,
    Byline,
    ChangeNote,
    FollowUpQuestion,
    Reference,
    ReferenceKind,
    ReferenceLookup,
    Revision,
    Specialty,
)
from articles.permissions import AUTHORS_GROUP, EDITORS_GROUP
from articles.stored_models import ReaderGeneration, StoredPage, StoredPageKind, StoredSearch
from identity.models import ApiTokenName, SignIn
from reviewboard.models import (
    AssignmentStatus,
    BoardMember,
    ConflictOfInterest,
    Decision,
    Review,
    ReviewAssignment,
    ReviewRound,
    TransitionLogEntry,
)
from reviewboard.notifications.models import Message, NotificationPreference, OutboxEvent
from reviewboard.review_models import (
    AnchorField,
    ChecklistAnswer,
    ChecklistAnswerChoice,
    ChecklistItem,
    CommentThread,
    EditorialSettings,
    ReviewRating,
    ThreadComment,
)

# Staff (admins, editors, board members) must have a second factor (identity.policy); the factories give them
# an authenticator app with this secret, so tests that are not about second factors sign them in as before.
# ``second_factor=False`` makes one without (the tests of the requirement itself).
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def give_second_factor(user) -> None:
    from identity.services import totp_activate

    totp_activate(user=user, secret=TOTP_SECRET)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", "pass")

    @factory.post_generation
    def groups(self, create, extracted, **kwargs):
        for name in extracted or []:
            self.groups.add(Group.objects.get_or_create(name=name)[0])
        if create:
            self.save()

    @factory.post_generation
    def second_factor(self, create, extracted, **kwargs):
        if create and (extracted or (extracted is None and (self.is_staff or self.is_superuser))):
            give_second_factor(self)


def _joins(group_name, *, second_factor=False):
    @factory.post_generation
    def role(user, create, extracted, **kwargs):
        if create:
            user.groups.add(Group.objects.get_or_create(name=group_name)[0])
            if second_factor and kwargs.get("second_factor", True):
                give_second_factor(user)

    return role


class AuthorFactory(UserFactory):
    role = _joins(AUTHORS_GROUP)


class EditorFactory(UserFactory):
    """An editor, with an authenticator app unless ``role__second_factor=False``."""

    role = _joins(EDITORS_GROUP, second_factor=True)


class SpecialtyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Specialty
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Specialty {n}")
    slug = factory.LazyAttribute(lambda s: s.name.lower().replace(" ", "-"))


class ArticleFactory(factory.django.DjangoModelFactory):
    """An article in draft with one valid revision, written by one author."""

    class Meta:
        model = Article
        skip_postgeneration_save = True

    slug = factory.Sequence(lambda n: f"article-{n}")
    specialty = factory.SubFactory(SpecialtyFactory)

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if not create:
            return
        for author in extracted or [AuthorFactory()]:
            self.authors.add(author)

    @factory.post_generation
    def revision(self, create, extracted, **kwargs):
        if create and extracted is not False:
            RevisionFactory(article=self, created_by=self.authors.first())


class RevisionFactory(factory.django.DjangoModelFactory):
    """A revision that passes validation: one section citing its one reference. Becomes current."""

    class Meta:
        model = Revision
        skip_postgeneration_save = True

    article = factory.SubFactory(ArticleFactory, revision=False)
    number = factory.LazyAttribute(lambda r: r.article.revisions.count() + 1)
    title = factory.Sequence(lambda n: f"What causes symptom {n}?")
    summary_patient = "A short answer in plain words."
    summary_professional = "A short answer for clinicians."
    sections = factory.LazyFunction(lambda: [{"heading": "From the Guidelines", "body": "It is well known [1]."}])
    created_by = factory.SubFactory(AuthorFactory)
    change_note = "Draft"

    @factory.post_generation
    def references(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted is None:
            ReferenceFactory(revision=self, number=1)
        type(self.article).objects.filter(pk=self.article_id).update(current_revision=self)
        self.article.current_revision = self


class ReferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Reference

    revision = factory.SubFactory(RevisionFactory, references=[])
    number = factory.Sequence(lambda n: n + 1)
    kind = ReferenceKind.RESEARCH
    title = factory.Sequence(lambda n: f"A study of things, part {n}")
    source = "The Journal"
    year = 2024


class BoardMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BoardMember
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    credentials = "MD"
    capacity = 5
    active = True

    @factory.post_generation
    def specialties(self, create, extracted, **kwargs):
        if create and extracted:
            self.specialties.add(*extracted)

    @factory.post_generation
    def second_factor(self, create, extracted, **kwargs):
        """Board members must have a second factor: the member's user gets one unless ``second_factor=False``."""
        if create and extracted is not False:
            give_second_factor(self.user)


def round_for(revision) -> ReviewRound:
    """Return the revision's latest review round, or open one (closing the article's other open round)."""
    existing = ReviewRound.objects.filter(revision=revision).order_by("-number").first()
    if existing is not None:
        return existing
    ReviewRound.objects.filter(article_id=revision.article_id, closed_at__isnull=True).update(
        closed_at=timezone.now(), outcome="withdrawn"
    )
    number = ReviewRound.objects.filter(article_id=revision.article_id).count() + 1
    return ReviewRound.objects.create(article_id=revision.article_id, revision=revision, number=number)


class ReviewRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewRound

    revision = factory.SubFactory(RevisionFactory)
    article = factory.SelfAttribute("revision.article")
    number = factory.LazyAttribute(lambda r: ReviewRound.objects.filter(article=r.article).count() + 1)


class ReviewAssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewAssignment

    revision = factory.SubFactory(RevisionFactory)
    review_round = factory.LazyAttribute(lambda a: round_for(a.revision))
    board_member = factory.SubFactory(BoardMemberFactory)
    status = AssignmentStatus.ACCEPTED
    due_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=14))
    assigned_by = factory.SubFactory(EditorFactory)


class ConflictOfInterestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConflictOfInterest

    board_member = factory.SubFactory(BoardMemberFactory)
    article = factory.SubFactory(ArticleFactory)
    reason = "Consults for the maker of a drug discussed."


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    assignment = factory.SubFactory(ReviewAssignmentFactory, status=AssignmentStatus.COMPLETED)
    decision = Decision.APPROVE
    comments_to_author = "Clear and well sourced."


class TransitionLogEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TransitionLogEntry

    article = factory.SubFactory(ArticleFactory)
    actor = factory.SubFactory(EditorFactory)
    transition = "submit"
    from_state = "draft"
    to_state = "submitted"


class OutboxEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OutboxEvent

    kind = "submit"
    payload = factory.LazyFunction(dict)


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    event = factory.SubFactory(OutboxEventFactory)
    recipient = factory.SubFactory(UserFactory)
    channel = "inbox"
    subject = "New submission"
    body = "An article was submitted for review."


class NotificationPreferenceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = NotificationPreference

    user = factory.SubFactory(UserFactory)
    kind = "all"
    mode = "immediate"


class FollowUpQuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FollowUpQuestion

    article = factory.SubFactory(ArticleFactory)
    question = "Can myoclonus be caused by my medication?"


def publish(article, *, when=None, reviewers=()):
    """Approve the article's current revision the way the product does, through the services.

    Its author submits it (unless it is in review already); an editor assigns ``reviewers`` (and new
    board members of its specialty while the quorum needs more); each accepts and approves. ``when``
    then dates the approval, as if it had happened then.
    """
    from django.conf import settings

    from reviewboard import services

    members = list(reviewers)
    while len(members) < settings.REVIEW_QUORUM:
        members.append(BoardMemberFactory(specialties=[article.specialty]))
    article.refresh_from_db()
    if article.state in ("draft", "changes_requested"):
        services.article_submit(article=article, actor=article.authors.first())
    editor = EditorFactory()
    assignments = [services.assignment_create(article=article, board_member=m, actor=editor) for m in members]
    for assignment in assignments:
        services.assignment_accept(assignment=assignment, actor=assignment.board_member.user)
    for assignment in assignments:
        services.review_submit(assignment=assignment, actor=assignment.board_member.user, decision=Decision.APPROVE)
    article.refresh_from_db()
    assert article.state == "approved", article.state
    if when is not None:
        Article.objects.filter(pk=article.pk).update(approved_at=when)
        article.refresh_from_db()
    return article


class ChecklistItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ChecklistItem

    specialty = factory.SubFactory(SpecialtyFactory)
    text = factory.Sequence(lambda n: f"Checked point {n}")
    required = True
    position = factory.Sequence(lambda n: n)


class ChecklistAnswerFactory(factory.django.DjangoModelFactory):
    """One reviewer's answer to one item, with the item's text and weight as they were asked."""

    class Meta:
        model = ChecklistAnswer

    review = factory.SubFactory(ReviewFactory)
    item = factory.SubFactory(ChecklistItemFactory)
    item_text = factory.LazyAttribute(lambda a: a.item.text)
    required = factory.LazyAttribute(lambda a: a.item.required)
    position = factory.LazyAttribute(lambda a: a.item.position)
    answer = ChecklistAnswerChoice.YES
    note = ""


class CommentThreadFactory(factory.django.DjangoModelFactory):
    """A thread on the first paragraph of the revision's first section, anchored where it was written."""

    class Meta:
        model = CommentThread

    revision = factory.SubFactory(RevisionFactory)
    article = factory.LazyAttribute(lambda t: t.revision.article)
    field = AnchorField.SECTION
    index = 0
    paragraph = 0
    quote = "It is well known"
    start = 0
    end = factory.LazyAttribute(lambda t: len(t.quote))
    anchor_revision = factory.LazyAttribute(lambda t: t.revision)
    opened_by = factory.SubFactory(EditorFactory)


class ThreadCommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ThreadComment

    thread = factory.SubFactory(CommentThreadFactory)
    author = factory.LazyAttribute(lambda c: c.thread.opened_by)
    body = "Which guideline says so?"


class ChangeNoteFactory(factory.django.DjangoModelFactory):
    """The note for readers on a revision of an approved article."""

    class Meta:
        model = ChangeNote

    revision = factory.SubFactory(RevisionFactory)
    article = factory.LazyAttribute(lambda n: n.revision.article)
    text = "Updated the dose table to the 2025 guideline."


class BylineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Byline

    user = factory.SubFactory(AuthorFactory)
    credentials = "MD, MPH"


class SignInFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SignIn

    user = factory.SubFactory(UserFactory)
    address = "198.51.100.1"
    user_agent = "Mozilla/5.0"


class ApiTokenNameFactory(factory.django.DjangoModelFactory):
    """A named API token (knox's AuthToken, made through its manager, which returns the secret once)."""

    class Meta:
        model = ApiTokenName

    token = factory.LazyFunction(lambda: AuthToken.objects.create(user=UserFactory())[0])
    name = factory.Sequence(lambda n: f"Script {n}")


class ReferenceLookupFactory(factory.django.DjangoModelFactory):
    """An author's DOI lookup, still waiting for its answer."""

    class Meta:
        model = ReferenceLookup

    requested_by = factory.SubFactory(AuthorFactory)
    kind = "doi"
    value = "10.1000/example.2024.1"


class StoredPageFactory(factory.django.DjangoModelFactory):
    """A stored patient page of an article's current revision (the row only: its HTML is a placeholder)."""

    class Meta:
        model = StoredPage

    revision = factory.SubFactory(RevisionFactory)
    article = factory.LazyAttribute(lambda p: p.revision.article)
    kind = StoredPageKind.PATIENT
    origin = "http://testserver"
    article_updated_at = factory.LazyFunction(timezone.now)
    fingerprint = "0" * 64
    html = "<main>stored</main>"


class ReaderGenerationFactory(factory.django.DjangoModelFactory):
    """The one reader generation row (a migration creates it; a test that empties the database may need it back)."""

    class Meta:
        model = ReaderGeneration
        django_get_or_create = ("id",)

    id = 1


class StoredSearchFactory(factory.django.DjangoModelFactory):
    """A stored search result (two article ids, which need not exist), under generation 0."""

    class Meta:
        model = StoredSearch

    key = factory.Sequence(lambda n: f"{n:064x}")
    query = factory.Sequence(lambda n: f"search {n}")
    generation = 0
    article_ids = "1,2"


class ReviewRatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewRating

    review = factory.SubFactory(ReviewFactory)
    rating = 4
    rated_by = factory.SubFactory(EditorFactory)


class EditorialSettingsFactory(factory.django.DjangoModelFactory):
    """The site's editorial settings (one row): reviewers' names hidden from authors, the default."""

    class Meta:
        model = EditorialSettings
        django_get_or_create = ("pk",)

    pk = 1
    authors_see_reviewer_names = False
