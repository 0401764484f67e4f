"""Checks a revision must pass before it goes to review."""

from articles.exceptions import FieldError
from articles.models import Revision
from articles.rendering import cited_numbers


def revision_errors(revision: Revision) -> list[FieldError]:
    """Return what stops this revision from being submitted, each naming its field, in words an author understands."""
    errors = []
    if not revision.title.strip():
        errors.append(FieldError("title", "The title is required.", "required"))
    if not revision.summary_patient.strip():
        errors.append(FieldError("summary_patient", "The summary for patients and caregivers is required.", "required"))
    if not revision.summary_professional.strip():
        errors.append(
            FieldError("summary_professional", "The summary for healthcare professionals is required.", "required")
        )
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
        if not body.strip():
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
