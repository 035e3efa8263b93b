"""The cryptography of payroll delegation, pure functions shared by the hub and the client.

- Each CAE holds two key pairs, made at its own site: X25519 to receive (HPKE) and Ed25519 to
  sign. Their public halves are registered with the hub; one fingerprint names the pair.
- Each mandate has a data key pair (X25519). Payloads are encrypted to its public half with
  HPKE (X25519, HKDF-SHA256, ChaCha20-Poly1305), the mandate, month and kind bound as the HPKE
  ``info``. Its private half travels only wrapped — HPKE-encrypted to one party's own key —
  and the hub keeps only these wrappings: destroying them at the end of the mandate leaves
  every stored ciphertext undecryptable (crypto-shredding).
- The sender signs the :class:`~cae_contract.payroll.Statement` of each payload (Ed25519):
  the hub checks who sent what without decrypting it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hpke
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

__all__ = [
    "SUITE",
    "CannotDecrypt",
    "KeyPair",
    "b64",
    "data_key_statement",
    "decrypt",
    "encrypt",
    "fingerprint",
    "from_b64",
    "signature_valid",
    "unwrap_data_key",
    "wrap_data_key",
]

SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)
_WRAP_INFO = b"cae-hub-cle-de-mandat/1|"
_FINGERPRINT_INFO = b"cae-hub-cles/1|"


class CannotDecrypt(Exception):
    """The ciphertext does not open with this key in this context: wrong key, or altered."""


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def from_b64(text: str) -> bytes:
    """Strict base64, or ``ValueError``."""
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise ValueError("base64 invalide") from None


def _raw(key: X25519PublicKey | Ed25519PublicKey) -> bytes:
    return key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def fingerprint(encryption: bytes, signing: bytes) -> str:
    """The fingerprint of a CAE's two public keys, to compare out of band: 32 hexadecimal
    characters in groups of four."""
    digest = hashlib.sha256(_FINGERPRINT_INFO + encryption + signing).hexdigest()[:32]
    return " ".join(digest[i : i + 4] for i in range(0, 32, 4))


def encryption_key(raw: bytes) -> X25519PublicKey:
    if len(raw) != 32:
        raise ValueError("une clé publique X25519 fait 32 octets")
    return X25519PublicKey.from_public_bytes(raw)


def signing_key(raw: bytes) -> Ed25519PublicKey:
    if len(raw) != 32:
        raise ValueError("une clé publique Ed25519 fait 32 octets")
    return Ed25519PublicKey.from_public_bytes(raw)


@dataclass(frozen=True)
class KeyPair:
    """A CAE's private keys (kept at the CAE only) and what it publishes of them."""

    encryption: X25519PrivateKey
    signing: Ed25519PrivateKey

    @classmethod
    def generate(cls) -> KeyPair:
        return cls(X25519PrivateKey.generate(), Ed25519PrivateKey.generate())

    @classmethod
    def from_raw(cls, encryption: bytes, signing: bytes) -> KeyPair:
        return cls(
            X25519PrivateKey.from_private_bytes(encryption),
            Ed25519PrivateKey.from_private_bytes(signing),
        )

    def private_raw(self) -> tuple[bytes, bytes]:
        return self.encryption.private_bytes_raw(), self.signing.private_bytes_raw()

    @property
    def encryption_public(self) -> bytes:
        return _raw(self.encryption.public_key())

    @property
    def signing_public(self) -> bytes:
        return _raw(self.signing.public_key())

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.encryption_public, self.signing_public)

    def sign(self, message: bytes) -> bytes:
        return self.signing.sign(message)


def signature_valid(public: bytes, message: bytes, signature: bytes) -> bool:
    """Whether ``signature`` is the Ed25519 signature of ``message`` by ``public``."""
    try:
        signing_key(public).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


def encrypt(plaintext: bytes, recipient: bytes, context: bytes) -> bytes:
    """``plaintext`` encrypted to the X25519 public key ``recipient``, bound to ``context``."""
    return SUITE.encrypt(plaintext, encryption_key(recipient), info=context)


def decrypt(ciphertext: bytes, private: X25519PrivateKey, context: bytes) -> bytes:
    """The plaintext, or :class:`CannotDecrypt`."""
    try:
        return SUITE.decrypt(ciphertext, private, info=context)
    except (InvalidTag, ValueError) as error:
        raise CannotDecrypt(str(error) or "déchiffrement impossible") from None


def data_key_statement(mandate: str, data_public: bytes) -> bytes:
    """What the CAE that makes a mandate's data key signs: the other CAE checks it, so that
    the hub cannot slip in a data key of its own."""
    return _WRAP_INFO + f"{mandate}|{b64(data_public)}".encode("ascii")


def wrap_data_key(data_key: X25519PrivateKey, recipient: bytes, mandate: str) -> bytes:
    """The mandate's private data key, encrypted to one party's encryption key."""
    raw = data_key.private_bytes_raw()
    return encrypt(raw, recipient, _WRAP_INFO + mandate.encode("ascii"))


def unwrap_data_key(wrapped: bytes, private: X25519PrivateKey, mandate: str) -> X25519PrivateKey:
    raw = decrypt(wrapped, private, _WRAP_INFO + mandate.encode("ascii"))
    return X25519PrivateKey.from_private_bytes(raw)
