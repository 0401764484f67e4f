"""Forms of the editors' intake queue."""

from django import forms

from articles import text
from articles.forms import text_field
from articles.models import Specialty
from articles.people import person_name
from reviewboard.intake.selectors import assignable_authors


class AuthorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person_name(obj)


class ConvertForm(forms.Form):
    title = text_field(text.TITLE, help_text="The new article's working title; the question if left empty.")
    slug = text_field(
        text.SLUG, label="Address (slug)", help_text="Lower-case letters, digits, hyphens; empty: from the title."
    )
    specialty = forms.ModelChoiceField(queryset=Specialty.objects.all())
    author = AuthorChoiceField(queryset=assignable_authors(), help_text="The author who will write the article.")


class CloseForm(forms.Form):
    reason = text_field(
        text.SHORT_REASON,
        required=True,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": text.SHORT_REASON.max_length, "required": "required"}),
    )
