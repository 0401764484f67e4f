"""Domain errors. Each carries a message fit to show a person.

An authorization failure (``ActionForbidden``) and an action the article's state does not allow
(``InvalidTransition``) are different errors, so a user learns which of the two went wrong.
"""


class DomainError(Exception):
    """Base of every error the services raise on purpose."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ActionForbidden(DomainError):
    """The actor may not do this to this object."""


class InvalidTransition(DomainError):
    """The object's state does not allow this action now."""


class ValidationFailed(DomainError):
    """The content is not acceptable; ``errors`` lists each problem."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors
