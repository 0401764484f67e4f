"""The reason form every surface of the workflow shares (workspaces, admin): it parses, the services decide."""

from django import forms

from articles import text
from articles.forms import text_field

RATING_LABELS = {1: "1 (poor)", 2: "2", 3: "3", 4: "4", 5: "5 (excellent)"}


class ReasonForm(forms.Form):
    """The reason a person gives for a transition; it goes to the transition log."""

    reason = text_field(
        text.REASON,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60, "maxlength": text.REASON.max_length}),
        help_text="Recorded in the article's transition log and shown to its authors.",
    )
    # A resubmission's letter to the reviewers (actions with ``letter``); the service cleans and stores it.
    response_letter = text_field(text.RESPONSE_LETTER, label="Response letter to the reviewers")


class ReviewRatingForm(forms.Form):
    """An editor's rating of a review (the admin): it parses; ``services.review_rate`` decides."""

    rating = forms.CharField(
        required=False,
        label="Rating",
        widget=forms.Select(
            choices=[("", "Choose a rating"), *((str(n), label) for n, label in RATING_LABELS.items())]
        ),
        help_text="Seen by editors only, as the mean per member in the board's workload table.",
    )
