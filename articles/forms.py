"""What the web forms share: fields that parse text without deciding, and errors placed from the services' structure."""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from articles.exceptions import FieldError, ValidationFailed
from articles.text import TextRule


def text_field(rule: TextRule, *, label: str | None = None, required: bool = False, **kwargs: Any) -> forms.CharField:
    """Return a form field for text cleaned by ``rule`` in a service: it parses, shows the limit, and decides nothing.

    ``required`` only marks the field for people (the browser's check); the service decides.
    """
    attrs: dict[str, str | int] = {"maxlength": rule.max_length}
    if required:
        attrs["required"] = "required"
    widget = forms.Textarea(attrs={"rows": 4, **attrs}) if rule.multiline else forms.TextInput(attrs=attrs)
    field = forms.CharField(label=label, required=False, strip=False, widget=kwargs.pop("widget", widget), **kwargs)
    # Django refuses a NUL character itself; the service refuses it, with every other rule of the field.
    field.validators = [v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)]
    return field


def add_field_errors(
    form: forms.Form, errors: ValidationFailed | list[FieldError], *, fields: Mapping[str, str] | None = None
) -> None:
    """Show each error beside the form's field it names (``fields`` maps other names to the form's), else on top."""
    mapping = dict(fields or {})
    for error in errors.errors if isinstance(errors, ValidationFailed) else errors:
        name = mapping.get(error.field, error.field)
        add_error(form, name if name in form.fields else None, error.message)


def add_error(form: forms.Form, field: str | None, message: str) -> None:
    """Add ``message`` to ``form``, bound or not (an unbound form shows a saved draft's submission checks)."""
    if not form.is_bound:
        form.errors  # noqa: B018  (creates the error dict of an unbound form)
        form.cleaned_data = {}
    form.add_error(field, message)
