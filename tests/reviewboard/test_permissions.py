"""The permission matrix: role x action x state, enforced by the services; and the predicates."""

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import AnonymousUser

from articles.exceptions import ActionForbidden, InvalidTransition, NotFound, ValidationFailed
from articles.models import ArticleState
from articles.services import RevisionContent, revision_create
from reviewboard import permissions, services
from reviewboard.models import AssignmentStatus, TransitionLogEntry
from tests import factories

pytestmark = pytest.mark.django_db

S = ArticleState
ALLOWED = "allowed"
FORBIDDEN = ActionForbidden
NOT_FOUND = NotFound
INVALID = InvalidTransition

ROLES = [
    "anonymous",
    "author",
    "other_author",
    "member_assigned",
    "member_unassigned",
    "editor",
    "superuser",
]


@dataclass
class World:
    article: object
    users: dict
    assigned: object  # the assigned member's BoardMember
    spare: list  # other eligible board members (neurology)

    def assignment(self):
        return self.article.current_revision.assignments.filter(board_member=self.assigned).latest("pk")


@pytest.fixture
def world(article, author, editor, neurology):
    assigned = factories.BoardMemberFactory(user__username="member_assigned", specialties=[neurology])
    unassigned = factories.BoardMemberFactory(user__username="member_unassigned", specialties=[neurology])
    spare = [factories.BoardMemberFactory(user__username=f"spare{n}", specialties=[neurology]) for n in range(2)]
    users = {
        "anonymous": AnonymousUser(),
        "author": author,
        "other_author": factories.AuthorFactory(username="other_author"),
        "member_assigned": assigned.user,
        "member_unassigned": unassigned.user,
        "editor": editor,
        "superuser": factories.UserFactory(username="root", is_superuser=True, is_staff=True),
    }
    return World(article=article, users=users, assigned=assigned, spare=spare)


def _reach(world, state):
    """Bring the article to ``state``; in review states the assigned member holds an assignment."""
    article, author, editor = world.article, world.users["author"], world.users["editor"]
    if state == "draft":
        return
    services.article_submit(article=article, actor=author)
    if state == "submitted":
        return
    assignment = services.assignment_create(article=article, board_member=world.assigned, actor=editor)
    if state == "under_review:invited":
        return
    services.assignment_accept(assignment=assignment, actor=world.assigned.user)
    if state == "under_review:accepted":
        return
    if state == "rejected":
        services.article_reject(article=article, actor=editor, reason="Out of scope.")
        return
    other = services.assignment_create(article=article, board_member=world.spare[0], actor=editor)
    services.assignment_accept(assignment=other, actor=world.spare[0].user)
    for each in (assignment, other):
        services.review_submit(assignment=each, actor=each.board_member.user, decision="approve")
    assert state == "approved:completed"
    article.refresh_from_db()
    assert article.state == S.APPROVED


def _content():
    return RevisionContent(
        title="An edited title?",
        summary_patient="Plain.",
        summary_professional="Clinical.",
        sections=[{"heading": "H", "body": "Text [1]."}],
        references=[{"kind": "guideline", "title": "A guideline"}],
    )


ACTIONS = {
    "submit": lambda w, u: services.article_submit(article=w.article, actor=u),
    "withdraw": lambda w, u: services.article_withdraw(article=w.article, actor=u, reason="Not ready."),
    "revise": lambda w, u: services.article_revise(article=w.article, actor=u, reason="Update."),
    "assign": lambda w, u: services.assignment_create(article=w.article, board_member=w.spare[1], actor=u),
    "auto_assign": lambda w, u: services.assignments_auto(article=w.article, actor=u),
    "reject": lambda w, u: services.article_reject(article=w.article, actor=u, reason="Unsound."),
    "retract": lambda w, u: services.article_retract(article=w.article, actor=u, reason="Outdated."),
    "reopen": lambda w, u: services.article_reopen(article=w.article, actor=u, reason="Second chance."),
    "accept": lambda w, u: services.assignment_accept(assignment=w.assignment(), actor=u),
    "decline": lambda w, u: services.assignment_decline(assignment=w.assignment(), actor=u, reason="Busy."),
    "review_submit": lambda w, u: services.review_submit(
        assignment=w.assignment(), actor=u, decision="request_changes", comments_to_author="Cite the guideline."
    ),
    "edit_draft": lambda w, u: revision_create(article=w.article, actor=u, content=_content()),
}

# Who may know the object exists: an article's authors and editors see it on the author's side, the invited
# member and editors see an assignment; anyone else is told there is no such thing (404). The editors' side
# is refused to everyone else before any lookup (403), so it tells nobody which addresses exist.
AUTHOR_SIDE = {"author", "editor", "superuser"}
ASSIGNMENT_SIDE = {"member_assigned", "editor", "superuser"}
EDITORS_SIDE = None  # every role sees the refusal, not the article

