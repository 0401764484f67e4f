"""Review checklists: per specialty, required items gate the review, a "no" to a required item needs a note to
approve, the answers are stored with the review for good, and editors see every reviewer's side by side."""

import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse

from articles.exceptions import ValidationFailed
from articles.models import ImmutableRowError
from reviewboard import services
from reviewboard.models import Decision, Review
from reviewboard.review_models import ChecklistAnswer
from tests import factories
from tests.reviewboard.test_api_workflow import client_for


@pytest.fixture
def items(neurology):
    cardiology = factories.SpecialtyFactory(name="Cardiology", slug="cardiology")
    factories.ChecklistItemFactory(specialty=cardiology, text="Not ours")
    factories.ChecklistItemFactory(specialty=neurology, text="Retired", active=False)
    return [
        factories.ChecklistItemFactory(specialty=neurology, text="Doses, routes and frequencies correct"),
        factories.ChecklistItemFactory(specialty=neurology, text="Consistent with current guidelines"),
        factories.ChecklistItemFactory(specialty=neurology, text="Evidence current", required=False),
    ]


@pytest.fixture
def assignments(article, author, editor, board, items):
    services.article_submit(article=article, actor=author)
    result = []
    for member in board[:2]:
        assignment = services.assignment_create(article=article, board_member=member, actor=editor)
        result.append(services.assignment_accept(assignment=assignment, actor=member.user))
    return result


def _submit(assignment, decision=Decision.APPROVE, checklist=None, **extra):
    return services.review_submit(
        assignment=assignment,
        actor=assignment.board_member.user,
        decision=decision,
        checklist=checklist or {},
        **extra,
    )


def _answers(items, *answers):
    return {item.pk: {"answer": answer, "note": note} for item, (answer, note) in zip(items, answers, strict=False)}


def test_a_review_is_not_recorded_until_the_required_items_are_answered(assignments, items):
    with pytest.raises(ValidationFailed) as caught:
        _submit(assignments[0], checklist=_answers(items, ("yes", "")))
    assert [(e.field, e.index, e.code) for e in caught.value.errors] == [("checklist.answer", 1, "required")]
    assert "Consistent with current guidelines" in caught.value.errors[0].message
    assert not Review.objects.exists()


def test_optional_items_may_stay_unanswered_and_inactive_or_other_items_are_not_asked(assignments, items):
    review = _submit(assignments[0], checklist=_answers(items, ("yes", ""), ("na", "")))
    assert [(a.item_text, a.answer, a.required) for a in review.checklist_answers.all()] == [
        ("Doses, routes and frequencies correct", "yes", True),
        ("Consistent with current guidelines", "na", True),
    ]


@pytest.mark.parametrize(
    ("decision", "note", "refused"),
    [
        (Decision.APPROVE, "", True),
        (Decision.APPROVE, "The dose is right for adults; children differ, as stated.", False),
        (Decision.REQUEST_CHANGES, "", False),
    ],
)
def test_approving_with_no_to_a_required_item_needs_a_note(assignments, items, decision, note, refused):
    checklist = _answers(items, ("no", note), ("yes", ""))
    extra = {"comments_to_author": "Fix the dose."} if decision == Decision.REQUEST_CHANGES else {}
    if refused:
        with pytest.raises(ValidationFailed) as caught:
            _submit(assignments[0], decision, checklist, **extra)
        assert [(e.field, e.index, e.code) for e in caught.value.errors] == [("checklist.note", 0, "note_required")]
    else:
        assert _submit(assignments[0], decision, checklist, **extra).checklist_answers.count() == 2


def test_bad_answers_and_unknown_items_are_refused(assignments, items):
    with pytest.raises(ValidationFailed) as caught:
        _submit(assignments[0], checklist={**_answers(items, ("maybe", ""), ("yes", "")), 99999: {"answer": "yes"}})
    assert {(e.field, e.code) for e in caught.value.errors} == {
        ("checklist", "unknown_item"),
        ("checklist.answer", "required"),
    }


