"""A real OpenID Connect provider inside the tests: django-oauth-toolkit's, on the test's live server.

The "institution" signs its people in at ``/idp/`` (this same Django process, its own users); what it says
about them (email, verified or not) comes from ``DIRECTORY``. ``TAMPER`` makes it misbehave for one test:
an expired ID token, or one addressed to another client.
"""

# The institution's directory: its username -> (email, whether it verified the email).
DIRECTORY: dict[str, tuple[str, bool]] = {}
TAMPER: set[str] = set()
