"""Arbitrary text at every writable field, through the web forms, the API and the admin.

Each answer is a success or a field error, never a 500, and every surface that offers the field gives
the same verdict, because each passes the raw text to the same service. A browser cannot send a lone
surrogate (it is not UTF-8), so the web and the admin get what a browser would send instead (U+FFFD);
the API, whose JSON can carry one, must refuse it as a field error.
"""

import contextlib
import json
import re

import pytest
from django.db import transaction
from hypothesis import HealthCheck, example, given, settings, strategies as st
from rest_framework.test import APIClient

from articles.models import Article, ArticleState
from reviewboard import services
from reviewboard.models import AssignmentStatus, Review, ReviewAssignment
from tests import factories

pytestmark = pytest.mark.django_db

SURROGATE = re.compile("[\ud800-\udfff]")
RTL_MARKS = "\u200f\u202e\u2067\u061c"

# Any text: every plane and category, surrogates and controls included; long runs; right-to-left marks.
any_text = st.one_of(
    st.text(st.characters(codec=None, exclude_categories=()), max_size=60),
    st.lists(st.sampled_from(["\x00", "\r", "\n", "\r\n", "\t", "\x0b", "\x85", "\u2028", *RTL_MARKS, "a", " "])).map(
        "".join
    ),
    st.builds(lambda char, count: char * count, st.sampled_from(["x", "é", "\u200f"]), st.integers(90_000, 110_000)),
)
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
EXAMPLES = ["", "   ", "A fine line?", "line\nbreak", "nul\x00byte", "lone \ud800 surrogate", "x" * 100_000, RTL_MARKS]


def with_examples(name: str, **fixed):
    """Also run the test on each of EXAMPLES, given as its argument ``name``."""

    def decorate(test):
        for text in EXAMPLES:
            test = example(**{name: text}, **fixed)(test)
        return test

    return decorate


class Rollback(Exception):
    pass


@contextlib.contextmanager
def undone():
    """Run the block in a savepoint that is always rolled back: each surface starts from the same data."""
    with contextlib.suppress(Rollback), transaction.atomic():
        yield
        raise Rollback


def as_a_browser_sends(text: str) -> str:
    return SURROGATE.sub("\ufffd", text)


def ok(response) -> None:
    assert response.status_code < 500, response.content[:500]


def verdicts(text: str, surfaces: dict, setup=lambda: None) -> dict:
    """Return, per surface, whether the write happened.

    ``setup`` and every surface run in savepoints that are rolled back: each example, and each surface,
    starts from the same data.
    """
    results = {}
    with undone():
        setup()
        for name, attempt in surfaces.items():
            value = text if name == "api" else as_a_browser_sends(text)
            with undone():
                results[name] = attempt(value)
    return results


def assert_same_verdict(text: str, results: dict) -> None:
    if SURROGATE.search(text):
        assert results["api"] is False, "the API stored a lone surrogate"
        results = {name: verdict for name, verdict in results.items() if name != "api"}
    assert len(set(results.values())) == 1, results


@pytest.fixture
def cast(author, editor, neurology, board):
    admin = factories.UserFactory(username="root", is_superuser=True, is_staff=True)
    return {"author": author, "editor": editor, "admin": admin, "board": board}