def test_answers_are_immutable(assignments, items):
    review = _submit(assignments[0], checklist=_answers(items, ("yes", ""), ("yes", "")))
    answer = review.checklist_answers.first()
    answer.answer = "no"
    with pytest.raises(ImmutableRowError):
        answer.save()
    with pytest.raises(ImmutableRowError):
        answer.delete()


def test_the_review_page_asks_the_checklist_and_places_errors_beside_items(client, assignments, items):
    assignment = assignments[0]
    client.force_login(assignment.board_member.user)
    page = client.get(reverse("workspaces:board_assignment", args=[assignment.pk])).content.decode()
    assert "Doses, routes and frequencies correct" in page and "Retired" not in page and "Not ours" not in page
    url = reverse("workspaces:board_decide", args=[assignment.pk])
    response = client.post(url, {"decision": "approve", f"check_{items[0].pk}": "no", f"check_{items[1].pk}": "yes"})
    assert response.status_code == 400
    assert f'id="id_note_{items[0].pk}_error"' in response.content.decode()
    response = client.post(
        url,
        {
            "decision": "approve",
            f"check_{items[0].pk}": "no",
            f"note_{items[0].pk}": "Adult doses only; stated.",
            f"check_{items[1].pk}": "yes",
        },
    )
    assert response.status_code == 302
    assert ChecklistAnswer.objects.filter(review__assignment=assignment).count() == 2


def test_editor_sees_the_reviewers_answers_side_by_side(client, editor, assignments, items):
    _submit(assignments[0], checklist=_answers(items, ("yes", ""), ("yes", "")))
    _submit(assignments[1], checklist=_answers(items, ("no", "Max dose too high."), ("yes", ""), ("na", "")))
    client.force_login(editor)
    html = client.get(
        reverse("workspaces:editor_article", args=[assignments[0].revision.article.slug])
    ).content.decode()
    table = html[html.index("Checklist answers, round 1") :]
    for member in (assignments[0].board_member, assignments[1].board_member):
        assert member.display_name in table
    assert "Max dose too high." in table
    row = table[table.index("Doses, routes") : table.index("</tr>", table.index("Doses, routes"))]
    assert row.count("answer--yes") == 1 and row.count("answer--no") == 1


def test_the_api_lists_the_checklist_and_takes_the_answers(assignments, items):
    assignment = assignments[0]
    client = client_for(assignment.board_member.user)
    detail = client.get(f"/api/v1/assignments/{assignment.pk}/").json()
    assert [item["text"] for item in detail["checklist"]] == [item.text for item in items]
    refused = client.post(f"/api/v1/assignments/{assignment.pk}/review/", {"decision": "approve"}, format="json")
    assert refused.status_code == 400
    answers = [{"item": items[0].pk, "answer": "yes"}, {"item": items[1].pk, "answer": "yes", "note": "Fine."}]
    done = client.post(
        f"/api/v1/assignments/{assignment.pk}/review/", {"decision": "approve", "checklist": answers}, format="json"
    )
    assert done.status_code == 201, done.json()
    assert [(a["text"], a["answer"]) for a in done.json()["checklist"]] == [
        ("Doses, routes and frequencies correct", "yes"),
        ("Consistent with current guidelines", "yes"),
    ]


def test_editors_define_checklists_in_the_admin(client, neurology):
    staff = factories.EditorFactory(username="chair", is_staff=True)
    client.force_login(staff)
    response = client.post(
        reverse("admin:reviewboard_checklistitem_add"),
        {
            "specialty": neurology.pk,
            "text": "Contraindications and interactions stated",
            "required": "on",
            "position": 1,
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert neurology.checklist_items.get().text == "Contraindications and interactions stated"


@pytest.mark.postgres
def test_the_database_refuses_to_change_or_delete_an_answer(assignments, items):
    review = _submit(assignments[0], checklist=_answers(items, ("yes", ""), ("yes", "")))
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        ChecklistAnswer.objects.filter(review=review).update(answer="no")
    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        ChecklistAnswer.objects.filter(review=review).delete()
    assert list(ChecklistAnswer.objects.filter(review=review).values_list("answer", flat=True)) == ["yes", "yes"]
