"""Identity's forms: allauth's sign-in as django-axes counts it, and a new API token's name."""

from allauth.account.forms import LoginForm as AllauthLoginForm
from django import forms

from articles.forms import text_field
from articles.text import TOKEN_NAME


class LoginForm(AllauthLoginForm):
    """allauth's sign-in form, handing django-axes the name typed as ``login`` (its AXES_USERNAME_FORM_FIELD)."""

    def user_credentials(self) -> dict:
        credentials = super().user_credentials()
        credentials["login"] = credentials.get("username") or credentials.get("email")
        return credentials


class TokenCreateForm(forms.Form):
    name = text_field(
        TOKEN_NAME, required=False, help_text="So you can tell your tokens apart, e.g. the script that uses it."
    )
