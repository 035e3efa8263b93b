"""``cae-hub seminaire …`` on a fresh database: French messages, non-zero exits on errors.
(The pack written from the shell is read back by the browser tests' setup.)"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from hub.seminars.packs import PDF_MISSING
from tests.cli import Cli, cli_runner
from tests.databases import fresh_database


@pytest.fixture
def database(backend: str, tmp_path: Path) -> Iterator[Engine]:
    with fresh_database(backend, tmp_path) as engine:
        yield engine


@pytest.fixture
def cli(
    database: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Cli:
    return cli_runner(monkeypatch, capsys, "seminaire", engine=database)


def test_a_seminar_is_created_listed_and_given_its_agenda(cli: Cli) -> None:
    assert cli("liste").out == "Aucun séminaire.\n"
    created = cli("creer", "--semestre", "2026-S2", "--date", "2026-11-20", "--lieu", "Bordeaux")
    assert created.code == 0, created.err
    assert created.out == "Séminaire n°1 : 20 novembre 2026, Bordeaux.\n"
    assert cli("liste").out.split() == ["1", "2026-S2", "20", "novembre", "2026", "Bordeaux"]
    added = cli("question", "--seminaire", "1", "--groupe", "pleniere", "Quelles priorités ?")
    assert added.out == "Plénière, point 1 : Quelles priorités ?\n"
    listed = cli("groupes")
    assert "strategie — Stratégie de développement" in listed.out
    assert "animation : à désigner" in listed.out


def test_errors_are_said_in_french_with_a_non_zero_exit(cli: Cli, tmp_path: Path) -> None:
    cli("creer", "--semestre", "2026-S2", "--date", "2026-11-20", "--lieu", "Bordeaux")
    for args, words in [
        (
            ("creer", "--semestre", "2026-S2", "--date", "2026-11-27", "--lieu", "Pau"),
            "existe déjà",
        ),
        (("creer", "--semestre", "2027-S1", "--date", "mai", "--lieu", "Pau"), "Date illisible"),
        (("ajouter-cae", "--groupe", "compta", "--cae", "732829320"), "Groupe inconnu"),
        (("ajouter-cae", "--groupe", "strategie", "--cae", "732829320"), "Aucune CAE"),
        (("question", "--seminaire", "9", "--groupe", "strategie", "?"), "Aucun séminaire n°9"),
        (
            (
                "pack",
                "--seminaire",
                "1",
                "--groupe",
                "strategie",
                "--sortie",
                str(tmp_path / "p.pdf"),
            ),
            "Aucun semestre publié avant ce séminaire",
        ),
    ]:
        result = cli(*args)
        assert result.code == 1, args
        assert result.out == ""
        first = result.err.splitlines()[0]  # then the fields at fault, as every command does
        assert first.startswith("erreur : ") and words in first, result.err
    assert not (tmp_path / "p.pdf").exists()


def test_without_weasyprint_the_pack_command_says_what_to_install(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import hub.seminars.packs as packs

    monkeypatch.setattr(packs.PackService, "context", _published_context)
    monkeypatch.setattr(packs.PackService, "html", lambda self, context: "<p>essai</p>")
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    cli("creer", "--semestre", "2026-S2", "--date", "2026-11-20", "--lieu", "Bordeaux")
    result = cli(
        "pack", "--seminaire", "1", "--groupe", "formation", "--sortie", str(tmp_path / "p.pdf")
    )
    assert result.code == 1
    assert result.err == f"erreur : {PDF_MISSING}\n"


def _published_context(
    self: object, session: object, settings: object, seminar: object, audience: str
) -> object:
    """A context as if a semester were published (only the PDF step is tested)."""
    from datetime import UTC, datetime

    from hub.seminars.sections import PackContext

    return PackContext(
        session=session,  # type: ignore[arg-type]
        settings=settings,  # type: ignore[arg-type]
        seminar=seminar,  # type: ignore[arg-type]
        audience=audience,
        period="2026-S1",
        publication=1,
        published_at=datetime(2026, 7, 15, tzinfo=UTC),
        periods=["2026-S1"],
    )