# action: (roles allowed, roles that may know it exists, a state where it is valid, a state where it is not)
RULES = {
    "submit": ({"author"}, AUTHOR_SIDE, "draft", "approved:completed"),
    "withdraw": ({"author"}, AUTHOR_SIDE, "submitted", "draft"),
    "revise": ({"author", "editor", "superuser"}, AUTHOR_SIDE, "approved:completed", "draft"),
    "assign": ({"editor", "superuser"}, EDITORS_SIDE, "submitted", "draft"),
    "auto_assign": ({"editor", "superuser"}, EDITORS_SIDE, "submitted", "draft"),
    "reject": ({"editor", "superuser"}, EDITORS_SIDE, "under_review:accepted", "approved:completed"),
    "retract": ({"editor", "superuser"}, EDITORS_SIDE, "approved:completed", "draft"),
    "reopen": ({"editor", "superuser"}, EDITORS_SIDE, "rejected", "approved:completed"),
    "accept": ({"member_assigned"}, ASSIGNMENT_SIDE, "under_review:invited", "under_review:accepted"),
    "decline": ({"member_assigned"}, ASSIGNMENT_SIDE, "under_review:invited", "approved:completed"),
    "review_submit": ({"member_assigned"}, ASSIGNMENT_SIDE, "under_review:accepted", "under_review:invited"),
    "edit_draft": ({"author", "editor", "superuser"}, AUTHOR_SIDE, "draft", "submitted"),
}


def _expected(role, allowed_roles, seen_by, state_ok):
    # Who may see it comes first, then who may do it, then the state.
    if role not in allowed_roles:
        return NOT_FOUND if seen_by is not None and role not in seen_by else FORBIDDEN
    return ALLOWED if state_ok else INVALID


def _matrix():
    for action, (allowed_roles, seen_by, valid_state, invalid_state) in RULES.items():
        for state, state_ok in ((valid_state, True), (invalid_state, False)):
            for role in ROLES:
                expected = _expected(role, allowed_roles, seen_by, state_ok)
                label = expected if expected == ALLOWED else expected.__name__
                yield pytest.param(action, state, role, expected, id=f"{role}-{action}-in-{state}-{label}")


@pytest.mark.parametrize(("action", "state", "role", "expected"), list(_matrix()))
def test_permission_matrix(world, action, state, role, expected):
    _reach(world, state)
    world.article.refresh_from_db()
    before_state = world.article.state
    before_log = list(TransitionLogEntry.objects.filter(article=world.article).values_list("pk", flat=True))
    call = ACTIONS[action]
    if expected == ALLOWED:
        call(world, world.users[role])
        return
    with pytest.raises(expected) as error:
        call(world, world.users[role])
    assert type(error.value) is expected
    assert error.value.message
    world.article.refresh_from_db()
    assert world.article.state == before_state
    assert list(TransitionLogEntry.objects.filter(article=world.article).values_list("pk", flat=True)) == before_log


def test_board_member_cannot_be_assigned_to_review_own_article(world, neurology):
    author = world.users["author"]
    member = factories.BoardMemberFactory(user=author, specialties=[neurology])
    _reach(world, "submitted")
    with pytest.raises(ValidationFailed, match="is an author of this article"):
        services.assignment_create(article=world.article, board_member=member, actor=world.users["editor"])


def test_deactivated_author_cannot_submit(world):
    author = world.users["author"]
    author.is_active = False
    author.save()
    with pytest.raises(NotFound):
        services.article_submit(article=world.article, actor=author)


def test_deactivated_board_member_cannot_review(world):
    _reach(world, "under_review:accepted")
    world.assigned.active = False
    world.assigned.save()
    with pytest.raises(NotFound):
        services.review_submit(assignment=world.assignment(), actor=world.assigned.user, decision="approve")
    assert world.assignment().status == AssignmentStatus.ACCEPTED


# The predicates, directly.

PREDICATE_CASES = {
    # predicate: roles for which it is true (on the article, or on the assigned member's assignment)
    "user_can_submit": {"author"},
    "user_can_withdraw": {"author"},
    "user_can_revise": {"author", "editor", "superuser"},
    "user_can_edit_article": {"author", "editor", "superuser"},
    "user_can_assign": {"editor", "superuser"},
    "user_can_decide": {"editor", "superuser"},
    "user_is_editor": {"editor", "superuser"},
    "user_is_article_author": {"author"},
    "user_can_respond": {"member_assigned"},
    "user_can_view_assignment": {"member_assigned", "editor", "superuser"},
    "user_can_see_confidential_comments": {"editor", "superuser"},
}
ON_ASSIGNMENT = {"user_can_respond", "user_can_view_assignment"}
NO_OBJECT = {"user_is_editor", "user_can_see_confidential_comments"}


