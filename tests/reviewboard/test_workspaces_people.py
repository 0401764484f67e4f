import pytest

from articles import services as content
from articles.models import ChangeNote
from reviewboard import services
from tests.factories import publish

pytestmark = pytest.mark.django_db


def new_draft(article, author):
    """Write a new revision of a revised article (the note for readers belongs to it)."""
    article.refresh_from_db()
    draft = content.revision_content(article.current_revision)
    draft.title += " (updated)"
    content.revision_create(article=article, actor=author, content=draft)
    article.refresh_from_db()


def test_member_edits_public_profile_in_the_workspace(client, board):
    member = board[0]
    client.force_login(member.user)

    page = client.get("/review/profile/")
    saved = client.post(
        "/review/profile/",
        {"affiliation": "Mercy Hospital", "orcid": "", "biography": "", "disclosure": "Advisory board of Acme."},
    )
    bad = client.post("/review/profile/", {"orcid": "1234"})

    assert page.status_code == 200
    assert saved.status_code == 302
    member.refresh_from_db()
    assert member.disclosure == "Advisory board of Acme."
    assert bad.status_code == 400
    assert "ORCID iD looks like" in bad.content.decode()


def test_profile_page_is_for_board_members(client, author):
    client.force_login(author)

    assert client.get("/review/profile/").status_code == 403


def test_editor_records_verification(client, editor, board):
    client.force_login(editor)

    response = client.post("/editor/board/", {"member": board[0].pk})

    assert response.status_code == 302
    board[0].refresh_from_db()
    assert board[0].verified_by == editor
    assert "Record verification" in client.get("/editor/board/").content.decode()


def test_authors_cannot_record_verification(client, author, board):
    client.force_login(author)

    assert client.post("/editor/board/", {"member": board[0].pk}).status_code == 403
    board[0].refresh_from_db()
    assert board[0].verified_at is None


def test_author_writes_and_editor_edits_the_note_for_readers_before_approval(client, article, author, editor, board):
    published = publish(article, reviewers=board[:2])
    services.article_revise(article=published, actor=author)
    new_draft(published, author)
    client.force_login(author)

    page = client.get(f"/author/articles/{published.slug}/").content.decode()
    client.post(f"/author/articles/{published.slug}/reader-note/", {"text": "Doses updated.", "is_correction": "on"})
    client.force_login(editor)
    editor_page = client.get(f"/editor/articles/{published.slug}/").content.decode()
    client.post(f"/author/articles/{published.slug}/reader-note/", {"text": "Doses updated to the 2024 guideline."})

    assert "Note for readers" in page
    assert "Doses updated." in editor_page
    note = ChangeNote.objects.get(revision=published.current_revision)
    assert note.text == "Doses updated to the 2024 guideline."
    assert note.edited_by == editor
    assert note.approved_at is None


def test_another_author_cannot_write_the_note(client, article, board):
    from tests import factories

    published = publish(article, reviewers=board[:2])
    services.article_revise(article=published, actor=published.authors.get())
    new_draft(published, published.authors.get())
    client.force_login(factories.AuthorFactory())

    response = client.post(f"/author/articles/{published.slug}/reader-note/", {"text": "Mine now."})

    assert response.status_code == 404
    assert not ChangeNote.objects.filter(text="Mine now.").exists()


def test_author_sets_byline(client, author):
    client.force_login(author)

    client.post("/author/byline/", {"credentials": "MD, MPH"})

    assert author.byline.credentials == "MD, MPH"


def test_editor_sets_the_review_interval_and_readers_see_the_new_due_date(client, article, editor, author, board):
    import datetime

    from django.utils import timezone

    published = publish(article, reviewers=board[:2], when=timezone.now() - datetime.timedelta(days=100))
    client.force_login(author)
    refused = client.post(f"/editor/articles/{published.slug}/review-interval/", {"review_interval_days": "60"})
    client.force_login(editor)

    client.post(f"/editor/articles/{published.slug}/review-interval/", {"review_interval_days": "60"})
    page = client.get(f"/editor/articles/{published.slug}/").content.decode()
    client.logout()
    reader = client.get(published.get_absolute_url()).content.decode()

    assert refused.status_code == 403
    published.refresh_from_db()
    assert published.review_interval_days == 60
    assert "Overdue for review" in page
    assert "Overdue for review" in reader


def test_editor_fills_a_reference_from_pasted_bibtex_and_refuses_garbage(client, author):
    client.force_login(author)

    done = client.post(
        "/author/references/import/", {"pasted": "@article{x, title={Tremor}, journal={Neurology}, year={2021}}"}
    )
    bad = client.post("/author/references/import/", {"pasted": "not a reference"})

    assert done.json() == {
        "status": "done",
        "reference": {"kind": "research", "title": "Tremor", "source": "Neurology", "year": 2021},
    }
    assert bad.status_code == 400 and "not a DOI" in bad.json()["message"]


def test_a_lookup_is_answered_only_to_who_asked(client, author):
    from articles.models import ReferenceLookup
    from tests import factories

    lookup = ReferenceLookup.objects.create(
        requested_by=author, kind="doi", value="10.1/x", status="done", reference={"title": "T"}
    )
    client.force_login(factories.AuthorFactory())
    assert client.get(f"/author/references/import/{lookup.pk}/").status_code == 404
    client.force_login(author)
    assert client.get(f"/author/references/import/{lookup.pk}/").json()["reference"] == {"title": "T"}
