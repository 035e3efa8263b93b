"""The signing key: base64 or PEM, a stable key id, signatures over canonical JSON."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ec import SECP256R1, generate_private_key

from hub.audit.signing import (
    AuditKey,
    SigningKeyError,
    load_public_pem,
    new_key_text,
    parse_private_key,
    signature_valid,
)


def test_base64_and_pem_forms_of_one_key_are_the_same_key() -> None:
    text = new_key_text()
    assert len(base64.b64decode(text)) == 32
    key = AuditKey(parse_private_key(text), "configured")
    pem = key.private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    same = AuditKey(parse_private_key(pem), "configured")
    assert same.key_id == key.key_id and len(key.key_id) == 16
    assert load_public_pem(key.public_pem) is not None


def test_unreadable_or_foreign_keys_are_refused_in_french() -> None:
    ec = generate_private_key(SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    for text in ("", "abc", base64.b64encode(b"x" * 31).decode(), ec.decode()):
        with pytest.raises(SigningKeyError, match="cae-hub audit init-key"):
            parse_private_key(text)


def test_a_signature_covers_the_canonical_json_whatever_the_key_order() -> None:
    key = AuditKey.derived("un secret de développement")
    signature = key.sign({"b": 1, "a": [1, "é"]})
    assert signature_valid(key.public, {"a": [1, "é"], "b": 1}, signature)
    assert not signature_valid(key.public, {"a": [1, "e"], "b": 1}, signature)
    assert not signature_valid(key.public, {"a": [1, "é"], "b": 1}, "pas une signature")
    other = AuditKey.derived("un autre secret")
    assert other.key_id != key.key_id
    assert AuditKey.derived("un secret de développement").key_id == key.key_id
