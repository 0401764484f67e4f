"""What text a person may write, field by field: one set of limits and character rules for every surface.

The services clean every field a person writes through ``FieldErrors.text`` with the field's
``TextRule``; the web forms, the API serializers and the admin only parse the request and take
their limits from here for display. Cleaning normalizes line endings to ``\\n`` and Unicode to NFC, so
text saved unchanged is stored unchanged.
"""

import re
import unicodedata
from dataclasses import dataclass

from anyascii import anyascii
from django.utils.text import slugify

from articles.exceptions import FieldError, ValidationFailed


@dataclass(frozen=True)
class TextRule:
    """The limits of one kind of text: its name in messages, its length, and whether it may span lines."""

    label: str
    max_length: int
    multiline: bool = False


TITLE = TextRule("The title", 200)
SUMMARY_PATIENT = TextRule("The summary for patients and caregivers", 2000, multiline=True)
SUMMARY_PROFESSIONAL = TextRule("The summary for healthcare professionals", 2000, multiline=True)
SECTION_HEADING = TextRule("The heading", 200)
SECTION_BODY = TextRule("The text", 20_000, multiline=True)
CHANGE_NOTE = TextRule("The change note", 500)
READER_NOTE = TextRule("The note for readers", 1000, multiline=True)
PROFILE_LINE = TextRule("This field", 200)
PROFILE_TEXT = TextRule("This text", 2000, multiline=True)
REFERENCE_TITLE = TextRule("The title", 500)
REFERENCE_SOURCE = TextRule("The journal or issuing body", 300)
REFERENCE_AUTHORS = TextRule("The authors", 500)
REFERENCE_DOI = TextRule("The DOI", 200)
REFERENCE_PMID = TextRule("The PMID", 20)
REFERENCE_URL = TextRule("The URL", 500)
REFERENCE_VOLUME = TextRule("The volume", 20)
REFERENCE_ISSUE = TextRule("The issue", 20)
REFERENCE_PAGES = TextRule("The pages", 30)
SLUG = TextRule("The address", 200)
REASON = TextRule("The reason", 2000, multiline=True)
SHORT_REASON = TextRule("The reason", 500, multiline=True)
COMMENTS_TO_AUTHOR = TextRule("The comment to the authors", 20_000, multiline=True)
CONFIDENTIAL_COMMENTS = TextRule("The confidential comment", 20_000, multiline=True)
THREAD_COMMENT = TextRule("The comment", 5000, multiline=True)
QUOTED_PASSAGE = TextRule("The quoted passage", 5000, multiline=True)
CHECKLIST_NOTE = TextRule("The note", 2000, multiline=True)
RESPONSE_LETTER = TextRule("The response letter", 20_000, multiline=True)
QUESTION = TextRule("The question", 2000, multiline=True)
EMAIL = TextRule("The email address", 254)
TOKEN_NAME = TextRule("The token's name", 80)
USERNAME = TextRule("The username", 150)

MAX_SECTIONS = 30
MAX_REFERENCES = 200

_LINE_BREAKS = re.compile(r"\r\n?")
# Characters no field holds: NUL and lone surrogates (they cannot even be stored as UTF-8).
_SURROGATES = re.compile("[\ud800-\udfff]")
# Controls a multi-line field may hold; a single-line field holds none (nor line or paragraph separators).
_MULTILINE_CONTROLS = frozenset("\n\t")
_SINGLE_LINE_BREAKING = frozenset({"Zl", "Zp"})
_SLUG = re.compile(r"^[-a-z0-9]+$")


def normalize(text: str) -> str:
    """Return ``text`` with line endings as ``\\n`` and Unicode in NFC."""
    return unicodedata.normalize("NFC", _LINE_BREAKS.sub("\n", text))


def _encoding_problem(text: str, rule: TextRule) -> tuple[str, str] | None:
    if "\x00" in text:
        return "null_character", f"{rule.label} contains a NUL character."
    if _SURROGATES.search(text):
        return "invalid_characters", f"{rule.label} contains characters that are not valid text."
    return None


def _character_problem(text: str, rule: TextRule) -> tuple[str, str] | None:
    """Return the code and message of the first character ``rule`` forbids in normalized ``text``."""
    for character in text:
        category = unicodedata.category(character)
        if rule.multiline:
            if category == "Cc" and character not in _MULTILINE_CONTROLS:
                return "control_character", f"{rule.label} contains a control character (U+{ord(character):04X})."
        elif category == "Cc" or category in _SINGLE_LINE_BREAKING:
            if character in "\n\r\u2028\u2029\x85":
                return "line_break", f"{rule.label} must be a single line."
            return "control_character", f"{rule.label} contains a control character (U+{ord(character):04X})."
    return None


class FieldErrors:
    """Collects the problems of one input; ``raise_if_any`` raises them together."""

    def __init__(self) -> None:
        self.errors: list[FieldError] = []

    def add(self, field: str, message: str, code: str = "invalid", index: int | None = None) -> None:
        self.errors.append(FieldError(field, message, code, index))

    def text(
        self,
        value: object,
        rule: TextRule,
        *,
        field: str,
        index: int | None = None,
        item: str = "",
        required: bool = False,
        required_message: str = "",
    ) -> str:
        """Return ``value`` cleaned by ``rule``, or "" after recording why it cannot be.

        ``item`` names the item of a list the field belongs to ("Reference 2"), for the messages;
        ``required_message`` says what to do when a required field is empty.
        """
        if item:
            rule = TextRule(f"{item}: {rule.label[0].lower()}{rule.label[1:]}", rule.max_length, rule.multiline)
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.add(field, f"{rule.label} must be text.", "type", index)
            return ""
        problem = _encoding_problem(value, rule)
        text = normalize(value).strip() if problem is None else ""
        problem = problem or _character_problem(text, rule)
        if problem is not None:
            self.add(field, problem[1], problem[0], index)
            return ""
        if required and not text:
            self.add(field, required_message or f"{rule.label} is required.", "required", index)
        elif len(text) > rule.max_length:
            self.add(
                field,
                f"{rule.label} is longer than {rule.max_length:,} characters (it has {len(text):,}).",
                "max_length",
                index,
            )
            return ""
        return text

    def raise_if_any(self) -> None:
        if self.errors:
            raise ValidationFailed(self.errors)


def clean_text(value: object, rule: TextRule, *, field: str, required: bool = False, required_message: str = "") -> str:
    """Return one field's text cleaned by ``rule``; raise ValidationFailed if it cannot be."""
    errors = FieldErrors()
    text = errors.text(value, rule, field=field, required=required, required_message=required_message)
    errors.raise_if_any()
    return text


def slug_from_title(title: str) -> str:
    """Return a web address for ``title``, whatever its script: transliterated, or "article" if nothing is left."""
    slug = re.sub(r"[-_]+", "-", slugify(anyascii(title)))[: SLUG.max_length].strip("-")
    return slug or "article"


def slug_problem(slug: str) -> FieldError | None:
    """Return why ``slug`` is not a valid address, or None."""
    if not _SLUG.match(slug):
        return FieldError("slug", "The address may hold only lower-case letters, digits and hyphens.", "invalid_slug")
    if len(slug) > SLUG.max_length:
        return FieldError("slug", f"The address is longer than {SLUG.max_length} characters.", "max_length")
    return None
