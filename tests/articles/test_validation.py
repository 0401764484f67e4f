import pytest

from articles.models import Reference, ReferenceKind
from articles.validation import MAX_REFERENCES, MAX_SECTION_CHARS, MAX_SECTIONS, revision_errors
from tests import factories

pytestmark = pytest.mark.django_db


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


def test_dangling_citations_each_named_once_in_order():
    revision = _revision(sections=[{"heading": "H", "body": "[1] [5] [4, 5]"}])
    assert revision_errors(revision) == [
        'Section 1 ("H") cites [4], but there is no reference 4.',
        'Section 1 ("H") cites [5], but there is no reference 5.',
    ]


def test_unused_reference_is_named():
    revision = _revision(references=2)
    assert revision_errors(revision) == ["Reference 2 is never cited in the text."]


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


def test_too_many_sections():
    sections = [{"heading": f"H{n}", "body": "Text."} for n in range(MAX_SECTIONS + 1)]
    sections[0]["body"] = "[1]"
    assert revision_errors(_revision(sections=sections)) == [
        f"An article has at most {MAX_SECTIONS} sections; this one has {MAX_SECTIONS + 1}."
    ]


def test_exactly_max_sections_is_allowed():
    sections = [{"heading": f"H{n}", "body": "Text."} for n in range(MAX_SECTIONS)]
    sections[0]["body"] = "[1]"
    assert revision_errors(_revision(sections=sections)) == []


def test_section_too_long():
    body = "[1] " + "x" * MAX_SECTION_CHARS
    revision = _revision(sections=[{"heading": "Long", "body": body}])
    assert revision_errors(revision) == [f'Section 1 ("Long") is longer than {MAX_SECTION_CHARS} characters.']


def test_section_of_exactly_max_chars_is_allowed():
    body = "[1]" + "x" * (MAX_SECTION_CHARS - 3)
    assert revision_errors(_revision(sections=[{"heading": "Long", "body": body}])) == []


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
    revision = _revision(references=0, sections=[{"heading": "H", "body": "Text."}])
    Reference.objects.bulk_create(
        Reference(revision=revision, number=n, kind=ReferenceKind.RESEARCH, title=f"Study {n}")
        for n in range(1, MAX_REFERENCES + 2)
    )
    errors = revision_errors(revision)
    assert errors[0] == f"An article has at most {MAX_REFERENCES} references."
