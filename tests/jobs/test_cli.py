"""``cae-hub jobs list|run`` on a real database, as staff type them."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from hub.jobs.models import JobRun, RunOutcome
from tests.cli import Cli, cli_runner
from tests.databases import fresh_database


@pytest.fixture
def database(backend: str, tmp_path: Path) -> Iterator[Engine]:
    with fresh_database(backend, tmp_path) as engine:
        yield engine


@pytest.fixture
def cli(
    database: Engine,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> Cli:
    monkeypatch.setenv("HUB_TEMP_DIR", str(tmp_path / "temporaire"))
    return cli_runner(monkeypatch, capsys, "jobs", engine=database)


def test_list_shows_every_job_in_french(cli: Cli) -> None:
    listed = cli("list")
    assert listed.code == 0, listed.err
    header, *rows = listed.out.splitlines()
    for column in ("Nom", "Intitulé", "Planification", "Dernière exécution", "Résultat"):
        assert column in header
    names = [row.split()[0] for row in rows]
    assert names == sorted(
        [
            "audit-checkpoint",
            "build-seminar-packs",
            "purge-payroll-payloads",
            "purge-sessions",
            "purge-temp-files",
            "remind-missing-reports",
            "remind-payroll-deadlines",
            "remind-seat-requests",
            "send-mail",
        ]
    )
    assert all("jamais" in row for row in rows)
    assert "Purge des sessions expirées" in listed.out


def test_run_prints_the_outcome_and_list_shows_it(
    cli: Cli, database: Engine, tmp_path: Path
) -> None:
    folder = tmp_path / "temporaire" / "exports"
    folder.mkdir(parents=True)
    old, recent = folder / "ancien.zip", folder / "recent.zip"
    old.write_bytes(b"x")
    recent.write_bytes(b"y")
    eight_days_ago = time.time() - 8 * 86400
    os.utime(old, (eight_days_ago, eight_days_ago))

    ran = cli("run", "purge-temp-files")

    assert ran.code == 0, ran.err
    assert ran.out == ("purge-temp-files : réussie — 1 fichier de plus de 7 jours supprimé\n")
    assert ran.err == ""
    assert not old.exists() and recent.exists()
    with Session(database) as session:
        [run] = session.exec(select(JobRun).where(JobRun.job == "purge-temp-files")).all()
    assert run.outcome == RunOutcome.OK
    [row] = [line for line in cli("list").out.splitlines() if line.startswith("purge-temp")]
    assert "réussie" in row and "jamais" not in row


def test_run_of_an_unknown_job_names_the_known_ones(cli: Cli) -> None:
    refused = cli("run", "purge-tout")
    assert refused.code == 1
    assert refused.out == ""
    assert refused.err == (
        "erreur : tâche inconnue : « purge-tout » ; tâches connues : audit-checkpoint, "
        "build-seminar-packs, purge-payroll-payloads, purge-sessions, purge-temp-files, "
        "remind-missing-reports, remind-payroll-deadlines, remind-seat-requests, send-mail\n"
    )


def test_run_of_the_mail_job_says_mail_is_off(cli: Cli) -> None:
    ran = cli("run", "send-mail")
    assert ran.code == 0, ran.err
    assert ran.out == (
        "send-mail : réussie — envoi d'e-mails désactivé : aucun serveur SMTP configuré "
        "(HUB_SMTP_HOST)\n"
    )


def test_run_on_an_unmigrated_database_says_what_to_do(
    backend: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with fresh_database(backend, tmp_path, migrate=False) as engine:
        cli = cli_runner(monkeypatch, capsys, "jobs", engine=engine)
        refused = cli("run", "purge-sessions")
    assert refused.code == 1
    assert refused.err == "erreur : la base n'est pas à jour : lancez « cae-hub db upgrade »\n"
