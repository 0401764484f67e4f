"""Writes to content: creating articles and their revisions. Revisions are never updated.

Every field a person writes is cleaned here, by the rules of ``articles.text``, whichever surface
it came from; a problem is a ``FieldError`` naming its field (and its position in a list).
"""

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Max

from articles import citation_import, text
from articles.exceptions import ActionForbidden, FieldError, InvalidTransition, ValidationFailed
from articles.models import (
    Article,
    ChangeNote,
    LookupStatus,
    Reference,
    ReferenceKind,
    ReferenceLookup,
    Revision,
    Specialty,
)
from articles.permissions import EDIT, access_article, user_can_create_article, user_is_editor

REFERENCE_FIELDS = ("kind", "title", "source", "year", "authors", "doi", "pmid", "url", "volume", "issue", "pages")
# What even a draft must hold: a title, and for each reference its kind and title.
DRAFT_REQUIRED = frozenset({"title", "references.kind", "references.title"})
SECTION_FIELDS = ("heading", "body", "level")
# A section's level: 1 a section of the page ("From the Guidelines"), 2 a sub-section of the section before it.
SECTION_LEVELS = (1, 2)
REFERENCE_TEXT_RULES = {
    "title": text.REFERENCE_TITLE,
    "source": text.REFERENCE_SOURCE,
    "authors": text.REFERENCE_AUTHORS,
    "doi": text.REFERENCE_DOI,
    "pmid": text.REFERENCE_PMID,
    "url": text.REFERENCE_URL,
    "volume": text.REFERENCE_VOLUME,
    "issue": text.REFERENCE_ISSUE,
    "pages": text.REFERENCE_PAGES,
}
_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)
_validate_url = URLValidator(schemes=["http", "https"])


@dataclass
class RevisionContent:
    """Everything a revision holds, as an author enters it."""

    title: str
    summary_patient: str
    summary_professional: str
    sections: list[dict[str, Any]] = field(default_factory=list)
    references: list[dict[str, Any]] = field(default_factory=list)


def revision_content(revision: Revision) -> RevisionContent:
    """Return the content of ``revision``, to start a new revision from it."""
    return RevisionContent(
        title=revision.title,
        summary_patient=revision.summary_patient,
        summary_professional=revision.summary_professional,
        sections=[dict(section) for section in revision.sections],
        references=[
            {name: getattr(reference, name) for name in REFERENCE_FIELDS if getattr(reference, name) not in (None, "")}
            for reference in revision.references.order_by("number")
        ],
    )


def _clean_year(value: object, errors: text.FieldErrors, index: int) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or not 1000 <= value <= 2999:
        errors.add("references.year", f"Reference {index + 1}: the year must be a four-digit number.", "invalid", index)
        return None
    return value


def _clean_reference(reference: object, errors: text.FieldErrors, index: int) -> dict[str, Any]:
    if not isinstance(reference, dict):
        errors.add("references", f"Reference {index + 1} must be a set of fields.", "type", index)
        return {}
    unknown = sorted(str(name) for name in set(reference) - set(REFERENCE_FIELDS))
    if unknown:
        errors.add("references", f"Reference {index + 1} has unknown fields: {', '.join(unknown)}.", "unknown", index)
    cleaned: dict[str, Any] = {}
    item = f"Reference {index + 1}"
    kind = reference.get("kind")
    if kind not in ReferenceKind.values:
        choices = ", ".join(ReferenceKind.values)
        errors.add("references.kind", f"{item}: choose its kind: {choices}.", "required", index)
    else:
        cleaned["kind"] = kind
    for name, rule in REFERENCE_TEXT_RULES.items():
        value = errors.text(
            reference.get(name),
            rule,
            field=f"references.{name}",
            index=index,
            item=item,
            required=f"references.{name}" in DRAFT_REQUIRED,
        )
        if value:
            cleaned[name] = value
    if cleaned.get("doi"):
        cleaned["doi"] = _DOI_PREFIX.sub("", cleaned["doi"])
        if not _DOI.match(cleaned["doi"]):
            errors.add("references.doi", f"{item}: a DOI looks like 10.1212/WNL.0000000000001234.", "invalid", index)
    if cleaned.get("pmid") and not cleaned["pmid"].isdigit():
        errors.add("references.pmid", f"{item}: a PMID is a number, like 31504817.", "invalid", index)
    if cleaned.get("url"):
        try:
            _validate_url(cleaned["url"])
        except ValidationError:
            message = f"{item}: enter a full web address starting with https:// or http://."
            errors.add("references.url", message, "invalid", index)
    year = _clean_year(reference.get("year"), errors, index)
    if year is not None:
        cleaned["year"] = year
    return cleaned


