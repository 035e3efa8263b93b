"""``cae-hub audit``: init-key prints a usable key line, verify reports in French and exits
non-zero naming the first broken event."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from hub.audit.service import audit_service, record
from hub.audit.signing import parse_private_key
from hub.config import Settings
from hub.db import session_scope
from tests.cli import cli_runner
from tests.databases import fresh_database


def test_init_key_prints_the_line_to_put_in_the_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    result = cli_runner(monkeypatch, capsys, "audit")("init-key")
    assert result.code == 0
    name, value = result.out.strip().split("=", 1)
    assert name == "HUB_AUDIT_SIGNING_KEY"
    parse_private_key(value)
    assert value not in result.err
    assert Settings(environment="development", audit_signing_key=value).audit_signing_key


def test_verify_checkpoint_and_tampering_from_the_command_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with fresh_database("sqlite", tmp_path) as engine:
        audit_service.configure(Settings(environment="development"))
        with session_scope(engine) as session:
            for number in range(3):
                record(session, kind="token.issued", details={"token_id": number})
        run = cli_runner(monkeypatch, capsys, "audit", engine=engine)
        assert run("checkpoint").out.strip() == "point de contrôle signé sur l'événement n° 3"
        assert run("checkpoint").out.startswith("rien de neuf")
        intact = run("verify")
        assert intact.code == 0, intact.err
        assert intact.out.startswith(
            "piste d'audit intègre : 3 événements, 1 points de contrôle signés"
        )
        assert "clé de développement" in intact.out  # no HUB_AUDIT_SIGNING_KEY here

        with engine.begin() as connection:
            connection.execute(text("UPDATE audit_event SET actor_id = 5 WHERE sequence = 2"))
        broken = run("verify")
        assert broken.code == 1
        assert broken.err.startswith("erreur : événement n° 2 : empreinte incorrecte")


def test_verify_with_a_configured_key_and_a_checkpoint_signed_by_another(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    run_init = cli_runner(monkeypatch, capsys, "audit")
    first = run_init("init-key").out.strip().split("=", 1)[1]
    second = run_init("init-key").out.strip().split("=", 1)[1]
    with fresh_database("sqlite", tmp_path) as engine:
        run = cli_runner(monkeypatch, capsys, "audit", engine=engine)
        monkeypatch.setenv("HUB_AUDIT_SIGNING_KEY", first)
        audit_service.configure(Settings())
        with session_scope(engine) as session:
            record(session, kind="token.issued", details={"token_id": 1})
        assert run("checkpoint").code == 0
        ok = run("verify")
        assert ok.code == 0 and "clé de développement" not in ok.out
        monkeypatch.setenv("HUB_AUDIT_SIGNING_KEY", second)
        other = run("verify")
        assert other.code == 1
        assert "point de contrôle de l'événement n° 1 : signé par une autre clé" in other.err


def test_the_checkpoint_job_signs_only_what_is_new(tmp_path: Path) -> None:
    from hub.audit.tasks import sign_checkpoint
    from hub.db import utcnow

    settings = Settings(environment="test")
    with fresh_database("sqlite", tmp_path) as engine:
        with session_scope(engine) as session:
            assert sign_checkpoint(session, utcnow(), settings).startswith("rien de neuf")
            record(session, kind="token.issued", details={"token_id": 1})
            record(session, kind="token.revoked", details={"token_id": 1})
        with session_scope(engine) as session:
            done = sign_checkpoint(session, utcnow(), settings)
            assert done == "point de contrôle signé sur l'événement n° 2"
            assert sign_checkpoint(session, utcnow(), settings).startswith("rien de neuf")
