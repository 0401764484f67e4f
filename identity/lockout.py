"""How django-axes names the account a sign-in attempt was for.

Lockout is per username and client address (``AXES_LOCKOUT_PARAMETERS``): failures from one address lock
only that pair, so an editor under attack from a shared address still signs in from another one, and a
password reset by the emailed link lifts their lockouts (identity.signals). docs/identity.md says more.
"""


def attempted_username(request, credentials) -> str | None:
    """Return the name typed: allauth's ``login`` field, or the API's ``username``."""
    for source in (credentials or {}, getattr(request, "POST", {})):
        for key in ("login", "username", "email"):
            value = source.get(key)
            if value:
                return str(value).strip()
    return None