def _clean_section(section: object, errors: text.FieldErrors, index: int) -> dict[str, Any]:
    if not isinstance(section, dict) or set(section) - set(SECTION_FIELDS):
        errors.add("sections", f"Section {index + 1} must have a heading and a body only.", "type", index)
        return {"heading": "", "body": ""}
    item = f"Section {index + 1}"
    cleaned: dict[str, Any] = {
        "heading": errors.text(
            section.get("heading"), text.SECTION_HEADING, field="sections.heading", index=index, item=item
        ),
        "body": errors.text(section.get("body"), text.SECTION_BODY, field="sections.body", index=index, item=item),
    }
    level = section.get("level", 1)
    if isinstance(level, str) and level.strip().isdigit():
        level = int(level.strip())
    if level not in SECTION_LEVELS or isinstance(level, bool):
        errors.add("sections.level", f"{item}: a section is a section (1) or a sub-section (2).", "invalid", index)
    elif level == 2:
        # Stored only where it differs from a section, so that content written before levels compares equal.
        if index == 0:
            errors.add("sections.level", f"{item}: a sub-section needs a section before it.", "invalid", index)
        cleaned["level"] = 2
    return cleaned


def clean_content(content: RevisionContent) -> RevisionContent:
    """Return ``content`` normalized; raise ValidationFailed listing every field that is not acceptable.

    A draft may be incomplete (the checks before submission are ``articles.validation``'s), but what it
    holds must be text within its limits.
    """
    errors = text.FieldErrors()
    sections = content.sections if isinstance(content.sections, list) else []
    references = content.references if isinstance(content.references, list) else []
    if len(sections) > text.MAX_SECTIONS:
        errors.add("sections", f"An article has at most {text.MAX_SECTIONS} sections.", "max_items")
    if len(references) > text.MAX_REFERENCES:
        errors.add("references", f"An article has at most {text.MAX_REFERENCES} references.", "max_items")
    cleaned = RevisionContent(
        title=errors.text(content.title, text.TITLE, field="title", required="title" in DRAFT_REQUIRED),
        summary_patient=errors.text(content.summary_patient, text.SUMMARY_PATIENT, field="summary_patient"),
        summary_professional=errors.text(
            content.summary_professional, text.SUMMARY_PROFESSIONAL, field="summary_professional"
        ),
        sections=[_clean_section(s, errors, i) for i, s in enumerate(sections[: text.MAX_SECTIONS])],
        references=[_clean_reference(r, errors, i) for i, r in enumerate(references[: text.MAX_REFERENCES])],
    )
    errors.raise_if_any()
    return cleaned


