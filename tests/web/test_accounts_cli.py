"""``cae-hub members users``: the web accounts of member CAEs, as an administrator types it."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from hub.main import create_app
from tests.cli import Cli, cli_runner
from tests.databases import fresh_database, settings_for
from tests.factories import new_siren
from tests.web.conftest import login


@pytest.fixture
def own_engine(backend: str, tmp_path: Path) -> Iterator[Engine]:
    with fresh_database(backend, tmp_path) as engine:
        yield engine


@pytest.fixture
def cli(
    own_engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Cli:
    return cli_runner(monkeypatch, capsys, engine=own_engine)


def _member(cli: Cli) -> str:
    siren = new_siren()
    added = cli(
        "members", "add", "--name", "Coop'Bâtir Gironde", "--siren", siren, "--region", "75",
        "--departements", "33", "--trades", "43.21A", "--email", "contact@coopbatir.example",
    )  # fmt: skip
    assert added.code == 0, added.err
    return siren


def test_an_account_is_created_and_logs_in_with_the_password_shown_once(
    cli: Cli, own_engine: Engine
) -> None:
    siren = _member(cli)
    created = cli("members", "users", "add", "--member", siren, "--email", "Gerante@Coop.example")
    assert created.code == 0, created.err
    assert f"compte créé : gerante@coop.example (CAE {siren})" in created.out
    found = re.search(r"mot de passe \(affiché une seule fois\) : (\S+)", created.out)
    assert found is not None
    password = found.group(1)
    listed = cli("members", "users", "list", "--member", siren, "--json")
    [account] = json.loads(listed.out)
    assert account["email"] == "gerante@coop.example" and account["active"] is True
    assert password not in listed.out and "password" not in account
    app = create_app(settings_for(own_engine.url.render_as_string(hide_password=False)))
    with TestClient(app) as browser:
        assert login(browser, "gerante@coop.example", password).status_code == 303
        assert browser.get("/apercu").status_code == 200
        reset = cli("members", "users", "reset-password", "gerante@coop.example")
        assert reset.code == 0
        new_password = reset.out.rsplit(" : ", 1)[1].strip()
        browser.cookies.clear()
        assert login(browser, "gerante@coop.example", password).status_code == 401
        assert login(browser, "gerante@coop.example", new_password).status_code == 303
        assert cli("members", "users", "deactivate", "gerante@coop.example").code == 0
        assert browser.get("/apercu", follow_redirects=False).status_code == 303


def test_bad_requests_say_what_to_fix(cli: Cli) -> None:
    siren = _member(cli)
    unknown = cli("members", "users", "add", "--member", new_siren(), "--email", "a@b.example")
    assert unknown.code == 1 and "Aucun membre actif avec le SIREN" in unknown.err
    assert "Traceback" not in unknown.err
    assert cli("staff", "add", "equipe@federation.example", "--name", "Équipe").code == 0
    taken = cli(
        "members", "users", "add", "--member", siren, "--email", "equipe@federation.example"
    )
    assert taken.code == 1 and "Un compte existe déjà" in taken.err
    weak = cli("members", "users", "add", "--member", siren, "--email", "not-an-address")
    assert weak.code == 1 and weak.err.startswith("erreur : email")
    missing = cli("members", "users", "deactivate", "personne@nulle-part.example")
    assert missing.code == 1 and "Aucun compte de membre" in missing.err
