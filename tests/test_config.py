"""Settings refuse to run production unsafely."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hub.audit.signing import new_key_text
from hub.config import DEFAULT_SECRET, Settings

STRONG = "x" * 40
POSTGRES = "postgresql+psycopg://hub@db/hub"
AUDIT_KEY = new_key_text()


def test_development_accepts_defaults() -> None:
    settings = Settings(environment="development")
    assert settings.is_sqlite


def test_production_refuses_the_default_secret() -> None:
    with pytest.raises(ValidationError, match="HUB_SECRET_KEY"):
        Settings(environment="production", database_url=POSTGRES, secret_key=DEFAULT_SECRET)


def test_production_refuses_a_short_secret() -> None:
    with pytest.raises(ValidationError, match="32 caractères"):
        Settings(environment="production", database_url=POSTGRES, secret_key="court")


def test_production_refuses_sqlite_unless_told() -> None:
    with pytest.raises(ValidationError, match="PostgreSQL"):
        Settings(environment="production", secret_key=STRONG, audit_signing_key=AUDIT_KEY)
    allowed = Settings(
        environment="production",
        secret_key=STRONG,
        allow_sqlite_in_production=True,
        audit_signing_key=AUDIT_KEY,
    )
    assert allowed.is_sqlite


def test_production_with_postgres_and_a_secret_starts() -> None:
    settings = Settings(
        environment="production",
        database_url=POSTGRES,
        secret_key=STRONG,
        audit_signing_key=AUDIT_KEY,
    )
    assert not settings.is_sqlite
    assert STRONG not in repr(settings)
    assert AUDIT_KEY not in repr(settings)


def test_production_refuses_to_start_without_an_audit_key() -> None:
    with pytest.raises(ValidationError, match="cae-hub audit init-key"):
        Settings(environment="production", database_url=POSTGRES, secret_key=STRONG)


def test_an_unreadable_audit_key_is_refused_in_any_environment() -> None:
    with pytest.raises(ValidationError, match="HUB_AUDIT_SIGNING_KEY illisible"):
        Settings(environment="development", audit_signing_key="pas une clé")


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_PORT", "8123")
    monkeypatch.setenv("HUB_LOG_LEVEL", "DEBUG")
    settings = Settings()
    assert settings.port == 8123
    assert settings.log_level == "DEBUG"
