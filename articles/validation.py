"""Checks a revision must pass before it goes to review."""

from articles.rendering import cited_numbers

MAX_SECTIONS = 30
MAX_SECTION_CHARS = 20_000
MAX_REFERENCES = 200


def revision_errors(revision) -> list[str]:
    """Return what stops this revision from being submitted, in words an author understands."""
    errors = []
    if not revision.title.strip():
        errors.append("The title is required.")
    if not revision.summary_patient.strip():
        errors.append("The summary for patients and caregivers is required.")
    if not revision.summary_professional.strip():
        errors.append("The summary for healthcare professionals is required.")
    sections = revision.sections or []
    if not sections:
        errors.append("At least one section is required.")
    if len(sections) > MAX_SECTIONS:
        errors.append(f"An article has at most {MAX_SECTIONS} sections; this one has {len(sections)}.")
    reference_numbers = {reference.number for reference in revision.references.all()}
    if len(reference_numbers) > MAX_REFERENCES:
        errors.append(f"An article has at most {MAX_REFERENCES} references.")
    cited = set()
    for position, section in enumerate(sections, start=1):
        heading = (section.get("heading") or "").strip()
        body = section.get("body") or ""
        label = f'Section {position} ("{heading}")' if heading else f"Section {position}"
        if not heading:
            errors.append(f"{label} needs a heading.")
        if not body.strip():
            errors.append(f"{label} has no text.")
        if len(body) > MAX_SECTION_CHARS:
            errors.append(f"{label} is longer than {MAX_SECTION_CHARS} characters.")
        numbers = cited_numbers(body)
        for number in sorted(set(numbers) - reference_numbers):
            errors.append(f"{label} cites [{number}], but there is no reference {number}.")
        cited.update(numbers)
    for number in sorted(reference_numbers - cited):
        errors.append(f"Reference {number} is never cited in the text.")
    return errors
