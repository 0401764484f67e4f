"""Checks a revision must pass before it goes to review."""

from articles.exceptions import FieldError
from articles.models import Revision
from articles.rendering import cited_numbers
from articles.services import DRAFT_REQUIRED

# What submission requires beyond a draft's rules, field by field: the checks below and the editors' required marks.
SUBMISSION_REQUIRED = {
    "title": "The title is required.",
    "summary_patient": "The summary for patients and caregivers is required.",
    "summary_professional": "The summary for healthcare professionals is required.",
}
SUBMISSION_REQUIRED_ITEMS = frozenset({"sections", "sections.heading", "sections.body"})


def required_fields() -> frozenset[str]:
    """Return the name of every field a draft or its submission requires ("sections.heading" for a list's items)."""
    return DRAFT_REQUIRED | frozenset(SUBMISSION_REQUIRED) | SUBMISSION_REQUIRED_ITEMS


def revision_errors(revision: Revision) -> list[FieldError]:
    """Return what stops this revision from being submitted, each naming its field, in words an author understands."""
    errors = [
        FieldError(name, message, "required")
        for name, message in SUBMISSION_REQUIRED.items()
        if not getattr(revision, name).strip()
    ]
    sections = revision.sections or []
    if not sections:
        errors.append(FieldError("sections", "At least one section is required.", "required"))
    reference_numbers = {reference.number for reference in revision.references.all()}
    cited: set[int] = set()
    for index, section in enumerate(sections):
        heading = (section.get("heading") or "").strip()
        body = section.get("body") or ""
        label = f'Section {index + 1} ("{heading}")' if heading else f"Section {index + 1}"
        if not heading:
            errors.append(FieldError("sections.heading", f"{label} needs a heading.", "required", index))
        # A section that holds sub-sections ("From the Research") may have no text of its own.
        holds_subsections = index + 1 < len(sections) and sections[index + 1].get("level") == 2
        if not body.strip() and not holds_subsections:
            errors.append(FieldError("sections.body", f"{label} has no text.", "required", index))
        numbers = cited_numbers(body)
        for number in sorted(set(numbers) - reference_numbers):
            errors.append(
                FieldError(
                    "sections.body", f"{label} cites [{number}], but there is no reference {number}.", "dangling", index
                )
            )
        cited.update(numbers)
    for number in sorted(reference_numbers - cited):
        message = f"Reference {number} is never cited in the text."
        errors.append(FieldError("references", message, "uncited", number - 1))
    return errors
