from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command

from articles.models import Article, ArticleState, Reference, Revision
from articles.permissions import AUTHORS_GROUP, EDITORS_GROUP
from articles.validation import revision_errors
from reviewboard.management.commands.load_demo import DEMO_PASSWORD, MYOCLONUS_SLUG
from reviewboard.models import BoardMember, ConflictOfInterest, Decision, Review, ReviewAssignment, TransitionLogEntry
from reviewboard.review_models import CommentThread

pytestmark = pytest.mark.django_db

User = get_user_model()


def load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def demo():
    return load_demo()


def _counts():
    models = [User, Group, BoardMember, Article, Revision, Reference, ReviewAssignment, Review, TransitionLogEntry]
    return {model.__name__: model.objects.count() for model in [*models, ConflictOfInterest]}


def test_demo_creates_a_user_for_every_role(demo):
    for username in ["admin", "editor", "author", "dr.neuro", "dr.neuro2", "dr.cardio", "dr.pharma"]:
        user = User.objects.get(username=username)
        assert user.check_password(DEMO_PASSWORD)
        assert user.get_full_name()
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    editor = User.objects.get(username="editor")
    assert editor.is_staff and not editor.is_superuser
    assert editor.groups.filter(name=EDITORS_GROUP).exists()
    assert editor.has_perm("articles.change_article")
    assert editor.has_perm("reviewboard.view_review")
    assert User.objects.get(username="author").groups.filter(name=AUTHORS_GROUP).exists()
    assert set(Group.objects.values_list("name", flat=True)) >= {AUTHORS_GROUP, EDITORS_GROUP}


def test_demo_creates_the_board_with_credentials_and_specialties(demo):
    expected = {
        "dr.neuro": ("MD", "neurology"),
        "dr.neuro2": ("MD", "neurology"),
        "dr.cardio": ("MD, FACC", "cardiology"),
        "dr.pharma": ("PharmD, PhD", "pharmacology"),
    }
    for username, (credentials, specialty) in expected.items():
        member = BoardMember.objects.get(user__username=username)
        assert member.active
        assert member.credentials == credentials
        assert list(member.specialties.values_list("slug", flat=True)) == [specialty]


def test_reference_article_is_approved_by_two_neurologists_through_the_workflow(demo):
    article = Article.objects.get(slug=MYOCLONUS_SLUG)
    assert article.state == ArticleState.APPROVED
    assert article.specialty.slug == "neurology"
    assert article.approved_revision == article.current_revision
    assert article.approved_at is not None
    revision = article.approved_revision
    assert revision.title == "What causes myoclonus (jerks)?"
    assert revision.summary_patient and revision.summary_professional
    assert revision_errors(revision) == []
    headings = [section["heading"] for section in revision.sections]
    assert headings[:4] == [
        "From the Guidelines",
        "Possible Causes of Myoclonus",
        "Treatment of Myoclonus",
        "Important Considerations",
    ]
    assert any("Classification" in heading for heading in headings)
    references = list(revision.references.all())
    assert len(references) >= 5
    assert references[0].kind == "guideline"
    assert references[0].title == "Guideline Directed Topic Overview"
    titles = {reference.title for reference in references}
    assert {"Myoclonus: current concepts and recent advances.", "Treatment of myoclonus."} <= titles
    # One round with changes requested, then a resubmission that re-invited dr.neuro, then approval.
    assert list(article.transitions.values_list("transition", flat=True)) == [
        "submit",
        "start_review",
        "request_changes",
        "resubmit",
        "start_review",
        "approve",
    ]
    rounds = list(article.review_rounds.order_by("number"))
    assert [(r.number, r.outcome) for r in rounds] == [(1, "changes_requested"), (2, "approved")]
    assert "botulinum" in rounds[1].response_letter
    threads = {t.quote: t for t in CommentThread.objects.filter(article=article, confidential=False)}
    moved = threads["which is largely based on the presumed site of origin"]
    kept = threads["which may be used for all forms of myoclonus"]
    assert moved.anchor_revision == revision and kept.anchor_revision == rounds[0].revision  # never lost
    assert moved.comments.count() == kept.comments.count() == 2
    # The reply to the moved thread went with the response letter of round 2.
    assert list(rounds[1].letter_replies.values_list("thread", flat=True)) == [moved.pk]
    assert CommentThread.objects.filter(article=article, confidential=True).count() == 1
    assert Review.objects.filter(assignment__review_round=rounds[0]).get().checklist_answers.count() == 5
    reviews = Review.objects.filter(assignment__revision=revision)
    assert {r.assignment.board_member.user.username for r in reviews} == {"dr.neuro", "dr.neuro2"}
    assert {r.decision for r in reviews} == {Decision.APPROVE}


def test_demo_has_an_article_in_every_state(demo):
    states = set(Article.objects.values_list("state", flat=True))
    assert states == set(ArticleState.values)
    under_review = Article.objects.get(state=ArticleState.UNDER_REVIEW)
    assert list(
        ReviewAssignment.objects.filter(revision=under_review.current_revision).values_list("status", flat=True)
    ) == ["accepted"]
    assert Article.objects.get(state=ArticleState.CHANGES_REQUESTED).transitions.last().transition == (
        "request_changes"
    )
    assert Article.objects.get(state=ArticleState.REJECTED).transitions.last().reason
    assert Article.objects.get(state=ArticleState.RETRACTED).approved_revision is not None


def test_revised_article_is_a_draft_whose_approved_revision_stays_public(demo):
    revised = Article.objects.filter(state=ArticleState.DRAFT, approved_revision__isnull=False).get()
    assert revised.current_revision != revised.approved_revision
    assert revised.current_revision.number == revised.approved_revision.number + 1
    assert revised in Article.objects.published()
    assert revised.transitions.last().transition == "revise"


def test_every_state_change_is_in_the_transition_log(demo):
    for article in Article.objects.exclude(state=ArticleState.DRAFT, approved_revision__isnull=True):
        assert article.transitions.last().to_state == article.state


def test_second_run_adds_nothing_and_does_not_fail(demo):
    before = _counts()
    output = load_demo()
    assert _counts() == before
    assert "Articles created: 0" in output


def _printed_secrets(output: str) -> dict[str, str]:
    import re

    return dict(re.findall(r"^  (\S+): ([A-Z2-7]{32})$", output, flags=re.M))


def test_the_development_demo_prints_a_working_totp_secret_for_each_staff_member(client, demo):
    from tests.totp import totp_code

    secrets = _printed_secrets(demo)
    assert set(secrets) == {"admin", "editor", "dr.neuro", "dr.neuro2", "dr.cardio", "dr.pharma"}  # not the author
    assert "oathtool --totp -b" in demo
    client.post("/accounts/login/", {"login": "editor", "password": DEMO_PASSWORD})
    response = client.post("/accounts/2fa/authenticate/", {"code": totp_code(secrets["editor"])})
    assert response.status_code == 302
    assert client.get("/editor/").status_code == 200


def test_a_second_run_keeps_the_demo_secrets(demo):
    assert _printed_secrets(load_demo()) == _printed_secrets(demo)


def test_without_demo_totp_the_demo_prints_no_secret(settings):
    settings.DEMO_TOTP = False
    output = load_demo()
    assert _printed_secrets(output) == {}
    assert "oathtool" not in output
