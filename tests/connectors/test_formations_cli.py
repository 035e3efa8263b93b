"""``cae-hub formations`` refuses what it cannot use in one French line, before calling the
hub when it can: no token, an unreadable trainee list, a hub that does not answer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cae_contract.cli import CliError
from connectors.formations.pack import Trainee, check_request, read_trainees
from tests.cli import Cli, cli_runner


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Cli:
    monkeypatch.delenv("CAE_HUB_TOKEN", raising=False)
    return cli_runner(monkeypatch, capsys, "formations")


def _trainees(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "stagiaires.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_without_a_token_nothing_is_asked(cli: Cli, tmp_path: Path) -> None:
    listed = _trainees(tmp_path, "nom;prenom\nDurand;Léa\n")

    result = cli("dossier-opco", "--demande", "3", "--stagiaires", str(listed), "--sortie", "d")

    assert result.code != 0
    assert result.err.strip().splitlines() == [
        "erreur : jeton absent : définissez CAE_HUB_TOKEN ou donnez --jeton-fichier"
    ]


def test_an_unreachable_hub_is_named(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CAE_HUB_TOKEN", "caeh_essai")

    result = cli("exporter", "--sortie", str(tmp_path / "x.xml"), "--hub", "http://127.0.0.1:9")

    assert result.code != 0
    assert "hub injoignable (http://127.0.0.1:9)" in result.err
    assert "caeh_essai" not in result.err


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("prenom\nLéa\n", "colonne(s) nom absente(s)"),
        ("nom;prenom\n", "liste des stagiaires vide"),
        ("nom;prenom\nDurand;\n", "ligne 2 : nom ou prénom vide"),
    ],
)
def test_a_bad_trainee_list_is_named(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(CliError, match=re.escape(message)):
        read_trainees(_trainees(tmp_path, text))


def test_trainee_lists_with_commas_or_semicolons_are_read(tmp_path: Path) -> None:
    assert read_trainees(_trainees(tmp_path, "Nom,Prénom\nDurand,Léa\n")) == [
        Trainee("Durand", "Léa")
    ]
    assert read_trainees(_trainees(tmp_path, "\ufeffprenom;nom\nLéa;Durand\n")) == [
        Trainee("Durand", "Léa")
    ]


def test_only_an_accepted_request_of_ones_own_makes_a_pack() -> None:
    trainees = [Trainee("Durand", "Léa")]
    request = {"id": 4, "sens": "faite", "statut": "liste_attente", "places_accordees": 0}

    with pytest.raises(CliError, match="n'est pas acceptée"):
        check_request(request, trainees)
    with pytest.raises(CliError, match="n'a pas été faite par votre CAE"):
        check_request({**request, "sens": "recue"}, trainees)
