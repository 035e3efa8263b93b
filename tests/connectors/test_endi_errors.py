"""What the enDI connector says about wrong configurations, wrong files and wrong rows, and
that nothing personal ever comes out of it."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from connectors.endi import EndiConnector
from connectors.sdk.errors import ConfigError
from connectors.sdk.guard import ensure_no_personal_data
from tests.connectors.endi_files import (
    SAMPLE_PEOPLE,
    SAMPLE_STAGES,
    Stage,
    write_career_paths,
    write_sample,
)


def append_lines(path: Path, *lines: str) -> None:
    """Add raw lines to a labels-style (cp1252, ``;``) export."""
    with path.open("ab") as file:
        for line in lines:
            file.write((line + "\r\n").encode("cp1252"))


def totals(connector: EndiConnector, period: str = "2026-S1") -> dict[str, float]:
    (document,) = connector.documents([period])
    return {c["indicator"]: c["value"] for c in document.body["cells"] if not c["dims"]}


@pytest.fixture
def config(tmp_path: Path) -> dict[str, Any]:
    return write_sample(tmp_path)


def refusal(config: dict[str, Any], tmp_path: Path) -> str:
    with pytest.raises(ConfigError) as caught:
        EndiConnector(config, base_dir=tmp_path).check()
    return caught.value.message


def test_a_missing_export_is_named(config: dict[str, Any], tmp_path: Path) -> None:
    (tmp_path / "parcours.csv").unlink()
    assert refusal(config, tmp_path).startswith("le fichier « parcours.csv » est introuvable")


def test_the_two_exports_it_cannot_do_without(config: dict[str, Any], tmp_path: Path) -> None:
    del config["career_paths"]
    assert "career_paths" in refusal(config, tmp_path)


@pytest.mark.parametrize(
    ("setting", "value", "expected"),
    [
        ("trades", {"Électricité": "43.21X"}, "trades"),
        ("trades", {"Électricité": "47.11A"}, "« 47.11A » n'est pas un métier de la liste"),
        ("amount_unit", "dollars", "amount_unit"),
        ("career_stages", {"Convention d'accompagnement": "stage"}, "career_stages"),
        ("exit_reasons", {"Fin de mission": "retired"}, "exit_reasons"),
        ("support_staff_fte", {"2026-S3": 2}, "support_staff_fte : « 2026-S3 » n'est pas"),
        ("training_hours", {"2026-S1": -4}, "training_hours"),
        ("invoice", "factures.csv", "invoice"),
    ],
)
def test_configuration_mistakes_are_refused_naming_the_setting(
    config: dict[str, Any], tmp_path: Path, setting: str, value: Any, expected: str
) -> None:
    config[setting] = value
    with pytest.raises(ConfigError) as caught:
        EndiConnector(config, base_dir=tmp_path)
    assert expected in caught.value.message


def test_a_missing_column_is_named_with_its_file(config: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / "parcours.csv"
    text = path.read_bytes().decode("cp1252").replace("Date d'effet", "Date")
    path.write_bytes(text.encode("cp1252"))
    assert refusal(config, tmp_path) == (
        "il manque la colonne « Date d'effet » (start_date) dans le fichier « parcours.csv »"
    )


def test_a_career_stage_nobody_declared_stops_the_connector(
    config: dict[str, Any], tmp_path: Path
) -> None:
    del config["career_stages"]
    message = refusal(config, tmp_path)
    assert "colonne « Étape de parcours » de « parcours.csv »" in message
    assert "« Convention d'accompagnement »" in message
    assert "career_stages" in message


def test_an_activity_without_naf_code_stops_the_connector(
    config: dict[str, Any], tmp_path: Path
) -> None:
    del config["trades"]["Menuiserie"]
    del config["trades"]["Peinture"]
    message = refusal(config, tmp_path)
    assert "colonne « Typologie » de « userdatas.csv » : « Menuiserie »" in message
    assert "colonne « Type d'activité » de « userdatas.csv » : « Peinture »" in message
    assert "« trades »" in message


def test_exit_reasons_unknown_then_declared(config: dict[str, Any], tmp_path: Path) -> None:
    stages = [*SAMPLE_STAGES, Stage("2", date(2026, 5, 2), "Sortie", exit_reason="Fin de mission")]
    write_career_paths(tmp_path / "parcours.csv", stages)
    message = refusal(config, tmp_path)
    assert "colonne « Motif de sortie » de « parcours.csv » : « Fin de mission »" in message
    assert "exit_reasons" in message

    config["exit_reasons"] = {"FIN DE MISSION": "employment"}
    connector = EndiConnector(config, base_dir=tmp_path)
    (document,) = connector.documents(["2026-S1"])
    exits = {
        c["dims"]["exit_reason"]: c["value"]
        for c in document.body["cells"]
        if c["indicator"] == "exits" and list(c["dims"]) == ["exit_reason"]
    }
    assert exits == {"company_creation": 1, "training": 1, "employment": 1}


def test_bad_rows_are_skipped_by_line_and_the_rest_is_counted(
    config: dict[str, Any], tmp_path: Path
) -> None:
    people, stages = tmp_path / "userdatas.csv", tmp_path / "parcours.csv"
    first_new = len(SAMPLE_PEOPLE) + 2
    append_lines(
        people,
        "11;;;Faux;Lucien;;;33000;M;31/02/1990;;Électricité;",  # no such day
        "2;;;Doublon;Marc;;;33000;M;01/01/1990;;Électricité;",  # identifier seen above
        "12;;;Tardif;Noé;;;33000;M;01/01/2026;;Électricité;",  # born after entering
        ";;;Sansid;Paul;;;33000;M;01/01/1990;;Électricité;",  # no identifier
    )
    first_stage = len(SAMPLE_STAGES) + 2
    append_lines(
        stages,
        "11;01/01/2026;;Contrat CAPE;;;;",
        "12;01/01/2025;;Contrat CAPE;;;;",
        "99;01/02/2026;;Contrat CAPE;;;;",  # nobody has this identifier
        "2;31/02/2026;;Contrat CESA;;;;",  # no such day
        "4;;;Contrat CESA;;;;",  # no date
    )
    connector = EndiConnector(config, base_dir=tmp_path)
    found = totals(connector)

    assert (found["entrepreneurs"], found["entries"], found["exits"]) == (6, 3, 2)
    assert {s.source for s in connector.skipped} == {
        f"userdatas.csv ligne {first_new}",
        f"userdatas.csv ligne {first_new + 1}",
        f"userdatas.csv ligne {first_new + 2}",
        f"userdatas.csv ligne {first_new + 3}",
        f"parcours.csv ligne {first_stage + 2}",
        f"parcours.csv ligne {first_stage + 3}",
        f"parcours.csv ligne {first_stage + 4}",
    }
    by_source = {s.source: s.message for s in connector.skipped}
    assert by_source[f"userdatas.csv ligne {first_new}"] == (
        f"userdatas.csv ligne {first_new}, colonne « Date de naissance » : "
        "n'est pas une date du calendrier"
    )
    assert "date de naissance ne précède pas" in by_source[f"userdatas.csv ligne {first_new + 2}"]
    assert (
        "aucun entrepreneur de cet identifiant"
        in by_source[f"parcours.csv ligne {first_stage + 2}"]
    )
    for skipped in connector.skipped:
        assert not any(name in skipped.message for name in ("Faux", "Doublon", "Tardif", "1990"))


def test_nothing_personal_leaves_the_connector(config: dict[str, Any], tmp_path: Path) -> None:
    connector = EndiConnector(config, base_dir=tmp_path)
    documents = list(connector.documents(["2025-S2", "2026-S1", "2026-S2"]))
    said = json.dumps(
        [d.body for d in documents]
        + [s.message for s in connector.skipped]
        + [s.source for s in connector.skipped]
        + connector.warnings,
        ensure_ascii=False,
    )
    for person in SAMPLE_PEOPLE:
        secrets = [person.lastname, person.firstname, person.email, person.nir, person.address]
        if person.birthday:
            secrets += [f"{person.birthday:%d/%m/%Y}", person.birthday.isoformat()]
        if person.zipcode and len(person.zipcode) == 5:
            secrets.append(person.zipcode)
        assert [s for s in secrets if s and s in said] == []
    for document in documents:
        ensure_no_personal_data(document)


def test_an_activity_written_two_ways_is_listed_once(
    config: dict[str, Any], tmp_path: Path
) -> None:
    config["trades"] = {}
    message = refusal(config, tmp_path)
    assert ("« ÉLECTRICITÉ »" in message) != ("« Électricité »" in message)
