import pytest

from articles.rendering import render_markdown
from reviewboard.workspaces.diff import html_diff, revision_diff, word_diff
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
    section = changes["Section 1: From the Guidelines"]
    assert section.changed and section.status == "changed"
    assert "<ins>now</ins>" in section.html
    assert not changes["Summary for patients and caregivers"].changed
    assert "Reference 1" in changes


@pytest.mark.django_db
def test_revision_diff_against_no_revision_marks_all_as_added():
    article = factories.ArticleFactory()
    changes = revision_diff(None, article.current_revision)
    assert all(change.status == "added" for change in changes)
    assert all("<ins>" in change.html and "<del>" not in change.html for change in changes)


@pytest.mark.django_db
def test_only_the_changed_section_is_changed_and_sections_align_by_heading():
    article = factories.ArticleFactory(revision=False)
    sections = [{"heading": h, "body": f"{h} body [1]."} for h in ("Alpha", "Beta", "Gamma")]
    first = factories.RevisionFactory(article=article, sections=sections)
    inserted = [sections[0], {"heading": "New", "body": "Inserted [1]."}, sections[1], dict(sections[2])]
    inserted[3]["body"] = "Gamma body, revised [1]."
    second = factories.RevisionFactory(article=article, title=first.title, sections=inserted)
    diff = revision_diff(first, second)
    assert [(c.label, c.status) for c in diff.changed if c.label.startswith("Section")] == [
        ("Section 2: New", "added"),
        ("Section 4: Gamma", "changed"),
    ]
    assert {c.label for c in diff.unchanged} >= {"Section 1: Alpha", "Section 3: Beta", "Title"}


def test_the_rendered_diff_marks_words_inside_the_markdown_rendering():
    html = html_diff(render_markdown("Iron **helps** [1]."), render_markdown("Iron **often helps** [2]."))
    assert "<strong><ins>often</ins> helps</strong>" in html
    assert "<del>1</del>" in html and "<ins>2</ins>" in html
    assert "**" not in html


def test_the_rendered_diff_keeps_user_markup_escaped():
    html = html_diff(render_markdown("safe"), render_markdown("<script>alert(1)</script> safe"))
    assert "<script>" not in html and "&lt;script&gt;" in html
