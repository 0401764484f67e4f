"""Readers' follow-up questions: the form, the rate limit and the service that stores one."""

import logging

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from articles import text
from articles.availability import cache_unavailable
from articles.followup_models import FollowUpQuestion
from articles.forms import text_field
from articles.models import Article
from articles.signals import followup_received

QUESTION_MIN_LENGTH = 10

RATE_KEY = "followup-rate:{client}"

logger = logging.getLogger(__name__)


class FollowUpForm(forms.Form):
    """Parses the reader's question; ``followup_create`` decides whether it is acceptable."""

    question = text_field(
        text.QUESTION,
        label="Your question",
        required=True,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": text.QUESTION.max_length, "required": "required"}),
        help_text="Please leave out names and other details that identify you or someone else.",
    )
    email = text_field(
        text.EMAIL,
        label="Email (optional)",
        widget=forms.EmailInput(attrs={"maxlength": text.EMAIL.max_length}),
        help_text="Only if you would like the editors to tell you when an answer is published.",
    )
    # A honeypot: hidden from people, filled in by bots.
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    @property
    def is_spam(self) -> bool:
        return bool(self.cleaned_data.get("website"))


def client_address(request) -> str:
    """Return the client's address: REMOTE_ADDR, or the entry the trusted proxies appended."""
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies and len(forwarded) >= proxies:
        return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR", "unknown")


def followup_rate_exceeded(*, client: str) -> bool:
    """Count one question from ``client``; return whether it is over FOLLOWUP_RATE_LIMIT per window.

    While Redis is unreachable the limit is open (articles.availability): a reader's question is accepted, and
    the honeypot and the editors' intake queue still stand between a flood and anyone's inbox.
    """
    key = RATE_KEY.format(client=client)
    try:
        cache.add(key, 0, timeout=settings.FOLLOWUP_RATE_WINDOW)
        try:
            count = cache.incr(key)
        except ValueError:  # the key expired between add and incr
            cache.add(key, 1, timeout=settings.FOLLOWUP_RATE_WINDOW)
            count = 1
    except Exception as error:
        if not cache_unavailable(error):
            raise
        logger.warning("follow-up rate limit store unreachable: question let through", exc_info=True)
        return False
    return count > settings.FOLLOWUP_RATE_LIMIT


def followup_create(*, article: Article, question: str, email: str = "") -> FollowUpQuestion:
    """Store a reader's question about a published article and tell the editors."""
    errors = text.FieldErrors()
    question = errors.text(question, text.QUESTION, field="question", required=True)
    if question and len(question) < QUESTION_MIN_LENGTH:
        errors.add("question", "Please write your question in a sentence or two.", "min_length")
    email = errors.text(email, text.EMAIL, field="email")
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors.add("email", "Enter an email address like name@example.org, or leave it empty.", "invalid")
    if not Article.objects.published().filter(pk=article.pk).exists():
        errors.add("", "Questions can be asked only about published articles.", "not_published")
    errors.raise_if_any()
    with transaction.atomic():
        followup = FollowUpQuestion.objects.create(article=article, question=question, email=email)
        followup_received.send(sender=FollowUpQuestion, question=followup)
    return followup
