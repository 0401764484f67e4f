"""Writes to content: creating articles and their revisions. Revisions are never updated."""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Max

from articles.exceptions import ActionForbidden, InvalidTransition, ValidationFailed
from articles.models import Article, Reference, ReferenceKind, Revision, Specialty
from articles.permissions import user_can_create_article, user_can_edit_article

REFERENCE_FIELDS = ("kind", "title", "source", "year", "authors", "doi", "pmid", "url")


@dataclass
class RevisionContent:
    """Everything a revision holds, as an author enters it."""

    title: str
    summary_patient: str
    summary_professional: str
    sections: list[dict] = field(default_factory=list)
    references: list[dict] = field(default_factory=list)


def revision_content(revision: Revision) -> RevisionContent:
    """Return the content of ``revision``, to start a new revision from it."""
    return RevisionContent(
        title=revision.title,
        summary_patient=revision.summary_patient,
        summary_professional=revision.summary_professional,
        sections=[dict(section) for section in revision.sections],
        references=[
            {name: getattr(reference, name) for name in REFERENCE_FIELDS} for reference in revision.references.all()
        ],
    )


def _reference_field_errors(position: int, reference: dict) -> list[str]:
    errors = []
    for name in REFERENCE_FIELDS:
        value = reference.get(name)
        if value in (None, ""):
            continue
        model_field = Reference._meta.get_field(name)
        if name == "year":
            if not isinstance(value, int) or isinstance(value, bool) or not 1000 <= value <= 2999:
                errors.append(f"Reference {position}: the year must be a four-digit number.")
        elif not isinstance(value, str):
            errors.append(f"Reference {position}: the {model_field.verbose_name} must be text.")
        elif len(value) > model_field.max_length:
            errors.append(
                f"Reference {position}: the {model_field.verbose_name} is longer than "
                f"{model_field.max_length} characters."
            )
    return errors


def _clean_content(content: RevisionContent) -> None:
    errors = []
    if not content.title.strip():
        errors.append("The title is required.")
    if len(content.title) > 200:
        errors.append("The title is longer than 200 characters.")
    for position, section in enumerate(content.sections, start=1):
        if not isinstance(section, dict) or set(section) - {"heading", "body"}:
            errors.append(f"Section {position} must have a heading and a body only.")
    kinds = set(ReferenceKind.values)
    for position, reference in enumerate(content.references, start=1):
        if set(reference) - set(REFERENCE_FIELDS):
            errors.append(f"Reference {position} has unknown fields: {sorted(set(reference) - set(REFERENCE_FIELDS))}.")
        if reference.get("kind") not in kinds:
            errors.append(f"Reference {position} needs a kind: one of {', '.join(sorted(kinds))}.")
        if not (reference.get("title") or "").strip():
            errors.append(f"Reference {position} needs a title.")
        errors.extend(_reference_field_errors(position, reference))
    if errors:
        raise ValidationFailed(errors)


def revision_write(*, article: Article, actor, content: RevisionContent, change_note: str) -> Revision:
    """Write a new revision and make it current. Caller holds the article's row lock and has checked permission."""
    _clean_content(content)
    number = (article.revisions.aggregate(top=Max("number"))["top"] or 0) + 1
    revision = Revision.objects.create(
        article=article,
        number=number,
        title=content.title.strip(),
        summary_patient=content.summary_patient,
        summary_professional=content.summary_professional,
        sections=[{"heading": s.get("heading", ""), "body": s.get("body", "")} for s in content.sections],
        created_by=actor,
        change_note=change_note,
    )
    Reference.objects.bulk_create(
        Reference(revision=revision, number=position, **{k: v for k, v in ref.items() if v is not None})
        for position, ref in enumerate(content.references, start=1)
    )
    article.current_revision = revision
    article.save(update_fields=["current_revision", "updated_at"])
    return revision


def article_create(
    *, actor, slug: str, specialty: Specialty, content: RevisionContent, change_note: str = "First draft"
) -> Article:
    """Create a draft article with its first revision; the actor becomes its author."""
    if not user_can_create_article(actor):
        raise ActionForbidden("Only authors and editors can write articles.")
    duplicate = ValidationFailed([f'An article with the address "{slug}" already exists.'])
    if Article.objects.filter(slug=slug).exists():
        raise duplicate
    try:
        with transaction.atomic():
            article = Article.objects.create(slug=slug, specialty=specialty)
            article.authors.add(actor)
            revision_write(article=article, actor=actor, content=content, change_note=change_note)
    except IntegrityError:
        # Another request took the slug between the check and the insert.
        if Article.objects.filter(slug=slug).exists():
            raise duplicate from None
        raise
    return article


def revision_create(*, article: Article, actor, content: RevisionContent, change_note: str = "") -> Revision:
    """Save an edit of a draft as a new revision; submitted or approved revisions stay as they were."""
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article.pk)
        if not user_can_edit_article(actor, article):
            raise ActionForbidden("Only the article's authors or an editor can edit it.")
        if not article.is_editable:
            raise InvalidTransition(
                f"The article is {article.get_state_display().lower()}; it can be edited only as a draft "
                "or after changes were requested (withdraw or revise it first)."
            )
        return revision_write(article=article, actor=actor, content=content, change_note=change_note)
