"""Settings refuse to run production unsafely."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hub.config import DEFAULT_SECRET, Settings

STRONG = "x" * 40
POSTGRES = "postgresql+psycopg://hub@db/hub"


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
        Settings(environment="production", secret_key=STRONG)
    allowed = Settings(environment="production", secret_key=STRONG, allow_sqlite_in_production=True)
    assert allowed.is_sqlite


def test_production_with_postgres_and_a_secret_starts() -> None:
    settings = Settings(environment="production", database_url=POSTGRES, secret_key=STRONG)
    assert not settings.is_sqlite
    assert STRONG not in repr(settings)


def test_environment_variables_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_PORT", "8123")
    monkeypatch.setenv("HUB_LOG_LEVEL", "DEBUG")
    settings = Settings()
    assert settings.port == 8123
    assert settings.log_level == "DEBUG"
