"""Forms for the workflow's admin actions."""

from django import forms


class ReasonForm(forms.Form):
    """The reason an editor or author gives for a transition; it goes to the transition log."""

    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        max_length=2000,
        help_text="Recorded in the article's transition log and shown to its authors.",
    )
