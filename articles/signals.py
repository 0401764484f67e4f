"""Signals ``articles`` sends so that ``reviewboard`` can react without ``articles`` importing it."""

from django.dispatch import Signal

# Sent inside the transaction that stores a reader's follow-up question, with ``question``:
# a receiver that writes (the review board's outbox) commits or rolls back with the question.
followup_received = Signal()
