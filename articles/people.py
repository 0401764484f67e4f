"""How people are named on every page, mail and export: by their name, never by their username."""

UNNAMED = "Unnamed account"


def person_name(user) -> str:
    """Return the name others see for ``user``: the full name, else the email address, never the username."""
    if user is None:
        return ""
    full = user.get_full_name().strip() if hasattr(user, "get_full_name") else ""
    return full or getattr(user, "email", "") or UNNAMED
