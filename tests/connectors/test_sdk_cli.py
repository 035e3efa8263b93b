"""``cae-hub connectors list|check|test`` as a CAE's support team types them."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from connectors.sdk.cli import default_period
from connectors.sdk.testing import CHECKS
from tests.cli import Cli, cli_runner
from tests.connectors.conftest import CELLS_HEADER, write_csv


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    return cli_runner(monkeypatch, capsys, "connectors")


def write_json(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def test_list_shows_versions_and_titles(cli: Cli) -> None:
    result = cli("list")
    assert result.code == 0, result.err
    assert "spreadsheet 1.2.0 : Tableur (CSV ou XLSX)" in result.out.splitlines()


def test_list_reports_broken_connectors_and_fails(cli: Cli, third_party_installed: Path) -> None:
    result = cli("list")
    assert result.code == 1
    lines = result.out.splitlines()
    assert "register 0.3.1 : Registre minimal" in lines
    assert "spreadsheet 1.2.0 : Tableur (CSV ou XLSX)" in lines
    assert any(line.startswith("broken : inutilisable, le connecteur « broken »") for line in lines)
    assert result.err == "erreur : 2 connecteur(s) inutilisable(s) : broken, misnamed\n"


def test_check_reads_the_source(
    cli: Cli, tmp_path: Path, spreadsheet_microdata_config: dict[str, Any]
) -> None:
    config = write_json(tmp_path / "tableur.json", spreadsheet_microdata_config)
    result = cli("check", "spreadsheet", "--config", str(config))
    assert (result.code, result.out) == (
        0,
        "spreadsheet/1.2.0 : la source se lit, configuration correcte\n",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("check", "tableur"), "erreur : connecteur inconnu « tableur » ; connecteurs installés"),
        (("check", "spreadsheet"), "erreur : le fichier « absent.csv » est introuvable"),
        (("test", "spreadsheet"), "erreur : 6 vérification(s) sur 9 en échec"),
        (("test", "spreadsheet", "--period", "2025-S3"), "erreur : « 2025-S3 » n'est pas une"),
    ],
)
def test_one_french_line_when_something_is_wrong(
    cli: Cli, tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    config = write_json(tmp_path / "c.json", {"file": "absent.csv"})
    result = cli(*args, "--config", str(config))
    assert result.code == 1
    assert result.err.startswith(message), result.err
    assert "Traceback" not in result.err + result.out
    if args[0] == "test" and len(args) == 2:
        assert "[échec] check() : la source se lit : le fichier « absent.csv » est introuvable" in (
            result.out
        )


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("c.toml", "file = ", "erreur : c.toml : syntaxe incorrecte"),
        ("c.yaml", "file: x.csv", "erreur : c.yaml : configuration en .toml ou .json attendue"),
        ("c.json", "[1, 2]", "erreur : c.json : un objet (des clés et des valeurs) est attendu"),
        ("absent.json", None, "erreur : fichier de configuration introuvable"),
    ],
)
def test_unreadable_configuration_file(
    cli: Cli, tmp_path: Path, name: str, text: str | None, message: str
) -> None:
    if text is not None:
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = cli("check", "spreadsheet", "--config", str(tmp_path / name))
    assert result.code == 1
    assert result.err.startswith(message), result.err


def test_conformance_from_a_sync_configuration_file(cli: Cli, tmp_path: Path) -> None:
    """The sync client's own file works too: its [connector] table names and configures."""
    write_csv(tmp_path / "registre.csv", ["Date d'entrée", "Sexe", "Métier"],
              [["01/03/2024", "Femme", "43.21A"], ["01/09/2025", "H", "43.34Z"],
               ["pas une date", "F", "43.21A"]])  # fmt: skip
    config = tmp_path / "sync.toml"
    config.write_text(
        '[hub]\nurl = "https://hub.example"\n\n[connector]\nname = "spreadsheet"\n\n'
        '[connector.config]\nfile = "registre.csv"\n',
        encoding="utf-8",
    )
    result = cli("test", "spreadsheet", "--config", str(config), "--period", "2025-S2")
    assert result.code == 0, result.out + result.err
    lines = result.out.splitlines()
    assert lines[0] == "spreadsheet 1.2.0, période(s) 2025-S2"
    assert lines[1 : 1 + len(CHECKS)] == [f"[ok] {label}" for label in CHECKS.values()]
    assert (
        "  enregistrement ignoré : registre.csv ligne 4, colonne « Date d'entrée » : "
        "n'est pas une date (JJ/MM/AAAA, JJ/MM/AA, 3 février 2025 ou AAAA-MM-JJ attendu)"
    ) in lines
    assert lines[-1] == f"{len(CHECKS)} vérifications réussies"
    other = cli("test", "endi", "--config", str(config))
    assert other.err.startswith("erreur : sync.toml : connector.name vaut « spreadsheet »")


def test_conformance_failure_exits_non_zero(cli: Cli, tmp_path: Path) -> None:
    write_csv(tmp_path / "cellules.csv", CELLS_HEADER,
              [["2025-S2", "entrepreneurs", None, None, 10],
               ["2025-S2", "entrepreneurs", None, "F", 4],
               ["2025-S2", "entrepreneurs", None, "M", 5]])  # fmt: skip
    config = write_json(tmp_path / "c.json", {"file": "cellules.csv", "layout": "cells"})
    result = cli("test", "spreadsheet", "--config", str(config), "--period", "2025-S2")
    assert result.code == 1
    assert (
        "[échec] règles de cohérence du hub respectées : indicator-report/2025-S2 : "
        "$.cells[0].value : entrepreneurs (total) : 10 déclaré, mais la ventilation par sex "
        "en donne 9"
    ) in result.out.splitlines()
    assert result.err == f"erreur : 1 vérification(s) sur {len(CHECKS)} en échec\n"


def test_default_period_is_the_last_finished_semester(cli: Cli, tmp_path: Path) -> None:
    write_csv(tmp_path / "registre.csv", ["Date d'entrée"], [["01/03/2020"]])
    config = write_json(tmp_path / "c.json", {"file": "registre.csv"})
    result = cli("test", "spreadsheet", "--config", str(config))
    assert result.out.splitlines()[0] == f"spreadsheet 1.2.0, période(s) {default_period()}"
    assert result.code == 0, result.out