def _write(*, article: Article, actor: User, content: RevisionContent, change_note: str) -> Revision:
    """Write cleaned ``content`` as the article's next revision and make it current. Caller holds the row lock."""
    number = (article.revisions.aggregate(top=Max("number"))["top"] or 0) + 1
    revision = Revision.objects.create(
        article=article,
        number=number,
        title=content.title,
        summary_patient=content.summary_patient,
        summary_professional=content.summary_professional,
        sections=content.sections,
        created_by=actor,
        change_note=change_note,
    )
    Reference.objects.bulk_create(
        Reference(revision=revision, number=position, **reference)
        for position, reference in enumerate(content.references, start=1)
    )
    # The note for readers follows the draft from revision to revision until it is approved.
    previous = article.current_revision_id
    pending = None
    if previous is not None:
        pending = ChangeNote.objects.filter(revision_id=previous, approved_at__isnull=True).first()
    if pending is not None:
        ChangeNote.objects.create(
            revision=revision, article=article, text=pending.text, is_correction=pending.is_correction
        )
    article.current_revision = revision
    article.save(update_fields=["current_revision", "updated_at"])
    return revision


def revision_write(*, article: Article, actor: User, content: RevisionContent, change_note: str) -> Revision:
    """Write a new revision and make it current. Caller holds the article's row lock and has checked permission."""
    errors = text.FieldErrors()
    note = errors.text(change_note, text.CHANGE_NOTE, field="change_note")
    errors.raise_if_any()
    return _write(article=article, actor=actor, content=clean_content(content), change_note=note)


def _unique_slug(base: str) -> str:
    """Return ``base``, or ``base-2``, ``base-3``... whichever no article holds yet."""
    taken = set(Article.objects.filter(slug__startswith=base).values_list("slug", flat=True))
    if base not in taken:
        return base
    number = 2
    while (candidate := f"{base[: text.SLUG.max_length - len(str(number)) - 1]}-{number}") in taken:
        number += 1
    return candidate


def article_create(
    *,
    actor: User,
    specialty: Specialty,
    content: RevisionContent,
    slug: str = "",
    change_note: str = "First draft",
) -> Article:
    """Create a draft article with its first revision; the actor becomes its author.

    Without a ``slug``, the address is made from the title (any script) and made unique; a slug given
    by the person must be free.
    """
    if not user_can_create_article(actor):
        raise ActionForbidden("Only authors and editors can write articles.")
    errors = text.FieldErrors()
    chosen = errors.text(slug, text.SLUG, field="slug")
    note = errors.text(change_note, text.CHANGE_NOTE, field="change_note")
    if chosen and (problem := text.slug_problem(chosen)):
        errors.errors.append(problem)
    try:
        content = clean_content(content)
    except ValidationFailed as failed:
        errors.errors.extend(failed.errors)
    errors.raise_if_any()
    taken = ValidationFailed.one("slug", f'An article with the address "{chosen}" already exists.', "taken")
    for _ in range(5):
        address = chosen or _unique_slug(text.slug_from_title(content.title))
        if chosen and Article.objects.filter(slug=address).exists():
            raise taken
        try:
            with transaction.atomic():
                article = Article.objects.create(slug=address, specialty=specialty)
                article.authors.add(actor)
                _write(article=article, actor=actor, content=content, change_note=note)
        except IntegrityError:
            # Another request took the address between the check and the insert.
            if chosen:
                raise taken from None
            continue
        return article
    raise taken


def same_content(revision: Revision, content: RevisionContent) -> bool:
    """Return whether cleaned ``content`` is exactly what ``revision`` holds."""
    return asdict(revision_content(revision)) == asdict(content)


def revision_create(*, article: Article, actor: User, content: RevisionContent, change_note: str = "") -> Revision:
    """Save an edit of a draft as a new revision; an edit that changes nothing keeps the current revision."""
    with transaction.atomic():
        article = access_article(actor, purpose=EDIT, pk=article.pk, lock=True)
        if not article.is_editable:
            raise InvalidTransition(
                f"The article is {article.get_state_display().lower()}; it can be edited only as a draft "
                "or after changes were requested (withdraw or revise it first)."
            )
        errors = text.FieldErrors()
        note = errors.text(change_note, text.CHANGE_NOTE, field="change_note")
        errors.raise_if_any()
        content = clean_content(content)
        current = article.current_revision
        if current is not None and same_content(current, content):
            return current
        return _write(article=article, actor=actor, content=content, change_note=note)


