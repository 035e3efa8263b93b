"""Secrets at rest: tokens and passwords never reach the database nor the logs.

Everything is created through the admin API on a fresh database per backend; then the whole
database is dumped as text. The dump must hold the tokens' display prefixes, their SHA-256 and
Argon2 hashes (so that the test would see a secret if one were there), and no secret at all.
"""

from __future__ import annotations

import glob
import hashlib
import logging
import secrets
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, MetaData, select

from hub.config import Settings
from hub.db import session_scope
from hub.main import create_app
from hub.members.models import StaffRole
from hub.security import token_display_prefix
from tests.databases import fresh_database
from tests.factories import bearer, create_staff, issue_token, new_siren

BOOTSTRAP_PASSWORD = "amorçage : " + secrets.token_urlsafe(12)


@pytest.fixture
def own_engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    """A database of this test's own (the API commits), dropped afterwards."""
    with fresh_database(backend, tmp_path) as engine:
        yield engine


def pg_dump_binary() -> str | None:
    found = shutil.which("pg_dump")
    if found:
        return found
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_dump"),
        key=lambda path: int(Path(path).parts[-3]) if Path(path).parts[-3].isdigit() else 0,
    )
    return candidates[-1] if candidates else None


def dump_database(engine: Engine) -> str:
    """Every byte of data the database holds, as text."""
    url = engine.url
    engine.dispose()  # SQLite: checkpoint the WAL; PostgreSQL: no session left open
    if url.get_backend_name() == "sqlite":
        assert url.database is not None
        with sqlite3.connect(url.database) as connection:
            dump = "\n".join(connection.iterdump())
        raw = b"".join(
            path.read_bytes()
            for path in Path(url.database).parent.glob(Path(url.database).name + "*")
        )
        return dump + "\n" + raw.decode("latin-1")
    binary = pg_dump_binary()
    if binary is not None:
        command = [binary, "--no-owner", "--host", url.host or "127.0.0.1"]
        command += ["--port", str(url.port or 5432), "--username", url.username or "postgres"]
        env = {"PGPASSWORD": url.password or "", "PATH": "/usr/bin:/bin"}
        result = subprocess.run(  # noqa: S603 - fixed binary, our own throwaway database
            [*command, "--dbname", str(url.database)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )
        if result.returncode == 0:  # else (e.g. pg_dump older than the server): rows below
            return result.stdout
    metadata = MetaData()
    metadata.reflect(engine)
    with engine.connect() as connection:
        return "\n".join(
            f"{table.name}: {row!r}"
            for table in metadata.sorted_tables
            for row in connection.execute(select(table))
        )


def test_no_secret_at_rest_nor_in_logs(
    own_engine: Engine, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    engine = own_engine
    with session_scope(engine) as session:
        admin = create_staff(session, role=StaffRole.ADMIN, password=BOOTSTRAP_PASSWORD)
        admin_token = issue_token(session, staff=admin)
    # DEBUG: every line the hub can log is written, so that a leak would show.
    settings = Settings(environment="test", database_url=str(engine.url), log_level="DEBUG")
    app = create_app(settings, engine=engine)
    logging.getLogger().addHandler(caplog.handler)  # create_app replaced the root handlers
    caplog.set_level(logging.DEBUG)

    chosen_password = "Choisi-" + secrets.token_urlsafe(16)
    tokens = [admin_token]
    passwords = [BOOTSTRAP_PASSWORD, chosen_password]
    with TestClient(app) as client:
        as_admin = bearer(admin_token)
        siren = new_siren()
        member = client.post(
            "/v1/admin/members",
            headers=as_admin,
            json={
                "name": "Coop des secrets",
                "siren": siren,
                "region": "75",
                "departements": ["33"],
                "trades": ["43.21A"],
                "contact_email": "secrets@cae.example",
            },
        )
        assert member.status_code == 201, member.text

        chosen = client.post(
            "/v1/admin/staff",
            headers=as_admin,
            json={
                "email": "choisi@federation.example",
                "display_name": "Mot de passe choisi",
                "role": "staff",
                "password": chosen_password,
            },
        )
        assert chosen.status_code == 201, chosen.text
        assert chosen.json()["password"] is None
        assert chosen_password not in chosen.text

        drawn = client.post(
            "/v1/admin/staff",
            headers=as_admin,
            json={"email": "tire@federation.example", "display_name": "Mot de passe tiré"},
        )
        assert drawn.status_code == 201, drawn.text
        passwords.append(drawn.json()["password"])

        for owner in [{"member_siren": siren}, {"staff_email": "choisi@federation.example"}]:
            issued = client.post("/v1/admin/tokens", headers=as_admin, json=owner)
            assert issued.status_code == 201, issued.text
            tokens.append(issued.json()["token"])

        for token in tokens:
            me = client.get("/v1/me", headers=bearer(token))
            assert me.status_code == 200, me.text
            assert token not in me.text

        # Refusals must not echo what they refuse either.
        too_long = chosen_password + "x" * 300
        refused = client.post(
            "/v1/admin/staff",
            headers=as_admin,
            json={
                "email": "long@federation.example",
                "display_name": "Trop long",
                "password": too_long,
            },
        )
        assert refused.status_code == 422, refused.text
        assert chosen_password not in refused.text
        duplicate = client.post(
            "/v1/admin/staff",
            headers=as_admin,
            json={
                "email": "choisi@federation.example",
                "display_name": "Doublon",
                "password": chosen_password,
            },
        )
        assert duplicate.status_code == 409, duplicate.text
        assert chosen_password not in duplicate.text
        unknown = tokens[1][:-4] + "AAAA"
        rejected = client.get("/v1/me", headers=bearer(unknown))
        assert rejected.status_code == 401
        assert unknown not in rejected.text

        revoked_id = client.get("/v1/admin/tokens", headers=as_admin).json()[-1]["id"]
        revoked = client.post(f"/v1/admin/tokens/{revoked_id}/revoke", headers=as_admin)
        assert revoked.status_code == 200, revoked.text

    dump = dump_database(engine)
    for token in tokens:
        shown = token_display_prefix(token)
        assert token[len(shown) :] not in dump, f"jeton {shown}… en clair dans la base"
        assert shown in dump, f"préfixe {shown} absent : le vidage est-il complet ?"
        assert hashlib.sha256(token.encode()).hexdigest() in dump, f"empreinte de {shown}… absente"
    assert dump.count("$argon2id$") >= len(passwords), "hachages Argon2 absents du vidage"
    for number, password in enumerate(passwords):
        assert password not in dump, f"mot de passe n°{number} en clair dans la base"

    captured = capfd.readouterr()
    logs = caplog.text + captured.out + captured.err
    assert "/v1/admin/staff" in logs, "le hub n'a rien journalisé : le test ne prouverait rien"
    for token in [*tokens, unknown]:
        assert token[len(token_display_prefix(token)) :] not in logs, "jeton dans les journaux"
    for number, password in enumerate(passwords):
        assert password not in logs, f"mot de passe n°{number} dans les journaux"
