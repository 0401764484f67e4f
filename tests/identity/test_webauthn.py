"""A security key's assertion signs in only the person whose key it is (allauth's WebAuthn, with a software key)."""

import hashlib
import json
import logging
import os

import pytest
from allauth.core import context
from allauth.mfa.webauthn.forms import AuthenticateWebAuthnForm
from allauth.mfa.webauthn.internal.auth import WebAuthn, begin_authentication
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory
from fido2.cose import ES256
from fido2.utils import websafe_encode
from fido2.webauthn import AttestationObject, AttestedCredentialData, AuthenticatorData, CollectedClientData

from tests import factories

pytestmark = pytest.mark.django_db

ORIGIN, RP_ID = "http://testserver", "testserver"
RP_HASH = hashlib.sha256(RP_ID.encode()).digest()


class SoftwareKey:
    """A security key in software: one credential, registered for one person."""

    def __init__(self):
        self.private = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(16)

    def registration(self) -> dict:
        attested = AttestedCredentialData.create(
            b"\0" * 16, self.credential_id, ES256.from_cryptography_key(self.private.public_key())
        )
        flags = AuthenticatorData.FLAG.UP | AuthenticatorData.FLAG.UV | AuthenticatorData.FLAG.AT
        auth_data = AuthenticatorData.create(RP_HASH, flags, 0, attested)
        client_data = CollectedClientData.create(type="webauthn.create", challenge=os.urandom(32), origin=ORIGIN)
        return {
            "id": websafe_encode(self.credential_id),
            "rawId": websafe_encode(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": websafe_encode(client_data),
                "attestationObject": websafe_encode(AttestationObject.create("none", auth_data, {})),
            },
            "clientExtensionResults": {},
        }

    def assertion(self, challenge: bytes, user_handle: bytes) -> dict:
        flags = AuthenticatorData.FLAG.UP | AuthenticatorData.FLAG.UV
        auth_data = AuthenticatorData.create(RP_HASH, flags, 1)
        client_data = CollectedClientData.create(type="webauthn.get", challenge=challenge, origin=ORIGIN)
        signature = self.private.sign(bytes(auth_data) + client_data.hash, ec.ECDSA(hashes.SHA256()))
        return {
            "id": websafe_encode(self.credential_id),
            "rawId": websafe_encode(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": websafe_encode(client_data),
                "authenticatorData": websafe_encode(auth_data),
                "signature": websafe_encode(signature),
                "userHandle": websafe_encode(user_handle),
            },
            "clientExtensionResults": {},
        }


@pytest.fixture
def request_context(settings):
    settings.MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
    request = RequestFactory().post("/accounts/2fa/authenticate/")
    request.session = SessionStore()
    with context.request_context(request):
        yield request


def _challenge(user) -> bytes:
    return begin_authentication(user)["publicKey"]["challenge"]


def test_a_key_signs_in_its_owner(request_context):
    owner = factories.EditorFactory(username="owner")
    key = SoftwareKey()
    WebAuthn.add(owner, "Owner's key", key.registration())
    form = AuthenticateWebAuthnForm(
        user=owner, data={"credential": json.dumps(key.assertion(_challenge(owner), str(owner.pk).encode()))}
    )
    assert form.is_valid(), form.errors


def test_an_assertion_by_another_persons_key_is_refused_and_logged(request_context, caplog):
    owner, target = factories.EditorFactory(username="owner"), factories.EditorFactory(username="target")
    owners_key, targets_key = SoftwareKey(), SoftwareKey()
    WebAuthn.add(owner, "Owner's key", owners_key.registration())
    WebAuthn.add(target, "Target's key", targets_key.registration())
    # The owner's genuine signature over the challenge issued for the target's sign-in.
    assertion = owners_key.assertion(_challenge(target), str(target.pk).encode())
    with caplog.at_level(logging.WARNING, logger="identity"):
        form = AuthenticateWebAuthnForm(user=target, data={"credential": json.dumps(assertion)})
        assert not form.is_valid()
    assert "Incorrect code." in str(form.errors)
    assert "second factor refused" in caplog.text
