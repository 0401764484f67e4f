"""Readers' follow-up questions: the form, the rate limit and the service that stores one."""

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from articles.exceptions import ValidationFailed
from articles.followup_models import QUESTION_MAX_LENGTH, FollowUpQuestion
from articles.models import Article
from articles.signals import followup_received

RATE_KEY = "followup-rate:{client}"


class FollowUpForm(forms.Form):
    question = forms.CharField(
        label="Your question",
        max_length=QUESTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Please leave out names and other details that identify you or someone else.",
    )
    email = forms.EmailField(
        label="Email (optional)",
        required=False,
        help_text="Only if you would like the editors to tell you when an answer is published.",
    )
    # A honeypot: hidden from people, filled in by bots.
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def clean_question(self):
        question = self.cleaned_data["question"].strip()
        if len(question) < 10:
            raise forms.ValidationError("Please write your question in a sentence or two.")
        return question

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
    """Count one question from ``client``; return whether it is over FOLLOWUP_RATE_LIMIT per window."""
    key = RATE_KEY.format(client=client)
    cache.add(key, 0, timeout=settings.FOLLOWUP_RATE_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # the key expired between add and incr
        cache.add(key, 1, timeout=settings.FOLLOWUP_RATE_WINDOW)
        count = 1
    return count > settings.FOLLOWUP_RATE_LIMIT


def followup_create(*, article: Article, question: str, email: str = "") -> FollowUpQuestion:
    """Store a reader's question about a published article and tell the editors."""
    question = question.strip()
    errors = []
    if not question:
        errors.append("The question is required.")
    if len(question) > QUESTION_MAX_LENGTH:
        errors.append(f"The question is longer than {QUESTION_MAX_LENGTH} characters.")
    if not Article.objects.published().filter(pk=article.pk).exists():
        errors.append("Questions can be asked only about published articles.")
    if errors:
        raise ValidationFailed(errors)
    with transaction.atomic():
        followup = FollowUpQuestion.objects.create(article=article, question=question, email=email.strip())
        followup_received.send(sender=FollowUpQuestion, question=followup)
    return followup
