"""``cae-hub sync`` options, called in-process; and the job a schedule runs each time."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from cae_contract.cli import main
from connectors.sync.cli import scheduled_job
from tests.sync.conftest import Cae, write_config
from tests.sync.connector import cells, write_reports


def _cae_hub(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["cae-hub", "sync", *args])
    with pytest.raises(SystemExit) as exited:
        main()
    out = capsys.readouterr()
    return int(exited.value.code or 0), out.out, out.err


@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    write_reports(tmp_path / "reports.json", {"2025-S1": cells(2)})
    return write_config(tmp_path, url="http://127.0.0.1:9", token="caeh_x", periods=["2025-S1"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--once", "--schedule", "0 2 * * *"], "--once et --schedule s'excluent"),
        (["--schedule", "0 2 * *"], "--schedule : expression cron invalide « 0 2 * * »"),
        (["--schedule", "0 2 * * *", "--dry-run"], "--dry-run ne se planifie pas : ajoutez --once"),
        (["--once", "--period", "2025-S3"], "--period n°1 : « 2025-S3 » n'est pas une période"),
        (
            ["--once", "--period", "2025-S1", "--period", "2099-S1"],
            "--period n°2 : la période 2099-S1 n'a pas encore commencé",
        ),
    ],
)
def test_option_mistakes(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    config_file: Path,
    args: list[str],
    message: str,
) -> None:
    code, out, err = _cae_hub(monkeypatch, capsys, "--config", str(config_file), *args)
    assert code == 1
    assert out == ""
    assert err.startswith(f"erreur : {message}")
    assert len(err.strip().splitlines()) == 1


def test_scheduled_job_runs_a_sync_and_survives_a_failed_one(
    cae: Cae, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_reports(tmp_path / "reports.json", {"2025-S1": cells(2)})
    path = write_config(tmp_path, url=cae.hub_url, token=cae.token, periods=["2025-S1"])
    notes: list[str] = []
    job = scheduled_job(path, log=notes.append)

    # The connector is not installed in this process: the run fails, the job logs it.
    job()
    assert len(notes) == 1
    assert notes[0].startswith(
        "erreur : connecteur inconnu « jsonreports » ; connecteurs installés"
    )

    # The file is read again at each run: the fixed configuration is used at once.
    (tmp_path / "cells.csv").write_text(
        "Période;Indicateur;Contrat;Valeur\n"
        "2025-S1;entrepreneurs;;3\n2025-S1;entrepreneurs;cesa;2\n2025-S1;entrepreneurs;cape;1\n",
        encoding="utf-8",
    )
    write_config(
        tmp_path,
        url=cae.hub_url,
        token=cae.token,
        connector="spreadsheet",
        connector_config='file = "cells.csv"\nlayout = "cells"',
        periods=["2025-S1"],
    )
    job()
    assert len(notes) == 1
    assert "acceptés : 1" in capsys.readouterr().out
    assert len(cae.revisions("2025-S1")) == 1
    entrepreneurs = {
        tuple(sorted(c["dims"].items())): c["value"]
        for c in cae.current_cells("2025-S1")
        if c["indicator"] == "entrepreneurs"
    }
    assert entrepreneurs == {(): 3, (("contract", "cesa"),): 2, (("contract", "cape"),): 1}
