"""Forms of the author, board and editor workspaces. They parse input; the services decide and name the
field of each problem, which ``place_errors`` shows beside it."""

from dataclasses import dataclass

from django import forms
from django.forms import formset_factory
from django.utils.text import Truncator

from articles import text
from articles.exceptions import FieldError, ValidationFailed
from articles.forms import add_error, add_field_errors, text_field
from articles.models import ReferenceKind, Specialty
from articles.rendering import renumber_citations
from articles.services import REFERENCE_FIELDS, RevisionContent
from articles.validation import required_fields
from reviewboard.forms import ReasonForm  # noqa: F401  (the workspaces' reason form is the shared one)
from reviewboard.models import BoardMember, Decision
from reviewboard.review_models import ChecklistAnswerChoice


class MarksRequired(forms.Form):
    """Marks the fields a draft or its submission requires (``articles.validation.required_fields``) for people."""

    # The name of this form's fields in the content: "" for the article's own, "sections." for a section's.
    content_prefix = ""
    # Fields drawn across the whole width of an item; the others share a row.
    wide_fields: tuple[str, ...] = ()

    def has_changed(self) -> bool:
        # An added form left empty is skipped on save, although the script numbered it (ORDER, cited_as).
        return any(name not in ("ORDER", "cited_as") for name in self.changed_data)

    def content_fields(self) -> list:
        """Return the visible fields an author writes, in order (not a formset's ORDER and DELETE)."""
        return [field for field in self.visible_fields() if field.name not in ("ORDER", "DELETE")]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        required = required_fields()
        for name, field in self.fields.items():
            if f"{self.content_prefix}{name}" in required:
                field.submission_required = True
                field.widget.attrs["aria-required"] = "true"


class ArticleMetaForm(forms.Form):
    """The address and specialty of a new article."""

    slug = text_field(
        text.SLUG,
        label="Address",
        help_text="The last part of the article's web address; left blank, it is made from the title.",
    )
    specialty = forms.ModelChoiceField(queryset=Specialty.objects.all())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["specialty"].widget.attrs["aria-required"] = "true"


class RevisionForm(MarksRequired):
    title = text_field(text.TITLE, help_text="Phrase it as the reader's question.")
    summary_patient = text_field(text.SUMMARY_PATIENT, label="Summary for patients and caregivers")
    summary_professional = text_field(text.SUMMARY_PROFESSIONAL, label="Summary for healthcare professionals")
    change_note = text_field(text.CHANGE_NOTE, help_text="What changed in this revision, for the reviewers.")


class SectionForm(MarksRequired):
    content_prefix = "sections."
    wide_fields = ("heading", "body")

    heading = text_field(text.SECTION_HEADING)
    # "From the Guidelines" is a section; "Treatment of Myoclonus" under it, a sub-section.
    level = forms.TypedChoiceField(
        choices=[(1, "Section"), (2, "Sub-section of the section above")],
        coerce=int,
        required=False,
        label="Place",
    )
    body = text_field(
        text.SECTION_BODY,
        label="Text",
        # data-cite: the editor's script offers the citation picker beside it.
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": text.SECTION_BODY.max_length, "data-cite": "true"}),
        help_text="Markdown. Cite references by number: [1] or [2, 3]. A passage for one audience only: a line "
        '"::: patient" (or "::: professional") before it and a line ":::" after it.',
    )


class ReferenceForm(MarksRequired):
    content_prefix = "references."
    wide_fields = ("title", "authors")

    kind = forms.ChoiceField(choices=[("", "—"), *ReferenceKind.choices], required=False)
    title = text_field(text.REFERENCE_TITLE)
    source = text_field(text.REFERENCE_SOURCE, label="Journal or issuing body")
    year = forms.CharField(
        required=False, strip=False, widget=forms.TextInput(attrs={"inputmode": "numeric", "maxlength": 4})
    )
    authors = text_field(text.REFERENCE_AUTHORS)
    volume = text_field(text.REFERENCE_VOLUME)
    issue = text_field(text.REFERENCE_ISSUE)
    pages = text_field(text.REFERENCE_PAGES, help_text="For example 598-607.")
    doi = text_field(text.REFERENCE_DOI, label="DOI")
    pmid = text_field(text.REFERENCE_PMID, label="PMID")
    url = text_field(text.REFERENCE_URL, label="URL")
    # The number the text's citations use for this reference: its place when the page was drawn, or where the
    # editor's script moved it (renumbering the citations as it did). See revision_content.
    cited_as = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