def web(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


class JsonClient:
    """Posts JSON as a program would: escaped, so a lone surrogate travels as \\ud800 (valid JSON)."""

    def __init__(self, user):
        self.client = APIClient()
        self.client.force_authenticate(user)

    def post(self, path, payload, format=None):
        return self.client.post(path, data=json.dumps(payload), content_type="application/json")


def api(user):
    return JsonClient(user)


# The title and the address of a new article (web: the author's editor; API: POST /drafts/).


def _new_article_form(title: str) -> dict:
    specialty = factories.SpecialtyFactory(name="Neurology", slug="neurology")
    return {**_revision_form("title", title), "slug": "", "specialty": str(specialty.pk)}


@SETTINGS
@given(title=any_text)
@with_examples("title")
@example(title="?!?")
@example(title="Что такое миоклонус?")
def test_a_new_articles_title_gets_one_verdict_on_every_surface(cast, title):
    author = cast["author"]

    def through_web(value):
        before = Article.objects.count()
        response = web(author).post("/author/articles/new/", _new_article_form(value))
        ok(response)
        if Article.objects.count() == before:
            return False
        # Whatever the script or punctuation of the title, the address is valid and its pages open.
        slug = Article.objects.latest("pk").slug
        assert re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", slug), slug
        assert web(author).get(f"/author/articles/{slug}/").status_code == 200
        assert web(cast["editor"]).get("/editor/").status_code == 200
        return True

    def through_api(value):
        before = Article.objects.count()
        payload = {
            "specialty": "neurology",
            "title": value,
            "sections": [{"heading": "From the Guidelines", "body": "Text."}],
        }
        response = api(author).post("/api/v1/drafts/", payload, format="json")
        ok(response)
        assert response.status_code in (201, 400), response.content[:300]
        if response.status_code == 400:
            assert response.json()["field_errors"], response.json()
        return Article.objects.count() > before

    assert_same_verdict(title, verdicts(title, {"web": through_web, "api": through_api}))


# Every text field of a revision (web: the editor; API: POST /drafts/<slug>/revisions/).

REVISION_FIELDS = ["title", "summary_patient", "summary_professional", "heading", "body", "reference_title"]


def _revision_form(field: str, value: str) -> dict:
    data = {
        "title": "What causes myoclonus?",
        "summary_patient": "Plain.",
        "summary_professional": "Clinical.",
        "change_note": "",
        "sections-TOTAL_FORMS": "1",
        "sections-INITIAL_FORMS": "0",
        "sections-0-heading": "From the Guidelines",
        "sections-0-body": "It is known [1].",
        "sections-0-ORDER": "1",
        "references-TOTAL_FORMS": "1",
        "references-INITIAL_FORMS": "0",
        "references-0-kind": "guideline",
        "references-0-title": "A guideline",
        "references-0-ORDER": "1",
    }
    key = {"heading": "sections-0-heading", "body": "sections-0-body", "reference_title": "references-0-title"}
    data[key.get(field, field)] = value
    return data


def _revision_payload(field: str, value: str) -> dict:
    payload = {
        "title": "What causes myoclonus?",
        "summary_patient": "Plain.",
        "summary_professional": "Clinical.",
        "sections": [{"heading": "From the Guidelines", "body": "It is known [1]."}],
        "references": [{"kind": "guideline", "title": "A guideline"}],
    }
    if field in ("heading", "body"):
        payload["sections"][0][field] = value
    elif field == "reference_title":
        payload["references"][0]["title"] = value
    else:
        payload[field] = value
    return payload


@SETTINGS
@given(field=st.sampled_from(REVISION_FIELDS), value=any_text)
@with_examples("value", field="body")
@with_examples("value", field="title")
@example(field="body", value="saved\r\nunchanged")
def test_every_revision_field_gets_one_verdict_on_every_surface(cast, article, field, value):
    author = cast["author"]

    def made_a_revision(post):
        before = article.revisions.count()
        post()
        return article.revisions.count() > before

    def through_web(text):
        return made_a_revision(
            lambda: ok(web(author).post(f"/author/articles/{article.slug}/edit/", _revision_form(field, text)))
        )

    def through_api(text):
        def post():
            response = api(author).post(
                f"/api/v1/drafts/{article.slug}/revisions/", _revision_payload(field, text), format="json"
            )
            ok(response)
            assert response.status_code in (201, 400), response.content[:300]

        return made_a_revision(post)

    assert_same_verdict(value, verdicts(value, {"web": through_web, "api": through_api}))


# A reason: the web's action button, the API's decision endpoint and the admin's action page.


@SETTINGS
@given(reason=any_text)
@with_examples("reason")
def test_a_reason_gets_one_verdict_on_every_surface(cast, article, reason):
    author, editor, admin = cast["author"], cast["editor"], cast["admin"]

    def setup():
        services.article_submit(article=article, actor=author)

    def rejected():
        return Article.objects.get(pk=article.pk).state == ArticleState.REJECTED

    def through_web(text):
        ok(web(editor).post(f"/workspace/articles/{article.slug}/reject/", {"reason": text}))
        return rejected()

    def through_api(text):
        response = api(editor).post(
            f"/api/v1/editorial/articles/{article.slug}/reject/", {"reason": text}, format="json"
        )
        ok(response)
        return rejected()

    def through_admin(text):
        ok(web(admin).post(f"/admin/articles/article/{article.pk}/action/reject/", {"reason": text}))
        return rejected()

    results = verdicts(reason, {"web": through_web, "api": through_api, "admin": through_admin}, setup)
    assert_same_verdict(reason, results)


# A review's comments (web: the review page; API: POST /assignments/<id>/review/).


@SETTINGS
@given(comments=any_text)
@with_examples("comments")
def test_review_comments_get_one_verdict_on_every_surface(cast, article, comments):
    author, editor, member = cast["author"], cast["editor"], cast["board"][0]
    form = {"decision": "request_changes", "confidential_comments": ""}
    made = {}

    def setup():
        services.article_submit(article=article, actor=author)
        made["assignment"] = services.assignment_create(article=article, board_member=member, actor=editor)
        services.assignment_accept(assignment=made["assignment"], actor=member.user)

    def reviewed():
        return Review.objects.filter(assignment=made["assignment"]).exists()

    def through_web(text):
        address = f"/review/assignments/{made['assignment'].pk}/decide/"
        ok(web(member.user).post(address, {**form, "comments_to_author": text}))
        return reviewed()

    def through_api(text):
        address = f"/api/v1/assignments/{made['assignment'].pk}/review/"
        ok(api(member.user).post(address, {**form, "comments_to_author": text}, format="json"))
        return reviewed()

    assert_same_verdict(comments, verdicts(comments, {"web": through_web, "api": through_api}, setup))


# The reason for declining with a conflict of interest (web: the confirmation page; API: decline).


@SETTINGS
@given(reason=any_text)
@with_examples("reason")
def test_a_declines_reason_gets_one_verdict_on_every_surface(cast, article, reason):
    author, editor, member = cast["author"], cast["editor"], cast["board"][0]
    made = {}

    def setup():
        services.article_submit(article=article, actor=author)
        made["assignment"] = services.assignment_create(article=article, board_member=member, actor=editor)

    def declined():
        return ReviewAssignment.objects.get(pk=made["assignment"].pk).status == AssignmentStatus.DECLINED

    def through_web(text):
        data = {"conflict_of_interest": "on", "reason": text}
        ok(web(member.user).post(f"/review/assignments/{made['assignment'].pk}/decline/", data))
        return declined()

    def through_api(text):
        data = {"conflict_of_interest": True, "reason": text}
        ok(api(member.user).post(f"/api/v1/assignments/{made['assignment'].pk}/decline/", data, format="json"))
        return declined()

    assert_same_verdict(reason, verdicts(reason, {"web": through_web, "api": through_api}, setup))


# A reader's follow-up question (the web form; the service is the only other door).


@SETTINGS
@given(question=any_text)
@with_examples("question")
def test_a_follow_up_question_gets_the_services_verdict(cast, article, settings, question):
    from articles.exceptions import ValidationFailed
    from articles.followup_models import FollowUpQuestion
    from articles.followups import followup_create

    settings.FOLLOWUP_RATE_LIMIT = 10_000  # every example comes from the same address
    published = Article.objects.filter(pk=article.pk, state=ArticleState.APPROVED).first() or factories.publish(article)

    def through_web(text):
        before = FollowUpQuestion.objects.count()
        ok(web(cast["admin"]).post(f"/articles/{published.slug}/follow-up/", {"question": text}))
        return FollowUpQuestion.objects.count() > before

    def through_service(text):
        try:
            followup_create(article=published, question=text)
        except ValidationFailed:
            return False
        return True

    assert_same_verdict(question, verdicts(question, {"web": through_web, "api": through_service}))


# A comment on the text (web: a paragraph's form on the review page; API: POST /review/articles/<slug>/threads/).


@SETTINGS
@given(body=any_text, quote=st.one_of(st.just(""), any_text))
@with_examples("body", quote="")
def test_a_thread_comment_gets_one_verdict_on_every_surface(cast, article, body, quote):
    from reviewboard.review_models import CommentThread

    author, editor, member = cast["author"], cast["editor"], cast["board"][0]
    form = {"field": "section", "index": 0, "paragraph": 0, "confidential": False}

    def setup():
        services.article_submit(article=article, actor=author)
        assignment = services.assignment_create(article=article, board_member=member, actor=editor)
        services.assignment_accept(assignment=assignment, actor=member.user)

    def opened():
        return CommentThread.objects.filter(article=article).exists()

    def through_web(text):
        ok(
            web(member.user).post(
                f"/workspace/articles/{article.slug}/threads/", {**form, "body": text, "quote": quote}
            )
        )
        return opened()

    def through_api(text):
        path = f"/api/v1/review/articles/{article.slug}/threads/"
        ok(api(member.user).post(path, {**form, "body": text, "quote": as_a_browser_sends(quote)}, format="json"))
        return opened()

    assert_same_verdict(body, verdicts(body, {"web": through_web, "api": through_api}, setup))


# A reply that goes with the response letter (web: the resubmit form's field per open thread; API: resubmit's
# thread_replies).


@SETTINGS
@given(body=any_text)
@with_examples("body")
def test_a_letters_reply_gets_one_verdict_on_every_surface(cast, article, body):
    from reviewboard.models import Decision
    from reviewboard.review_models import ThreadComment
    from reviewboard.services_threads import thread_open

    author, editor, member = cast["author"], cast["editor"], cast["board"][0]
    made = {}

    def setup():
        services.article_submit(article=article, actor=author)
        assignment = services.assignment_create(article=article, board_member=member, actor=editor)
        services.assignment_accept(assignment=assignment, actor=member.user)
        made["thread"] = thread_open(
            article=article, actor=member.user, field="summary_patient", index=0, paragraph=0, body="Why?"
        )
        services.review_submit(
            assignment=assignment, actor=member.user, decision=Decision.REQUEST_CHANGES, comments_to_author="See."
        )
        factories.RevisionFactory(article=article, created_by=author)

    def replied():
        return ThreadComment.objects.filter(thread=made["thread"], review_round__isnull=False).exists()

    def through_web(text):
        thread_id = made["thread"].pk
        ok(web(author).post(f"/workspace/articles/{article.slug}/resubmit/", {f"reply_{thread_id}": text}))
        return replied()

    def through_api(text):
        payload = {"thread_replies": [{"thread": made["thread"].pk, "body": text}]}
        ok(api(author).post(f"/api/v1/drafts/{article.slug}/resubmit/", payload, format="json"))
        return replied()

    assert_same_verdict(body, verdicts(body, {"web": through_web, "api": through_api}, setup))


# What readers are shown: the note for readers of a new revision, and a board member's public profile (the web
# forms; the services are the only other doors).


@SETTINGS
@given(note=any_text)
@with_examples("note")
def test_a_note_for_readers_gets_the_services_verdict(cast, article, note):
    from articles import services as content
    from articles.exceptions import ValidationFailed
    from articles.models import ChangeNote

    published = Article.objects.filter(pk=article.pk).first()
    if published.approved_revision_id is None:
        published = factories.publish(article)
        services.article_revise(article=published, actor=cast["author"])
        draft = content.revision_content(published.current_revision)
        draft.title += " (updated)"
        content.revision_create(article=published, actor=cast["author"], content=draft)
        published.refresh_from_db()

    def through_web(text):
        ok(web(cast["author"]).post(f"/author/articles/{published.slug}/reader-note/", {"text": text}))
        # The service writes the note's row only once the text is accepted.
        return ChangeNote.objects.filter(revision=published.current_revision).exists()

    def through_service(text):
        try:
            content.change_note_write(article=published, actor=cast["author"], text_for_readers=text)
        except ValidationFailed:
            return False
        return True

    assert_same_verdict(note, verdicts(note, {"web": through_web, "api": through_service}))


@SETTINGS
@given(field=st.sampled_from(["affiliation", "biography", "disclosure"]), value=any_text)
@with_examples("value", field="disclosure")
def test_a_public_profile_field_gets_the_services_verdict(cast, field, value):
    from articles.exceptions import ValidationFailed
    from reviewboard.services_profiles import board_profile_update

    member = cast["board"][0]

    def through_web(text):
        response = web(member.user).post("/review/profile/", {field: text})
        ok(response)
        return response.status_code == 302  # saved; 400 shows the errors beside the fields

    def through_service(text):
        try:
            board_profile_update(member=member, actor=member.user, **{field: text})
        except ValidationFailed:
            return False
        return True

    assert_same_verdict(value, verdicts(value, {"web": through_web, "api": through_service}))
