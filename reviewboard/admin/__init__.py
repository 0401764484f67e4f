"""The workflow's admin, one module per concern. Every write it makes goes through a service."""

from reviewboard.admin import articles, board, log, outbox, review  # noqa: F401  (each registers its models)