# No trailing empty forms: a new article starts with one section and one reference; "Add" makes more.
SectionFormSet = formset_factory(SectionForm, extra=0, can_order=True, can_delete=True, max_num=text.MAX_SECTIONS)
ReferenceFormSet = formset_factory(ReferenceForm, extra=0, can_order=True, can_delete=True, max_num=text.MAX_REFERENCES)


def revision_initial(revision) -> tuple[dict, list[dict], list[dict]]:
    """Return the initial data of the three forms from a revision."""
    if revision is None:
        return {}, [], []
    main = {
        "title": revision.title,
        "summary_patient": revision.summary_patient,
        "summary_professional": revision.summary_professional,
    }
    sections = [
        {"heading": s.get("heading", ""), "level": s.get("level", 1), "body": s.get("body", "")}
        for s in revision.sections or []
    ]
    references = [
        {**{name: getattr(r, name) or "" for name in REFERENCE_FIELDS}, "cited_as": r.number}
        for r in revision.references.all()
    ]
    return main, sections, references


def _citation_numbers(references) -> dict[int, int]:
    """Map the number each reference is cited by to its place on save; a removed one's to a number past the end."""
    kept = references.ordered_forms
    numbers = {}
    for position, form in enumerate(kept, start=1):
        numbers[form.cleaned_data.get("cited_as") or references.forms.index(form) + 1] = position
    past_end = len(kept)
    for form in references.deleted_forms:
        cited_as = form.cleaned_data.get("cited_as") or references.forms.index(form) + 1
        if cited_as not in numbers:
            past_end += 1
            numbers[cited_as] = past_end  # dangling: the submission check names it
    return numbers


def revision_content(form, sections, references) -> RevisionContent:
    """Build the service's content from parsed forms, sections and references in their chosen order.

    References reordered or removed without the editor's script keep the numbers the text cites them by, so
    the citations are renumbered here to follow them (with the script, they already have been).
    """
    numbers = _citation_numbers(references)
    moved = {old: new for old, new in numbers.items() if old != new}

    def cited(text: str) -> str:
        return renumber_citations(text, moved) if moved and text else text

    return RevisionContent(
        title=form.cleaned_data["title"],
        summary_patient=cited(form.cleaned_data["summary_patient"]),
        summary_professional=cited(form.cleaned_data["summary_professional"]),
        sections=[
            {
                "heading": f.cleaned_data["heading"],
                "body": cited(f.cleaned_data["body"]),
                "level": f.cleaned_data.get("level") or 1,
            }
            for f in sections.ordered_forms
        ],
        references=[
            {name: f.cleaned_data[name] for name in REFERENCE_FIELDS if f.cleaned_data.get(name) not in (None, "")}
            for f in references.ordered_forms
        ],
    )


def place_errors(
    errors: ValidationFailed | list[FieldError],
    *,
    form,
    section_forms: list,
    reference_forms: list,
    meta=None,
    list_errors: dict | None = None,
) -> None:
    """Show each error beside the field it names: the main form's, a section's or a reference's (by position).

    An error about a list as a whole ("At least one section is required") goes to ``list_errors[list name]``
    when given, to be shown at the head of the list.
    """
    for error in errors.errors if isinstance(errors, ValidationFailed) else errors:
        items, _, name = error.field.partition(".")
        targets = {"sections": section_forms, "references": reference_forms}.get(items)
        if targets is not None and error.index is not None and 0 <= error.index < len(targets):
            target = targets[error.index]
            add_error(target, name if name in target.fields else None, error.message)
        elif targets is not None and list_errors is not None:
            list_errors.setdefault(items, []).append(error.message)
        elif meta is not None and error.field in meta.fields:
            add_field_errors(meta, [error])
        else:
            add_field_errors(form, [error])


@dataclass(frozen=True)
class SummaryItem:
    """One problem in the error summary, and the id of the field (or item) its link moves to."""

    message: str
    target: str


