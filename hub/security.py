"""Secrets: API tokens (shown once, stored as SHA-256) and passwords (Argon2)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

TOKEN_PREFIX = "caeh_"  # noqa: S105 - a public marker, not a secret
_TOKEN_BYTES = 32
_password_hasher = PasswordHasher()


def new_token() -> str:
    """A fresh token: recognisable prefix + 256 random bits, URL-safe."""
    return TOKEN_PREFIX + secrets.token_urlsafe(_TOKEN_BYTES)


def token_hash(token: str) -> str:
    """What the database keeps of a token.

    A token carries 256 random bits, so a fast hash is enough: nobody can guess it back,
    and a lookup by hash stays one indexed query.
    """
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def token_display_prefix(token: str) -> str:
    """The part of a token that may be shown again, to recognise it in a list."""
    return token[: len(TOKEN_PREFIX) + 6]


def looks_like_token(value: str) -> bool:
    return value.startswith(TOKEN_PREFIX) and 20 <= len(value) <= 128


def hash_password(password: str) -> str:
    return _password_hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _password_hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    """True when ``password_hash`` was made with other Argon2 parameters than today's."""
    try:
        return _password_hasher.check_needs_rehash(password_hash)
    except (InvalidHashError, ValueError):
        return False


def new_password() -> str:
    return secrets.token_urlsafe(15)


def same_secret(left: str, right: str) -> bool:
    return hmac.compare_digest(left.encode(), right.encode())
