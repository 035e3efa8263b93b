"""``cae-hub sync`` as users run it: a report on stdout, log lines on stderr, and for every
mistake one French line saying what to fix, a non-zero exit, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.served import free_port
from tests.sync.conftest import Cae, write_config
from tests.sync.connector import cells, write_reports
from tests.sync.running import run_sync_command


def _one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert "Traceback" not in stderr, stderr
    assert lines and lines[-1].startswith("erreur : "), stderr
    return lines[-1]


def test_once_reports_what_the_hub_accepted_and_refused(cae: Cae, tmp_path: Path) -> None:
    inconsistent = cells(10)
    inconsistent[2] = {"indicator": "entrepreneurs", "dims": {"contract": "cape"}, "value": 1}
    write_reports(tmp_path / "reports.json", {"2024-S2": cells(6), "2025-S1": inconsistent})
    write_config(tmp_path, url=cae.hub_url, token=cae.token, periods=["2024-S2", "2025-S1"])

    done = run_sync_command(tmp_path, "--config", "sync.toml", "--once")

    assert done.returncode == 2, done.stderr  # some documents refused
    assert "Traceback" not in done.stderr
    assert "acceptés : 1\n    - indicator-report/2024-S2 (révision 1)" in done.stdout
    assert "refusés : 1\n    - indicator-report/2025-S1 par le hub : rapport 2025-S1 refusé" in (
        done.stdout
    )
    assert "1 document(s) refusé(s) : corrigez la source" in done.stdout
    # Not a terminal: plain timestamped log lines, no progress bar.
    assert "[1/2] indicator-report/2024-S2 : accepté (révision 1)" in done.stderr
    assert "\x1b[" not in done.stderr
    assert len(cae.revisions("2024-S2")) == 1
    assert cae.revisions("2025-S1") == []


def test_dry_run_sends_nothing(cae: Cae, tmp_path: Path) -> None:
    write_reports(tmp_path / "reports.json", {"2025-S1": cells(6)})
    write_config(tmp_path, url=cae.hub_url, token=cae.token, periods=["2025-S1"])

    done = run_sync_command(tmp_path, "--config", "sync.toml", "--dry-run")

    assert done.returncode == 0, done.stderr
    assert "Essai à blanc (rien n'a été enregistré)" in done.stdout
    assert "indicator-report/2025-S1 (deviendrait la révision 1)" in done.stdout
    assert cae.revisions("2025-S1") == []


MISTAKES = {
    "unknown connector": (
        {"connector": "tableurr"},
        "erreur : connecteur inconnu « tableurr » ; connecteurs installés : ",
    ),
    "missing column": (
        {
            "connector": "spreadsheet",
            "connector_config": 'file = "cellules.csv"\nlayout = "cells"',
        },
        "erreur : il manque la colonne « Valeur » (value) dans le fichier « cellules.csv »",
    ),
    "bad token": ({"token": "caeh_pas-le-bon"}, "erreur : jeton refusé par le hub : jeton inconnu"),
    "unreachable hub": ({"url": "unreachable"}, "erreur : hub injoignable à http://127.0.0.1:"),
    "malformed toml": (
        {"raw": '[hub]\nurl = "http://127.0.0.1:1"\ntoken = caeh_sans_guillemets\n'},
        "erreur : ",
    ),
}


@pytest.mark.parametrize("mistake", list(MISTAKES))
def test_configuration_mistakes_end_with_one_french_line(
    mistake: str, cae: Cae, tmp_path: Path
) -> None:
    changes, expected = MISTAKES[mistake]
    (tmp_path / "cellules.csv").write_text("Période;Indicateur\n2025-S1;entrepreneurs\n", "utf-8")
    write_reports(tmp_path / "reports.json", {"2025-S1": cells(6)})
    url = str(changes.get("url", cae.hub_url))
    if url == "unreachable":
        url = f"http://127.0.0.1:{free_port()}"
    path = write_config(
        tmp_path,
        url=url,
        token=str(changes.get("token", cae.token)),
        connector=str(changes.get("connector", "jsonreports")),
        connector_config=str(changes.get("connector_config", 'file = "reports.json"')),
        periods=["2025-S1"],
    )
    if "raw" in changes:
        path.write_text(str(changes["raw"]), encoding="utf-8")

    done = run_sync_command(tmp_path, "--config", "sync.toml", "--once")

    assert done.returncode == 1, (done.stdout, done.stderr)
    line = _one_error_line(done.stderr)
    assert line.startswith(expected), line
    assert "caeh_" not in done.stderr + done.stdout
    assert cae.revisions("2025-S1") == []
    if mistake == "malformed toml":
        assert line == (
            "erreur : sync.toml : syntaxe TOML incorrecte (ligne 3, colonne 9) ; vérifiez les "
            "guillemets, les crochets des sections et les signes « = »"
        )


def test_missing_config_option_is_one_french_line(tmp_path: Path) -> None:
    done = run_sync_command(tmp_path, "--once")
    assert done.returncode == 1
    assert _one_error_line(done.stderr) == (
        "erreur : indiquez le fichier de configuration : cae-hub sync --config FICHIER.toml"
    )