class DraftEditor:
    """The author's editor: the article's fields, its sections and references, parsed together.

    It parses and places the services' errors; it decides nothing (the services and ``articles.validation`` do).
    """

    def __init__(self, data=None, *, revision=None, new: bool = False, meta_initial=None):
        main, sections, references = revision_initial(revision)
        self.meta = ArticleMetaForm(data, initial=meta_initial) if new else None
        self.form = RevisionForm(data, initial=main)
        self.sections = SectionFormSet(data, initial=sections, prefix="sections")
        self.references = ReferenceFormSet(data, initial=references, prefix="references")
        if data is None:
            # A new article starts with one empty section, as does an article without any; references are added
            # by kind ("Add a guideline"), which saves choosing it.
            self.sections.extra = 0 if sections else 1
        self.list_errors: dict[str, list[str]] = {}

    @classmethod
    def with_one_more(cls, data, *, prefix: str, new: bool):
        """Return the editor for ``data`` with one more empty section or reference (the "Add" button without script).

        ``prefix`` is "sections", "references", or "references:<kind>" for a reference of that kind.
        """
        data = data.copy()
        prefix, _, kind = prefix.partition(":")
        if prefix in ("sections", "references"):
            total = f"{prefix}-TOTAL_FORMS"
            count = str(data.get(total) or "")
            index = int(count) if count.isdigit() else 0  # a tampered count is read as none: the formset refuses it
            data[total] = str(index + 1)
            if prefix == "references" and kind in ReferenceKind.values:
                data[f"references-{index}-kind"] = kind
        editor = cls(data, new=new)
        if new:
            # Shown again as typed, without "required" errors: nothing was saved yet.
            editor.meta = ArticleMetaForm(initial={"slug": data.get("slug", ""), "specialty": data.get("specialty")})
        return editor

    @property
    def parts(self) -> list:
        return [f for f in (self.meta, self.form, self.sections, self.references) if f is not None]

    def is_valid(self) -> bool:
        valid = [f.is_valid() for f in self.parts]  # every part, so that each shows its errors
        return all(valid)

    def content(self) -> RevisionContent:
        return revision_content(self.form, self.sections, self.references)

    def place(self, errors: ValidationFailed | list[FieldError], *, saved: bool = False) -> None:
        """Show the services' errors beside their fields; ``saved``: they are about the saved revision's lists."""
        sections = self.sections.forms[: self.sections.initial_form_count()] if saved else self.sections.ordered_forms
        references = (
            self.references.forms[: self.references.initial_form_count()] if saved else self.references.ordered_forms
        )
        place_errors(
            errors,
            form=self.form,
            meta=self.meta,
            section_forms=sections,
            reference_forms=references,
            list_errors=self.list_errors,
        )

    def summary(self) -> list[SummaryItem]:
        """Return every problem shown on the page, in the page's order, each with the id its link moves to."""
        items: list[SummaryItem] = []

        def of_form(form, skip=()):
            for name, messages in form.errors.items():
                if name in skip:
                    continue
                target = form[name].auto_id if name in form.fields else (form.prefix or "editor-form")
                items.extend(SummaryItem(str(message), target) for message in messages)

        if self.meta is not None:
            of_form(self.meta)
        of_form(self.form, skip=("change_note",))
        for prefix, formset in (("sections", self.sections), ("references", self.references)):
            items.extend(SummaryItem(message, prefix) for message in self.list_errors.get(prefix, []))
            if formset.is_bound:
                items.extend(SummaryItem(str(message), prefix) for message in formset.non_form_errors())
            for item in formset.forms:
                of_form(item)
        for message in self.form.errors.get("change_note", []):
            items.append(SummaryItem(str(message), self.form["change_note"].auto_id))
        return items


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

    def __init__(self, *args, items=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        for item in self.items:
            self.fields[f"check_{item.pk}"] = forms.ChoiceField(
                choices=ChecklistAnswerChoice.choices, widget=forms.RadioSelect, required=False, label=item.text
            )
            self.fields[f"note_{item.pk}"] = text_field(
                text.CHECKLIST_NOTE,
                label="Note",
                widget=forms.TextInput(attrs={"maxlength": text.CHECKLIST_NOTE.max_length}),
            )

    def review(self) -> dict:
        """Return the service's arguments: the decision, the comments and the checklist's answers by item id."""
        data = self.cleaned_data
        return {
            "decision": data.get("decision", ""),
            "comments_to_author": data.get("comments_to_author", ""),
            "confidential_comments": data.get("confidential_comments", ""),
            "checklist": {
                item.pk: {"answer": data.get(f"check_{item.pk}", ""), "note": data.get(f"note_{item.pk}", "")}
                for item in self.items
            },
        }

    def checklist_rows(self) -> list:
        return [(item, self[f"check_{item.pk}"], self[f"note_{item.pk}"]) for item in self.items]

    def place(self, error: ValidationFailed) -> None:
        """Show each problem beside its field; a checklist item's by its position."""
        for problem in error.errors:
            name = problem.field
            if problem.field.startswith("checklist.") and problem.index is not None and problem.index < len(self.items):
                kind = "check" if problem.field == "checklist.answer" else "note"
                name = f"{kind}_{self.items[problem.index].pk}"
            add_error(self, name if name in self.fields else None, problem.message)


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

    def offer(self, members) -> None:
        """Offer only ``members`` (the assigner's eligible suggestions); any active member still parses, and the
        service decides."""
        self.fields["board_member"].widget.choices = [
            ("", "Choose a board member"),
            *((m.pk, f"{m.display_name}, {m.credentials}") for m in members),
        ]


class ThreadForm(forms.Form):
    """A new comment on a paragraph, or on a passage of it (``quote``); the service checks the passage."""

    field = forms.CharField(required=False)
    index = forms.CharField(required=False)
    paragraph = forms.CharField(required=False)
    quote = text_field(text.QUOTED_PASSAGE, label="Passage")
    body = text_field(text.THREAD_COMMENT, label="Comment")
    confidential = forms.BooleanField(required=False)


class ReplyForm(forms.Form):
    body = text_field(text.THREAD_COMMENT, label="Reply")


class RatingForm(forms.Form):
    rating = forms.CharField(required=False)


class ResubmitForm(forms.Form):
    """The authors' response letter, with a reply to each open comment thread they see (``threads``).

    It parses; ``services.article_submit`` decides. A reply left empty is not sent: that thread is not answered.
    """

    response_letter = text_field(
        text.RESPONSE_LETTER,
        label="Response letter to the reviewers",
        widget=forms.Textarea(attrs={"rows": 6, "maxlength": text.RESPONSE_LETTER.max_length}),
        help_text="What changed and why. Reply to each open comment below; the reviewers read them with the letter.",
    )

    def __init__(self, *args, threads=(), **kwargs):
        kwargs.setdefault("auto_id", "resubmit-%s")
        super().__init__(*args, **kwargs)
        self.threads = list(threads)
        for thread in self.threads:
            self.fields[f"reply_{thread.pk}"] = text_field(
                text.THREAD_COMMENT,
                label=f"Reply to “{Truncator(thread.quote).chars(80)}”",
                widget=forms.Textarea(attrs={"rows": 2, "maxlength": text.THREAD_COMMENT.max_length}),
            )

    def reply_fields(self) -> list:
        return [self[f"reply_{thread.pk}"] for thread in self.threads]

    def _answered(self) -> list:
        data = self.cleaned_data if hasattr(self, "cleaned_data") else {}
        # Only an empty field is skipped; anything typed goes to the service, which judges it (blank too).
        return [thread for thread in self.threads if data.get(f"reply_{thread.pk}")]

    def submission(self) -> dict:
        """Return the service's arguments: the letter, and the replies in the threads' order."""
        data = self.cleaned_data
        return {
            "response_letter": data.get("response_letter", ""),
            "thread_replies": [
                {"thread": thread.pk, "body": data[f"reply_{thread.pk}"]} for thread in self._answered()
            ],
        }

    def place(self, error: ValidationFailed) -> None:
        """Show each problem beside its field; a reply's by its position among the replies sent."""
        answered = self._answered()
        for problem in error.errors:
            name: str | None = problem.field
            if problem.field.startswith("thread_replies"):
                index = problem.index
                name = f"reply_{answered[index].pk}" if index is not None and index < len(answered) else None
            add_error(self, name if name in self.fields else None, problem.message)
