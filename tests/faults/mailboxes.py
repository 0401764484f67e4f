"""Mail backends for the fault suite: one that refuses every message, one that refuses nothing."""

from django.core.mail import outbox
from django.core.mail.backends.base import BaseEmailBackend


class RefusingBackend(BaseEmailBackend):
    """A mail server that answers every message with an error."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("the mail server refused the connection")


__all__ = ["RefusingBackend", "outbox"]
