"""The hub's Ed25519 key: loading it from the settings, signing and checking canonical JSON.

Nothing here imports the rest of the hub, so that a CAE's client can check a receipt with the
public key alone.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from typing import Any, Literal

import rfc8785
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

KeyOrigin = Literal["configured", "derived"]
_DERIVATION_LABEL = b"cae-hub audit signing key v1\n"


class SigningKeyError(ValueError):
    """The configured key cannot be read; the message says what to do."""


def canonical(payload: Any) -> bytes:
    """RFC 8785 canonical JSON of ``payload``: the bytes that are hashed and signed."""
    return rfc8785.dumps(payload)


def parse_private_key(text: str) -> Ed25519PrivateKey:
    """An Ed25519 private key from PEM (PKCS#8) or the base64 of its 32 raw bytes."""
    text = text.strip()
    if text.startswith("-----BEGIN"):
        try:
            key = serialization.load_pem_private_key(text.encode(), password=None)
        except (ValueError, TypeError):
            raise SigningKeyError(_UNREADABLE) from None
        if not isinstance(key, Ed25519PrivateKey):
            raise SigningKeyError(_UNREADABLE)
        return key
    try:
        raw = base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=False)
    except (binascii.Error, ValueError):
        raise SigningKeyError(_UNREADABLE) from None
    if len(raw) != 32:
        raise SigningKeyError(_UNREADABLE)
    return Ed25519PrivateKey.from_private_bytes(raw)


_UNREADABLE = (
    "HUB_AUDIT_SIGNING_KEY illisible : attendu une clé Ed25519 (base64 de 32 octets ou PEM) ; "
    "générez-en une avec « cae-hub audit init-key »"
)


def new_key_text() -> str:
    """A fresh private key, as the base64 text HUB_AUDIT_SIGNING_KEY takes."""
    raw = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )
    return base64.b64encode(raw).decode()


def key_id_of(public: Ed25519PublicKey) -> str:
    """A short, stable name for a public key: the start of the SHA-256 of its raw bytes."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def public_pem(public: Ed25519PublicKey) -> str:
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def load_public_pem(pem: str) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem.encode())
    if not isinstance(key, Ed25519PublicKey):
        raise SigningKeyError("clé publique : Ed25519 attendue")
    return key


@dataclass(frozen=True)
class AuditKey:
    """The signing key and how it was obtained (``derived``: development only)."""

    private: Ed25519PrivateKey
    origin: KeyOrigin

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    @property
    def key_id(self) -> str:
        return key_id_of(self.public)

    @property
    def public_pem(self) -> str:
        return public_pem(self.public)

    def sign(self, payload: Any) -> str:
        """The base64 Ed25519 signature of the canonical JSON of ``payload``."""
        return base64.b64encode(self.private.sign(canonical(payload))).decode()

    @classmethod
    def derived(cls, secret: str) -> AuditKey:
        """A key derived from HUB_SECRET_KEY, for development and tests without a key: every
        process of one hub gets the same, but it is only as secret as HUB_SECRET_KEY."""
        seed = hashlib.sha256(_DERIVATION_LABEL + secret.encode()).digest()
        return cls(Ed25519PrivateKey.from_private_bytes(seed), "derived")


def signature_valid(public: Ed25519PublicKey, payload: Any, signature: str) -> bool:
    """True when ``signature`` (base64) signs the canonical JSON of ``payload``."""
    try:
        public.verify(base64.b64decode(signature, validate=True), canonical(payload))
    except (InvalidSignature, binascii.Error, ValueError):
        return False
    return True


def receipt_valid(receipt: dict[str, Any], public: Ed25519PublicKey) -> bool:
    """True when a receipt the hub gave was signed by ``public``: what a CAE checks."""
    body = {k: v for k, v in receipt.items() if k != "signature"}
    signature = receipt.get("signature")
    return isinstance(signature, str) and signature_valid(public, body, signature)
