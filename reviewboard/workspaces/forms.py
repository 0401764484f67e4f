"""Forms of the author, board and editor workspaces. They parse input; the services decide and name the
field of each problem, which ``place_errors`` shows beside it."""

from django import forms
from django.forms import formset_factory

from articles import text
from articles.exceptions import FieldError, ValidationFailed
from articles.forms import add_error, add_field_errors, text_field
from articles.models import ReferenceKind, Specialty
from articles.services import REFERENCE_FIELDS, RevisionContent
from reviewboard.forms import ReasonForm  # noqa: F401  (the workspaces' reason form is the shared one)
from reviewboard.models import BoardMember, Decision


class ArticleMetaForm(forms.Form):
    """The address and specialty of a new article."""

    slug = text_field(
        text.SLUG,
        label="Address",
        help_text="The last part of the article's web address; left blank, it is made from the title.",
    )
    specialty = forms.ModelChoiceField(queryset=Specialty.objects.all())


class RevisionForm(forms.Form):
    title = text_field(text.TITLE, required=True, help_text="Phrase it as the reader's question.")
    summary_patient = text_field(text.SUMMARY_PATIENT, label="Summary for patients and caregivers")
    summary_professional = text_field(text.SUMMARY_PROFESSIONAL, label="Summary for healthcare professionals")
    change_note = text_field(text.CHANGE_NOTE, help_text="What changed in this revision, for the reviewers.")


class SectionForm(forms.Form):
    heading = text_field(text.SECTION_HEADING)
    body = text_field(
        text.SECTION_BODY,
        widget=forms.Textarea(attrs={"rows": 8, "maxlength": text.SECTION_BODY.max_length}),
        help_text="Markdown. Cite references by number: [1] or [2, 3].",
    )


class ReferenceForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "—"), *ReferenceKind.choices], required=False)
    title = text_field(text.REFERENCE_TITLE)
    source = text_field(text.REFERENCE_SOURCE, help_text="Journal or issuing body.")
    year = forms.CharField(
        required=False, strip=False, widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 4})
    )
    authors = text_field(text.REFERENCE_AUTHORS)
    doi = text_field(text.REFERENCE_DOI, label="DOI")
    pmid = text_field(text.REFERENCE_PMID, label="PMID")
    url = text_field(text.REFERENCE_URL, label="URL")


SectionFormSet = formset_factory(SectionForm, extra=1, can_order=True, can_delete=True, max_num=text.MAX_SECTIONS)
ReferenceFormSet = formset_factory(ReferenceForm, extra=1, can_order=True, can_delete=True, max_num=text.MAX_REFERENCES)


def revision_initial(revision) -> tuple[dict, list[dict], list[dict]]:
    """Return the initial data of the three forms from a revision."""
    if revision is None:
        return {}, [], []
    main = {
        "title": revision.title,
        "summary_patient": revision.summary_patient,
        "summary_professional": revision.summary_professional,
    }
    sections = [{"heading": s.get("heading", ""), "body": s.get("body", "")} for s in revision.sections or []]
    references = [{name: getattr(r, name) or "" for name in REFERENCE_FIELDS} for r in revision.references.all()]
    return main, sections, references


def revision_content(form, sections, references) -> RevisionContent:
    """Build the service's content from parsed forms, sections and references in their chosen order."""
    return RevisionContent(
        title=form.cleaned_data["title"],
        summary_patient=form.cleaned_data["summary_patient"],
        summary_professional=form.cleaned_data["summary_professional"],
        sections=[
            {"heading": f.cleaned_data["heading"], "body": f.cleaned_data["body"]} for f in sections.ordered_forms
        ],
        references=[
            {name: f.cleaned_data[name] for name in REFERENCE_FIELDS if f.cleaned_data.get(name) not in (None, "")}
            for f in references.ordered_forms
        ],
    )


def place_errors(
    errors: ValidationFailed | list[FieldError], *, form, section_forms: list, reference_forms: list, meta=None
) -> None:
    """Show each error beside the field it names: the main form's, a section's or a reference's (by position)."""
    for error in errors.errors if isinstance(errors, ValidationFailed) else errors:
        items, _, name = error.field.partition(".")
        targets = {"sections": section_forms, "references": reference_forms}.get(items)
        if targets is not None and error.index is not None and 0 <= error.index < len(targets):
            target = targets[error.index]
            add_error(target, name if name in target.fields else None, error.message)
        elif meta is not None and error.field in meta.fields:
            add_field_errors(meta, [error])
        else:
            add_field_errors(form, [error])


class DeclineForm(forms.Form):
    conflict_of_interest = forms.BooleanField(required=False, label="I have a conflict of interest with this article")
    reason = text_field(
        text.SHORT_REASON,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": text.SHORT_REASON.max_length}),
        help_text="Required when you declare a conflict of interest; the editors see it.",
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.RadioSelect, required=False)
    comments_to_author = text_field(
        text.COMMENTS_TO_AUTHOR,
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": text.COMMENTS_TO_AUTHOR.max_length}),
        help_text="The authors read these. Required unless you approve.",
    )
    confidential_comments = text_field(
        text.CONFIDENTIAL_COMMENTS,
        label="Confidential comments to the editors",
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": text.CONFIDENTIAL_COMMENTS.max_length}),
        help_text="Seen by the editors only, never by the authors.",
    )


class AssignForm(forms.Form):
    board_member = forms.ModelChoiceField(
        queryset=BoardMember.objects.active().select_related("user"), label="Board member"
    )
    due_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), help_text="Blank: the default period."
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["board_member"].label_from_instance = lambda m: f"{m.display_name}, {m.credentials}"
