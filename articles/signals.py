"""Signals ``articles`` sends so that ``reviewboard`` can react without ``articles`` importing it."""

from django.dispatch import Signal

# Sent inside the transaction that stores a reader's follow-up question, with ``question``:
# a receiver that writes (the review board's outbox) commits or rolls back with the question.
followup_received = Signal()

# Sent after a change readers can see has committed and the reader cache retired its pages, with
# ``surrogate_keys``: the keys (Surrogate-Key header) of the responses a CDN or caching proxy in front must purge.
# Connect a receiver that calls the CDN's purge-by-key API (docs/operations.md); none is connected by default.
reader_pages_retired = Signal()
