"""Forms of the public-facing workspace pages: the note for readers, a member's profile, an author's byline.

They parse the request only; the services (articles.services, reviewboard.services_profiles) decide.
"""

from django import forms

from articles import text
from articles.forms import text_field


class ReaderNoteForm(forms.Form):
    text = text_field(
        text.READER_NOTE,
        label="What changed, for readers",
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": text.READER_NOTE.max_length}),
        help_text="Shown in the article's public history once the board approves this revision. Plain words.",
    )
    is_correction = forms.BooleanField(
        required=False, label="This corrects an error readers may have relied on (listed on the corrections page)"
    )


class BoardProfileForm(forms.Form):
    affiliation = text_field(text.PROFILE_LINE, label="Affiliation", help_text="Your hospital, practice or university.")
    orcid = text_field(text.PROFILE_LINE, label="ORCID iD", help_text="For example 0000-0002-1825-0097.")
    biography = text_field(
        text.PROFILE_TEXT,
        label="About you",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="A few lines for readers.",
    )
    disclosure = text_field(
        text.PROFILE_TEXT,
        label="Disclosure of interests",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text='Shown beside your name on every article you reviewed. Empty: "No conflicts declared."',
    )


class BylineForm(forms.Form):
    credentials = text_field(
        text.PROFILE_LINE, label="Credentials", help_text='Shown beside your name, e.g. "MD, MPH".'
    )


class VerifyForm(forms.Form):
    member = forms.IntegerField(widget=forms.HiddenInput)


class ReviewIntervalForm(forms.Form):
    review_interval_days = forms.IntegerField(
        required=False,
        min_value=1,
        label="Review this article every (days)",
        help_text="Empty: its specialty's interval, else the site's (REREVIEW_AFTER_DAYS).",
    )