def change_note_write(
    *, article: Article, actor: User, text_for_readers: str, is_correction: bool = False
) -> ChangeNote:
    """Write the note for readers of the article's current revision: by its authors or an editor, until approval."""
    errors = text.FieldErrors()
    note_text = errors.text(text_for_readers, text.READER_NOTE, field="reader_note")
    errors.raise_if_any()
    with transaction.atomic():
        article = access_article(actor, purpose=EDIT, pk=article.pk, lock=True)
        revision_id = article.current_revision_id
        if revision_id is None or revision_id == article.approved_revision_id:
            raise InvalidTransition("Write the note for readers on a new revision, before it is approved.")
        note, _ = ChangeNote.objects.select_for_update().get_or_create(
            revision_id=revision_id, defaults={"article": article}
        )
        if note.approved_at is not None:
            raise InvalidTransition("This revision is approved: its note for readers is published and kept.")
        note.text, note.is_correction, note.edited_by = note_text, bool(is_correction), actor
        note.save(update_fields=["text", "is_correction", "edited_by"])
    return note


def change_note_approve(*, revision: Revision, when: Any) -> ChangeNote:
    """Publish the note of ``revision``, approved at ``when``. Caller holds the article's row lock (the approval)."""
    note, created = ChangeNote.objects.get_or_create(
        revision=revision, defaults={"article_id": revision.article_id, "approved_at": when}
    )
    if not created:
        note.approved_at = when
        note.save(update_fields=["approved_at"])
    return note


def article_review_interval_set(*, article: Article, actor: User, days: int | None) -> Article:
    """Set the days between reviews of ``article`` (None: its specialty's, else the site's); editors only."""
    if not user_is_editor(actor):
        raise ActionForbidden("Editors set how often an article is reviewed.")
    if days is not None and not 30 <= days <= 3650:
        raise ValidationFailed([FieldError("review_interval_days", "Choose between 30 and 3,650 days.", "invalid")])
    with transaction.atomic():
        article = access_article(actor, purpose=EDIT, pk=article.pk, lock=True)
        article.review_interval_days = days
        article.save(update_fields=["review_interval_days", "updated_at"])
    return article


def reference_import(*, actor: User, pasted: str) -> tuple[dict[str, Any] | None, ReferenceLookup | None]:
    """Return the reference a pasted BibTeX or RIS record holds, or queue the lookup of a pasted DOI or PMID.

    Nothing is saved to an article: the author checks the fields and saves the draft as ever. Bad input raises
    ValidationFailed on the field "reference_import".
    """
    if not user_can_create_article(actor):
        raise ActionForbidden("Authors and editors import references.")
    try:
        found = citation_import.identify(pasted)
        if found.kind in ("bibtex", "ris"):
            return citation_import.parse(found), None
    except citation_import.CitationImportError as error:
        raise ValidationFailed([FieldError("reference_import", error.message, "invalid")]) from error
    lookup = ReferenceLookup.objects.create(requested_by=actor, kind=found.kind, value=found.value)
    from articles.tasks import reference_lookup  # the task calls back into this module

    transaction.on_commit(lambda: reference_lookup.delay(lookup.pk))
    return None, lookup


def reference_lookup_run(*, lookup_id: int, fetch: Any = None) -> ReferenceLookup:
    """Look up a queued DOI or PMID and store the reference found, or why none was (idempotent)."""
    lookup = ReferenceLookup.objects.get(pk=lookup_id)
    if lookup.status != LookupStatus.PENDING:
        return lookup
    try:
        options = {"fetch": fetch} if fetch is not None else {}
        lookup.reference = citation_import.look_up(lookup.kind, lookup.value, **options)
        lookup.status = LookupStatus.DONE
    except citation_import.CitationImportError as error:
        lookup.status, lookup.message = LookupStatus.FAILED, error.message[:300]
    lookup.save(update_fields=["reference", "status", "message"])
    return lookup
