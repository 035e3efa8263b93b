"""Session settings: production refuses a session cookie that may travel in clear."""

from __future__ import annotations

import pytest

from hub.audit.signing import new_key_text
from hub.config import Settings

PRODUCTION = {
    "environment": "production",
    "database_url": "postgresql+psycopg://hub@db/hub",
    "secret_key": "x" * 40,
    "audit_signing_key": new_key_text(),
}


def test_production_refuses_an_insecure_session_cookie() -> None:
    with pytest.raises(ValueError, match="HUB_SESSION_COOKIE_SECURE"):
        Settings(**PRODUCTION, session_cookie_secure=False)  # type: ignore[arg-type]


def test_production_accepts_automatic_or_forced_secure_cookies() -> None:
    assert Settings(**PRODUCTION).session_cookie_secure is None  # type: ignore[arg-type]
    forced = Settings(**PRODUCTION, session_cookie_secure=True)  # type: ignore[arg-type]
    assert forced.session_cookie_secure is True


def test_session_settings_are_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HUB_SESSION_COOKIE_NAME", "session_federation")
    monkeypatch.setenv("HUB_SESSION_MAX_AGE_S", "3600")
    monkeypatch.setenv("HUB_LOGIN_MAX_FAILURES", "3")
    settings = Settings()
    assert settings.session_cookie_name == "session_federation"
    assert settings.session_max_age_s == 3600 and settings.login_max_failures == 3
    monkeypatch.setenv("HUB_SESSION_COOKIE_NAME", "nom avec espace;")
    with pytest.raises(ValueError, match="session_cookie_name"):
        Settings()
