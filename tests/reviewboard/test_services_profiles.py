import pytest

from articles.exceptions import ActionForbidden, ValidationFailed
from reviewboard.services_profiles import board_member_verify, board_profile_update, byline_update, orcid_checksum_ok
from tests import factories

pytestmark = pytest.mark.django_db


def test_member_edits_own_profile_and_orcid_is_checked(board):
    member = board[0]

    board_profile_update(member=member, actor=member.user, affiliation="Mercy Hospital", orcid="0000-0002-1825-0097")
    member.refresh_from_db()

    assert (member.affiliation, member.orcid) == ("Mercy Hospital", "0000-0002-1825-0097")
    with pytest.raises(ValidationFailed) as error:
        board_profile_update(member=member, actor=member.user, orcid="0000-0002-1825-0098")
    assert error.value.errors[0].field == "orcid"
    member.refresh_from_db()
    assert member.orcid == "0000-0002-1825-0097"  # nothing wrong saved


def test_nobody_edits_another_members_profile(board, editor):
    for actor in (board[1].user, editor):
        with pytest.raises(ActionForbidden):
            board_profile_update(member=board[0], actor=actor, affiliation="Elsewhere")


def test_only_editors_record_verification_and_never_their_own(board, editor):
    with pytest.raises(ActionForbidden):
        board_member_verify(member=board[0], actor=board[1].user)
    own = factories.BoardMemberFactory(user=editor)
    with pytest.raises(ActionForbidden):
        board_member_verify(member=own, actor=editor)

    verified = board_member_verify(member=board[0], actor=editor)

    assert verified.verified_by == editor and verified.verified_at is not None


def test_byline_is_the_authors_own_or_an_editors(author, editor):
    other = factories.AuthorFactory()
    with pytest.raises(ActionForbidden):
        byline_update(user=author, actor=other, credentials="MD")

    assert byline_update(user=author, actor=editor, credentials="MD, MPH").credentials == "MD, MPH"


@pytest.mark.parametrize(
    ("orcid", "valid"), [("0000-0002-1825-0097", True), ("0000-0002-1694-233X", True), ("0000-0002-1694-2339", False)]
)
def test_orcid_check_digit(orcid, valid):
    assert orcid_checksum_ok(orcid) is valid
