"""Anonymity as a setting: authors see "Reviewer 1" instead of names in the threads, the API and the feedback,
unless the editors allow names; editors and the board always see names."""

import pytest
from django.urls import reverse

from reviewboard.review_models import EditorialSettings
from reviewboard.selectors import editorial_settings
from reviewboard.services_threads import thread_reply
from tests.reviewboard.test_api_workflow import client_for
from tests.reviewboard.test_threads import _open, review  # noqa: F401  (the fixture)


@pytest.fixture
def named(board):
    for n, member in enumerate(board):
        member.user.first_name, member.user.last_name = ("Ada", "Bea", "Cy")[n], "Neuron"
        member.user.save()
    return board


def test_authors_see_reviewers_as_numbers_by_default(client, review, author, editor, named):  # noqa: F811
    assert editorial_settings().authors_see_reviewer_names is False
    thread = _open(review, named[0].user, body="Check the dose.")
    thread_reply(thread=thread, actor=editor, body="Agreed.")
    client.force_login(author)
    html = client.get(reverse("workspaces:author_article", args=[review.slug])).content.decode()
    assert "Ada Neuron" not in html and "Reviewer 1" in html
    api = client_for(author).get(f"/api/v1/threads/{thread.pk}/").json()
    assert (api["opened_by"], api["comments"][0]["author"]) == ("Reviewer 1", "Reviewer 1")
    # The board and the editors see names.
    client.force_login(named[1].user)
    page = reverse("workspaces:board_assignment", args=[named[1].assignments.get().pk])
    assert "Ada Neuron" in client.get(page).content.decode()


def test_editors_can_let_authors_see_names(client, review, author, named):  # noqa: F811
    EditorialSettings.objects.update_or_create(pk=1, defaults={"authors_see_reviewer_names": True})
    thread = _open(review, named[0].user, body="Check the dose.")
    client.force_login(author)
    html = client.get(reverse("workspaces:author_article", args=[review.slug])).content.decode()
    assert "Ada Neuron" in html and "Reviewer 1" not in html
    assert client_for(author).get(f"/api/v1/threads/{thread.pk}/").json()["opened_by"] == "Ada Neuron"


def test_the_setting_is_in_the_admin_for_editors(client, db):
    from tests import factories

    staff = factories.EditorFactory(username="chair", is_staff=True)
    client.force_login(staff)
    settings_row = editorial_settings()
    url = reverse("admin:reviewboard_editorialsettings_change", args=[settings_row.pk])
    assert client.post(url, {"authors_see_reviewer_names": "on"}).status_code == 302
    settings_row.refresh_from_db()
    assert settings_row.authors_see_reviewer_names is True


def test_the_authors_timeline_names_no_reviewer(client, review, author, named):  # noqa: F811
    from reviewboard import services
    from reviewboard.models import Decision

    services.review_submit(
        assignment=named[0].assignments.get(),
        actor=named[0].user,
        decision=Decision.REQUEST_CHANGES,
        comments_to_author="Fix the dose.",
    )
    client.force_login(author)
    html = client.get(reverse("workspaces:author_article", args=[review.slug])).content.decode()
    assert "Ada Neuron" not in html
    assert "by Reviewer 1" in html


@pytest.mark.parametrize(("names_on", "shown"), [(False, "Reviewer 1"), (True, "Ada Neuron")])
def test_the_authors_feedback_names_reviewers_as_the_setting_says_on_the_web_and_in_the_api(
    client,
    review,  # noqa: F811
    author,
    editor,
    named,
    names_on,
    shown,
):
    from reviewboard import services
    from reviewboard.models import Decision

    EditorialSettings.objects.update_or_create(pk=1, defaults={"authors_see_reviewer_names": names_on})
    services.review_submit(
        assignment=named[0].assignments.get(),
        actor=named[0].user,
        decision=Decision.REQUEST_CHANGES,
        comments_to_author="Fix the dose.",
    )
    hidden = "Reviewer 1" if names_on else "Ada Neuron"
    feedback = client_for(author).get(f"/api/v1/drafts/{review.slug}/").json()["feedback"]
    assert [(row["reviewer"], row["comments_to_author"]) for row in feedback] == [(shown, "Fix the dose.")]
    client.force_login(author)
    html = client.get(reverse("workspaces:author_article", args=[review.slug])).content.decode()
    section = html[html.index('id="feedback-title"') : html.index('id="rounds-title"')]
    assert f"by {shown}" in section and hidden not in section
    # Editors always see the name, in the API too.
    assert client_for(editor).get(f"/api/v1/drafts/{review.slug}/").json()["feedback"][0]["reviewer"] == "Ada Neuron"
