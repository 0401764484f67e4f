"""What identity remembers of its own: each sign-in, with its address and time."""

from django.conf import settings
from django.db import models


class SignInMethod(models.TextChoices):
    PASSWORD = "password", "Password"
    SECOND_FACTOR = "second_factor", "Password and second factor"
    SINGLE_SIGN_ON = "sso", "Single sign-on"
    OTHER = "other", "Other"


class SignIn(models.Model):
    """One successful sign-in: who, when, from which address and browser, and how."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sign_ins")
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    method = models.CharField(max_length=20, choices=SignInMethod.choices, default=SignInMethod.PASSWORD)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["user", "-at"], name="identity_signin_user_at")]

    def __str__(self) -> str:
        return f"{self.user_id} at {self.at:%Y-%m-%d %H:%M} from {self.address or 'unknown'}"


class ApiTokenName(models.Model):
    """The name a person gave one of their API tokens (knox keeps only its digest)."""

    token = models.OneToOneField("knox.AuthToken", on_delete=models.CASCADE, primary_key=True, related_name="label")
    name = models.CharField(max_length=80)

    def __str__(self) -> str:
        return self.name