@pytest.mark.parametrize(
    ("predicate", "role", "expected"),
    [
        pytest.param(name, role, role in roles, id=f"{name}-{role}-{'yes' if role in roles else 'no'}")
        for name, roles in PREDICATE_CASES.items()
        for role in ROLES
    ],
)
def test_predicates(world, predicate, role, expected):
    _reach(world, "under_review:invited")
    function = getattr(permissions, predicate)
    user = world.users[role]
    if predicate in NO_OBJECT:
        assert function(user) is expected
    elif predicate in ON_ASSIGNMENT:
        assert function(user, world.assignment()) is expected
    else:
        assert function(user, world.article) is expected


@pytest.mark.parametrize("role", ROLES)
def test_board_member_of_only_for_active_members(world, role):
    member = permissions.board_member_of(world.users[role])
    assert (member is not None) is (role in {"member_assigned", "member_unassigned"})


def test_board_member_of_is_none_for_inactive_member_or_user(world):
    world.assigned.active = False
    world.assigned.save()
    assert permissions.board_member_of(world.assigned.user) is None
    other = factories.BoardMemberFactory(user__is_active=False)
    assert permissions.board_member_of(other.user) is None


def test_inactive_editor_is_not_an_editor(db):
    editor = factories.EditorFactory(is_active=False)
    assert not permissions.user_is_editor(editor)
    assert not permissions.user_can_assign(editor, None)


def test_access_assignment_hides_other_members_assignments(world):
    _reach(world, "under_review:invited")
    assignment = world.assignment()
    assert permissions.access_assignment(world.users["member_assigned"], assignment.pk) == assignment
    assert permissions.access_assignment(world.users["editor"], assignment.pk) == assignment
    for role in ("anonymous", "author", "member_unassigned", "other_author"):
        with pytest.raises(NotFound, match="no such review assignment"):
            permissions.access_assignment(world.users[role], assignment.pk)
    with pytest.raises(NotFound):
        permissions.access_assignment(world.users["editor"], 10**9)
    with pytest.raises(ActionForbidden, match="Only the invited board member"):
        permissions.access_assignment(world.users["editor"], assignment.pk, purpose=permissions.ASSIGNMENT_RESPOND)


# Without a second factor: every role that MFA_REQUIRED_ROLES names is stopped at each staff surface before
# any service is reached; with a factor (or a role that does not need one) the surface answers as usual.

FACTOR_ROLES = {
    # role: (make the person, their own workspace, needs a factor by default)
    "author": (lambda factor: factories.AuthorFactory(second_factor=factor), "/author/", False),
    "board_member": (lambda factor: factories.BoardMemberFactory(second_factor=factor).user, "/review/", True),
    "editor": (lambda factor: factories.EditorFactory(role__second_factor=factor), "/editor/", True),
    "superuser": (
        lambda factor: factories.UserFactory(is_superuser=True, is_staff=True, second_factor=factor),
        "/admin/",
        True,
    ),
}
SURFACES = ["workspace", "token page", "api by session", "api by token"]
SENT_TO_SET_UP, API_REFUSED = "sent to set up a factor", "refused by the API"


def _factor_matrix():
    for role, (_, _, required) in FACTOR_ROLES.items():
        for factor in (True, False):
            for surface in SURFACES:
                stopped = required and not factor
                expected = ALLOWED
                if stopped:
                    expected = API_REFUSED if surface.startswith("api") else SENT_TO_SET_UP
                label = "with" if factor else "without"
                yield pytest.param(role, factor, surface, expected, id=f"{role}-{label}-second-factor-{surface}")


@pytest.mark.parametrize(("role", "factor", "surface", "expected"), list(_factor_matrix()))
def test_permission_matrix_without_second_factor(client, role, factor, surface, expected):
    from knox.models import AuthToken
    from rest_framework.test import APIClient

    make, workspace, _ = FACTOR_ROLES[role]
    person = make(factor)
    api_address = "/api/v1/drafts/" if role == "author" else "/api/v1/editorial/articles/"
    if role == "board_member":
        api_address = "/api/v1/assignments/"
    if surface == "api by token":
        _, secret = AuthToken.objects.create(user=person)
        response = APIClient(headers={"Authorization": f"Token {secret}"}).get(api_address)
    else:
        client.force_login(person)
        address = {"workspace": workspace, "token page": "/accounts/tokens/", "api by session": api_address}[surface]
        response = client.get(address)
    if expected == ALLOWED:
        assert response.status_code == 200
    elif expected == SENT_TO_SET_UP:
        assert (response.status_code, response.url) == (302, "/accounts/security/")
    else:
        assert response.status_code in (401, 403)
        assert "second factor" in response.json()["detail"]
