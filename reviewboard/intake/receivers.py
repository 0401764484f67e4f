"""Hear the reader side's follow-up questions and record them in the outbox for the editors.

``articles`` sends the signal (it cannot import ``reviewboard``); importing this module connects
the receiver. ``ReviewboardConfig.ready()`` should import it so it is connected in every process.
"""

from django.dispatch import receiver

from articles.signals import followup_received
from reviewboard import events


@receiver(followup_received, dispatch_uid="reviewboard.intake.followup_received")
def publish_followup_received(sender, question, **kwargs):
    """Record a ``question_received`` event for the editors in the transaction that stores the question."""
    events.publish("question_received", article_id=question.article_id, actor_id=None, question_id=question.pk)
