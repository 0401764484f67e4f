"""Domain errors. Each carries a message fit to show a person.

The refusal policy, the same on every surface (web, API, admin):
- ``NotFound``: there is no such object *for this person*. A draft, an assignment or a question
  that a person has no standing to see is answered exactly like one that does not exist (404),
  so its existence never leaks.
- ``ActionForbidden``: the person may see the object (or the surface is simply not theirs, like
  the editors' desk for an author) but may not do this (403, with the reason).
- ``InvalidTransition``: the person may do this in general, but the object's state does not allow
  it now (409 in the API; a message beside the object on the web).
- ``ValidationFailed``: the input is not acceptable; it lists ``FieldError`` rows (400), which
  every surface places beside the field they name.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.http import Http404


class DomainError(Exception):
    """Base of every error the services raise on purpose."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


# NotFound and ActionForbidden are also Django's own Http404 and PermissionDenied, so that a view, the
# admin or the API that lets one through answers 404 or 403 the way Django and DRF do, never 500.


class NotFound(DomainError, Http404):
    """No such object for this person, or none at all: the two are not told apart."""


class ActionForbidden(DomainError, PermissionDenied):
    """The actor may not do this to this object."""


class InvalidTransition(DomainError):
    """The object's state does not allow this action now."""


@dataclass(frozen=True)
class FieldError:
    """One problem with one field of the input.

    ``field`` names the field ("title", "reason"), or a field of an item in a list with a dot
    ("sections.body", "references.year"), or the list itself ("sections"); "" is about the input as
    a whole. ``index`` is the item's position in its list, from 0. ``code`` is stable for programs.
    """

    field: str
    message: str
    code: str = "invalid"
    index: int | None = None

    def as_dict(self) -> dict[str, object]:
        return {"field": self.field, "index": self.index, "code": self.code, "message": self.message}


class ValidationFailed(DomainError):
    """The content is not acceptable; ``errors`` lists each problem as a ``FieldError``."""

    def __init__(self, errors: Iterable[FieldError]):
        self.errors: list[FieldError] = list(errors)
        super().__init__(" ".join(error.message for error in self.errors))

    @classmethod
    def one(cls, field: str, message: str, code: str = "invalid", index: int | None = None) -> "ValidationFailed":
        """Return the error of a single field."""
        return cls([FieldError(field, message, code, index)])

    @property
    def messages(self) -> list[str]:
        return [error.message for error in self.errors]
