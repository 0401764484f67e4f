import pytest

from reviewboard.workspaces.diff import revision_diff, word_diff
from tests import factories


def test_unchanged_text_has_no_marks():
    assert word_diff("Jerks are common.", "Jerks are common.") == "Jerks are common."


def test_added_and_removed_words_are_marked():
    html = word_diff("Jerks are rare.", "Jerks are common.")
    assert html == "Jerks are <del>rare.</del><ins>common.</ins>"


def test_text_is_html_escaped_in_every_part():
    html = word_diff("<b>old</b> same", "<script>alert(1)</script> same")
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert "&lt;b&gt;old&lt;/b&gt;" in html


def test_everything_is_added_against_nothing():
    assert word_diff("", "New words") == "<ins>New words</ins>"


@pytest.mark.django_db
def test_revision_diff_compares_sections_and_references():
    article = factories.ArticleFactory()
    first = article.current_revision
    second = factories.RevisionFactory(
        article=article,
        sections=[{"heading": "From the Guidelines", "body": "It is now well established [1]."}],
    )
    changes = {change.label: change for change in revision_diff(first, second)}
    assert "<ins>" in changes["Section 1"].html
    assert changes["Section 1"].changed
    assert not changes["Summary for patients and caregivers"].changed
    assert "References" in changes


@pytest.mark.django_db
def test_revision_diff_against_no_revision_marks_all_as_added():
    article = factories.ArticleFactory()
    changes = revision_diff(None, article.current_revision)
    assert all(change.changed for change in changes)
    assert all(change.html.startswith("<ins>") for change in changes)
