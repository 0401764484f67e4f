"""The checks before submission (articles.validation) and the limits of what a draft may hold (articles.services)."""

import pytest

from articles.exceptions import FieldError, ValidationFailed
from articles.services import RevisionContent, clean_content
from articles.text import MAX_REFERENCES, MAX_SECTIONS, SECTION_BODY
from articles.validation import revision_errors as structured_errors
from tests import factories

pytestmark = pytest.mark.django_db


def revision_errors(revision) -> list[str]:
    return [error.message for error in structured_errors(revision)]


def _revision(references=1, **fields):
    """A saved revision with ``references`` references numbered 1..n (the factory's default text cites [1])."""
    revision = factories.RevisionFactory(references=[], **fields)
    for number in range(1, references + 1):
        factories.ReferenceFactory(revision=revision, number=number)
    return revision


def test_valid_revision_has_no_errors():
    assert revision_errors(_revision()) == []


def test_valid_revision_from_factory_has_no_errors(article):
    assert revision_errors(article.current_revision) == []


def test_revision_without_references_or_citations_is_valid():
    assert revision_errors(_revision(references=0, sections=[{"heading": "H", "body": "No sources."}])) == []


def test_dangling_citation_is_named():
    revision = _revision(sections=[{"heading": "Causes", "body": "Known [1]. Also [3]."}])
    assert revision_errors(revision) == ['Section 1 ("Causes") cites [3], but there is no reference 3.']
    assert structured_errors(revision)[0] == FieldError(
        "sections.body", 'Section 1 ("Causes") cites [3], but there is no reference 3.', "dangling", 0
    )


def test_dangling_citations_each_named_once_in_order():
    revision = _revision(sections=[{"heading": "H", "body": "[1] [5] [4, 5]"}])
    assert revision_errors(revision) == [
        'Section 1 ("H") cites [4], but there is no reference 4.',
        'Section 1 ("H") cites [5], but there is no reference 5.',
    ]


def test_unused_reference_is_named():
    revision = _revision(references=2)
    assert revision_errors(revision) == ["Reference 2 is never cited in the text."]
    assert (structured_errors(revision)[0].field, structured_errors(revision)[0].index) == ("references", 1)


def test_reference_cited_in_a_later_section_counts_as_used():
    revision = _revision(
        references=2, sections=[{"heading": "A", "body": "See [1]."}, {"heading": "B", "body": "See [2]."}]
    )
    assert revision_errors(revision) == []


@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("title", "The title is required."),
        ("summary_patient", "The summary for patients and caregivers is required."),
        ("summary_professional", "The summary for healthcare professionals is required."),
    ],
)
@pytest.mark.parametrize("blank", ["", "   \n"])
def test_missing_required_text(field, message, blank):
    assert revision_errors(_revision(**{field: blank})) == [message]


def test_missing_sections():
    errors = revision_errors(_revision(references=0, sections=[]))
    assert errors == ["At least one section is required."]


def test_missing_sections_also_reports_uncited_references():
    errors = revision_errors(_revision(references=1, sections=[]))
    assert errors == ["At least one section is required.", "Reference 1 is never cited in the text."]


def test_section_without_heading():
    revision = _revision(sections=[{"heading": "Intro", "body": "[1]"}, {"heading": "  ", "body": "Text."}])
    assert revision_errors(revision) == ["Section 2 needs a heading."]


def test_section_without_body():
    revision = _revision(sections=[{"heading": "Intro", "body": "[1]"}, {"heading": "Empty", "body": " "}])
    assert revision_errors(revision) == ['Section 2 ("Empty") has no text.']


def test_section_with_missing_keys():
    revision = _revision(references=0, sections=[{}])
    assert revision_errors(revision) == ["Section 1 needs a heading.", "Section 1 has no text."]


def _content(sections=(), references=()):
    return RevisionContent("A title?", "Plain.", "Clinical.", sections=list(sections), references=list(references))


def test_a_draft_holds_at_most_max_sections():
    sections = [{"heading": f"H{n}", "body": "Text."} for n in range(MAX_SECTIONS + 1)]
    with pytest.raises(ValidationFailed) as error:
        clean_content(_content(sections))
    assert error.value.messages == [f"An article has at most {MAX_SECTIONS} sections."]
    assert len(clean_content(_content(sections[:MAX_SECTIONS])).sections) == MAX_SECTIONS


def test_section_too_long():
    body = "x" * (SECTION_BODY.max_length + 1)
    with pytest.raises(ValidationFailed) as error:
        clean_content(_content([{"heading": "Long", "body": body}]))
    assert error.value.errors == [
        FieldError(
            "sections.body",
            f"Section 1: the text is longer than 20,000 characters (it has {len(body):,}).",
            "max_length",
            0,
        )
    ]


def test_section_of_exactly_max_chars_is_allowed():
    body = "x" * SECTION_BODY.max_length
    assert clean_content(_content([{"heading": "Long", "body": body}])).sections[0]["body"] == body


def test_several_problems_are_all_reported():
    revision = _revision(
        references=2,
        title="",
        sections=[{"heading": "", "body": "Cites [7]."}],
    )
    assert revision_errors(revision) == [
        "The title is required.",
        "Section 1 needs a heading.",
        "Section 1 cites [7], but there is no reference 7.",
        "Reference 1 is never cited in the text.",
        "Reference 2 is never cited in the text.",
    ]


def test_too_many_references():
    references = [{"kind": "research", "title": f"Study {n}"} for n in range(MAX_REFERENCES + 1)]
    with pytest.raises(ValidationFailed) as error:
        clean_content(_content([{"heading": "H", "body": "Text."}], references))
    assert error.value.messages == [f"An article has at most {MAX_REFERENCES} references."]
