"""Forms of the author, board and editor workspaces. They parse input; services decide."""

import re

from django import forms
from django.forms import formset_factory

from articles.models import ReferenceKind, Specialty
from articles.services import RevisionContent
from reviewboard.models import BoardMember, Decision

TEXTAREA = {"rows": 4}


class ArticleMetaForm(forms.Form):
    """The address and specialty of a new article."""

    slug = forms.SlugField(
        label="Address",
        max_length=200,
        required=False,
        help_text="The last part of the article's web address; left blank, it is made from the title.",
    )
    specialty = forms.ModelChoiceField(queryset=Specialty.objects.all())


class RevisionForm(forms.Form):
    title = forms.CharField(max_length=200, help_text="Phrase it as the reader's question.")
    summary_patient = forms.CharField(
        label="Summary for patients and caregivers", widget=forms.Textarea(attrs=TEXTAREA), required=False
    )
    summary_professional = forms.CharField(
        label="Summary for healthcare professionals", widget=forms.Textarea(attrs=TEXTAREA), required=False
    )
    change_note = forms.CharField(
        max_length=500, required=False, help_text="What changed in this revision, for the reviewers."
    )


class SectionForm(forms.Form):
    heading = forms.CharField(max_length=200, required=False)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}),
        required=False,
        help_text="Markdown. Cite references by number: [1] or [2, 3].",
    )


class ReferenceForm(forms.Form):
    kind = forms.ChoiceField(choices=[("", "—"), *ReferenceKind.choices], required=False)
    title = forms.CharField(max_length=500, required=False)
    source = forms.CharField(max_length=300, required=False, help_text="Journal or issuing body.")
    year = forms.IntegerField(min_value=1000, max_value=2999, required=False)
    authors = forms.CharField(max_length=500, required=False)
    doi = forms.CharField(label="DOI", max_length=200, required=False)
    pmid = forms.CharField(label="PMID", max_length=20, required=False)
    url = forms.URLField(label="URL", max_length=500, required=False, assume_scheme="https")


SectionFormSet = formset_factory(SectionForm, extra=1, can_order=True, can_delete=True, max_num=30)
ReferenceFormSet = formset_factory(ReferenceForm, extra=1, can_order=True, can_delete=True, max_num=200)


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
    references = [
        {name: getattr(r, name) for name in ("kind", "title", "source", "year", "authors", "doi", "pmid", "url")}
        for r in revision.references.all()
    ]
    return main, sections, references


def revision_content(form, sections, references) -> RevisionContent:
    """Build the service's content from valid forms, sections and references in their chosen order."""
    return RevisionContent(
        title=form.cleaned_data["title"],
        summary_patient=form.cleaned_data["summary_patient"],
        summary_professional=form.cleaned_data["summary_professional"],
        sections=[
            {"heading": f.cleaned_data["heading"], "body": f.cleaned_data["body"]} for f in sections.ordered_forms
        ],
        references=[
            {
                name: f.cleaned_data[name]
                for name in ("kind", "title", "source", "year", "authors", "doi", "pmid", "url")
                if f.cleaned_data.get(name) not in (None, "")
            }
            for f in references.ordered_forms
        ],
    )


_POSITIONED = re.compile(r"^(Section|Reference) (\d+)\b")
_FIELD_WORDS = (
    ("summary for patients", "summary_patient"),
    ("summary for healthcare professionals", "summary_professional"),
    ("title", "title"),
)


def _add_error(form, field, message: str) -> None:
    if not form.is_bound:
        # An unbound form (the submission checks shown on opening the editor) has no cleaned data.
        form.errors  # noqa: B018  (sets up the error dict)
        form.cleaned_data = {}
    form.add_error(field, message)


def place_errors(messages: list[str], *, form, section_forms: list, reference_forms: list) -> None:
    """Show each service message beside the field or the section/reference it is about."""
    for message in messages:
        match = _POSITIONED.match(message)
        if match:
            targets = section_forms if match.group(1) == "Section" else reference_forms
            position = int(match.group(2))
            if 1 <= position <= len(targets):
                _add_error(targets[position - 1], None, message)
                continue
        lowered = message.lower()
        field = next((name for words, name in _FIELD_WORDS if words in lowered and not match), None)
        _add_error(form, field, message)


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class DeclineForm(forms.Form):
    conflict_of_interest = forms.BooleanField(required=False, label="I have a conflict of interest with this article")
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=500,
        required=False,
        help_text="Required when you declare a conflict of interest; the editors see it.",
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=Decision.choices, widget=forms.RadioSelect)
    comments_to_author = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=20_000,
        required=False,
        help_text="The authors read these. Required unless you approve.",
    )
    confidential_comments = forms.CharField(
        label="Confidential comments to the editors",
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=20_000,
        required=False,
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
