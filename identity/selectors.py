"""Identity's reads: what a person's security page shows."""

from dataclasses import dataclass, field

from allauth.mfa.models import Authenticator
from django.contrib.auth.models import User

from identity.models import SignIn
from identity.policy import second_factor_required

SIGN_INS_SHOWN = 20


@dataclass
class SecurityOverview:
    second_factor_required: bool
    totp: Authenticator | None = None
    security_keys: list[Authenticator] = field(default_factory=list)
    recovery_codes_left: int | None = None
    sign_ins: list[SignIn] = field(default_factory=list)

    @property
    def has_factor(self) -> bool:
        return self.totp is not None or bool(self.security_keys)


def security_overview(user: User) -> SecurityOverview:
    """Return ``user``'s factors, recovery codes left and latest sign-ins."""
    overview = SecurityOverview(second_factor_required=second_factor_required(user))
    for authenticator in Authenticator.objects.filter(user=user).order_by("created_at"):
        if authenticator.type == Authenticator.Type.TOTP:
            overview.totp = authenticator
        elif authenticator.type == Authenticator.Type.WEBAUTHN:
            overview.security_keys.append(authenticator)
        elif authenticator.type == Authenticator.Type.RECOVERY_CODES:
            overview.recovery_codes_left = len(authenticator.wrap().get_unused_codes())
    overview.sign_ins = list(SignIn.objects.filter(user=user)[:SIGN_INS_SHOWN])
    return overview
