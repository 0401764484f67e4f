"""Forms of the editors' intake queue."""

from django import forms

from articles.models import Specialty
from reviewboard.intake.selectors import assignable_authors
from reviewboard.intake.services import CLOSE_REASON_MAX_LENGTH


class AuthorChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class ConvertForm(forms.Form):
    title = forms.CharField(
        max_length=200, required=False, help_text="The new article's working title; the question if left empty."
    )
    slug = forms.SlugField(max_length=200, label="Address (slug)", help_text="Letters, digits and hyphens.")
    specialty = forms.ModelChoiceField(queryset=Specialty.objects.all())
    author = AuthorChoiceField(queryset=assignable_authors(), help_text="The author who will write the article.")


class CloseForm(forms.Form):
    reason = forms.CharField(max_length=CLOSE_REASON_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 2}))
