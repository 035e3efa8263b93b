"""``cae-hub members|tokens|staff`` on a real database, as an administrator types them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli import Cli, Result, cli_runner
from tests.databases import fresh_database
from tests.factories import new_siren


@pytest.fixture
def cli(
    backend: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Iterator[Cli]:
    with fresh_database(backend, tmp_path) as engine:
        yield cli_runner(monkeypatch, capsys, engine=engine)


def _add(cli: Cli, siren: str, *extra: str) -> Result:
    return cli(
        "members",
        "add",
        "--name",
        "Coop'Bâtir Gironde",
        "--siren",
        siren,
        "--region",
        "75",
        "--departements",
        "33, 24",
        "--trades",
        "43.21A,43.22A",
        "--email",
        "contact@coopbatir.example",
        *extra,
    )


def test_members_add_list_show_deactivate(cli: Cli) -> None:
    siren = new_siren()
    added = _add(cli, siren, "--consent")
    assert added.code == 0, added.err
    assert f"SIREN {siren}" in added.out

    listed = cli("members", "list", "--json")
    [member] = json.loads(listed.out)
    assert member["departements"] == ["33", "24"]
    assert member["consents_raw_access"] is True

    shown = cli("members", "show", siren)
    assert "consentement à la lecture des rapports bruts : oui" in shown.out

    assert cli("members", "deactivate", siren).code == 0
    assert "aucun membre" in cli("members", "list").out
    assert "[désactivée]" in cli("members", "list", "--all").out


def test_bad_siren_is_one_line_and_nonzero(cli: Cli) -> None:
    result = _add(cli, "123456789")
    assert result.code == 1
    assert result.err.count("\n") == 1
    assert result.err.startswith("erreur : siren : SIREN invalide")
    assert "Traceback" not in result.err


def test_duplicate_member_is_refused(cli: Cli) -> None:
    siren = new_siren()
    assert _add(cli, siren).code == 0
    again = _add(cli, siren)
    assert again.code == 1
    assert "déjà" in again.err


def test_missing_options_are_named(cli: Cli) -> None:
    result = cli("members", "add", "--name", "Coop")
    assert result.code == 1
    assert "--siren" in result.err and "--email" in result.err


def test_members_add_from_profile(cli: Cli, tmp_path: Path) -> None:
    profile = tmp_path / "profil.json"
    siren = new_siren()
    profile.write_text(
        json.dumps(
            {
                "name": "Ouvrage Commun",
                "siren": siren,
                "region": "76",
                "departements": ["31"],
                "trades": ["43.31Z"],
                "contact_email": "bonjour@ouvrage.example",
            }
        ),
        encoding="utf-8",
    )
    assert cli("members", "add", "--profile", str(profile)).code == 0
    assert siren in cli("members", "list").out

    profile.write_text(json.dumps({"name": "X", "siren": siren}), encoding="utf-8")
    refused = cli("members", "add", "--profile", str(profile))
    assert refused.code == 1
    assert "$.region : champ obligatoire" in refused.err


def test_tokens_issue_list_revoke(cli: Cli) -> None:
    siren = new_siren()
    _add(cli, siren)
    issued = cli(
        "tokens", "issue", "--member", siren, "--label", "synchro née", "--expires-in-days", "30"
    )
    assert issued.code == 0, issued.err
    secret = issued.out.rsplit(": ", 1)[1].strip()
    assert secret.startswith("caeh_")

    listed = cli("tokens", "list", "--member", siren, "--json")
    [token] = json.loads(listed.out)
    assert secret not in listed.out
    assert token["status"] == "active"
    assert '"synchro née"' in listed.out  # UTF-8, as the other listings print it
    assert cli("tokens", "revoke", str(token["id"])).code == 0
    assert json.loads(cli("tokens", "list", "--json").out)[0]["status"] == "revoked"


def test_token_needs_one_owner(cli: Cli) -> None:
    result = cli("tokens", "issue")
    assert result.code == 1
    assert "--member" in result.err


def test_staff_add_with_password_file(cli: Cli, tmp_path: Path) -> None:
    secret_file = tmp_path / "mdp"
    secret_file.write_text("une phrase de passe longue\n", encoding="utf-8")
    added = cli(
        "staff",
        "add",
        "dominique@federation.example",
        "--name",
        "Dominique",
        "--role",
        "admin",
        "--password-file",
        str(secret_file),
    )
    assert added.code == 0, added.err
    assert "une phrase de passe longue" not in added.out
    drawn = cli("staff", "add", "alex@federation.example", "--name", "Alex")
    assert "mot de passe (affiché une seule fois)" in drawn.out
    issued = cli("tokens", "issue", "--staff", "dominique@federation.example")
    assert "admin" in issued.out


def test_unmigrated_database_is_explained(
    backend: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with fresh_database(backend, tmp_path, migrate=False) as engine:
        result = cli_runner(monkeypatch, capsys, "members", engine=engine)("list")
    assert result.code == 1
    assert "cae-hub db upgrade" in result.err


def test_unreachable_database_is_explained(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HUB_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    result = cli_runner(monkeypatch, capsys, "members")("list")
    assert result.code == 1
    assert "HUB_DATABASE_URL" in result.err


def test_insecure_production_settings_are_refused(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HUB_ENVIRONMENT", "production")
    result = cli_runner(monkeypatch, capsys, "members")("list")
    assert result.code == 1
    assert "HUB_SECRET_KEY" in result.err
    assert result.err.count("\n") == 1
