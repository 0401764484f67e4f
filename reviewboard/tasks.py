import logging

from celery import shared_task

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def handle_event(event: dict) -> None:
    """Handle one workflow event after its transaction committed."""
    logger.info("workflow event %s", event)
