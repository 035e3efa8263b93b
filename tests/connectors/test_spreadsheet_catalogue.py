"""The spreadsheet connector's catalogue sheet: one row per session, French headers, through
the shared conformance suite; rows it cannot read are skipped records naming row and column."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest

from cae_contract.registry import get_registry
from connectors.sdk import connector_test_suite
from connectors.sdk.errors import ConfigError
from connectors.spreadsheet import SpreadsheetConnector
from tests.connectors.conftest import (
    CATALOGUE_HEADER,
    CATALOGUE_ORGANISME,
    CATALOGUE_ROWS,
    write_csv,
)

TestCatalogue = connector_test_suite(
    SpreadsheetConnector, config="spreadsheet_catalogue_config", periods=["2026-S2"]
)


def documents(config: dict[str, Any]) -> tuple[list[Any], SpreadsheetConnector]:
    connector = SpreadsheetConnector(config)
    return list(connector.documents(["2026-S1", "2026-S2"])), connector


def test_one_catalogue_for_the_run_grouped_by_formation_and_action(
    spreadsheet_catalogue_config: dict[str, Any],
) -> None:
    found, connector = documents(spreadsheet_catalogue_config)

    assert [(d.schema, d.key, d.period) for d in found] == [
        ("training-catalogue", "training-catalogue", "2026-S2")
    ]
    body = found[0].body
    assert get_registry().validate("training-catalogue", "1.0.0", body) == []
    assert connector.skipped == []
    roofing, quoting = body["formations"]
    assert roofing["numero"] == "F-TOIT"
    assert roofing["metiers"] == ["43.91A", "43.91B"]
    assert roofing["organisme_responsable"] == CATALOGUE_ORGANISME
    (action,) = roofing["actions"]
    assert action["numero"] == "F-TOIT-0-69007"
    assert action["modalites_enseignement"] == 0
    assert action["lieux"][0]["departement"] == "69"
    assert action["organisme_formateur"]["numero_activite"] == "84691234569"
    first, second = action["sessions"]
    assert (first["debut"], first["fin"]) == ("20270118", "20270119")
    assert first["mutualisation"] == {"places_offertes": 4, "prix_membre": 300.0}
    assert second["fin"] == "99999999"  # an empty end date is LHÉO's unknown end
    assert "mutualisation" not in second
    assert quoting["actions"][0]["modalites_enseignement"] == 2
    assert quoting["actions"][0]["sessions"][0]["mutualisation"]["prix_membre"] == 90.5


def test_a_row_that_cannot_be_read_is_skipped_naming_row_and_column(tmp_path: Path) -> None:
    rows = [list(row) for row in CATALOGUE_ROWS]
    rows[1][CATALOGUE_HEADER.index("Modalité")] = "par correspondance"
    rows[2][CATALOGUE_HEADER.index("Code postal")] = "750"
    path = write_csv(tmp_path / "catalogue.csv", CATALOGUE_HEADER, rows)
    config = {"file": str(path), "layout": "catalogue", "organisme": dict(CATALOGUE_ORGANISME)}

    (document,), connector = documents(config)

    assert [f["numero"] for f in document.body["formations"]] == ["F-TOIT"]
    assert [s["numero"] for s in document.body["formations"][0]["actions"][0]["sessions"]] == [
        "S-TOIT-1"
    ]
    messages = [s.message for s in connector.skipped]
    assert any("ligne 3" in m and "« Modalité »" in m and "présentiel" in m for m in messages)
    assert any("ligne 4" in m and "« Code postal »" in m for m in messages)


def test_a_formation_the_schema_refuses_is_skipped_with_the_reason(tmp_path: Path) -> None:
    rows = [list(row) for row in CATALOGUE_ROWS]
    rows[2][CATALOGUE_HEADER.index("Métiers")] = "99.99Z"
    path = write_csv(tmp_path / "catalogue.csv", CATALOGUE_HEADER, rows)
    config = {"file": str(path), "layout": "catalogue", "organisme": dict(CATALOGUE_ORGANISME)}

    (document,), connector = documents(config)

    assert [f["numero"] for f in document.body["formations"]] == ["F-TOIT"]
    (skipped,) = connector.skipped
    assert "formation « F-DEVIS » écartée (metiers[0]" in skipped.message


def test_a_session_number_used_twice_keeps_the_first(tmp_path: Path) -> None:
    rows = [list(row) for row in CATALOGUE_ROWS]
    rows[2][CATALOGUE_HEADER.index("N° de session")] = "S-TOIT-1"
    path = write_csv(tmp_path / "catalogue.csv", CATALOGUE_HEADER, rows)
    config = {"file": str(path), "layout": "catalogue", "organisme": dict(CATALOGUE_ORGANISME)}

    (document,), connector = documents(config)

    assert [f["numero"] for f in document.body["formations"]] == ["F-TOIT"]
    assert "déjà employé" in connector.skipped[0].message


def test_the_public_can_come_from_the_configuration(tmp_path: Path) -> None:
    header = [h for h in CATALOGUE_HEADER if h != "Public visé"]
    at = CATALOGUE_HEADER.index("Public visé")
    rows = [row[:at] + row[at + 1 :] for row in CATALOGUE_ROWS]
    path = write_csv(tmp_path / "catalogue.csv", header, rows)
    config = {"file": str(path), "layout": "catalogue", "organisme": dict(CATALOGUE_ORGANISME)}

    _, connector = documents(config)
    assert len(connector.skipped) == 3 and "public visé absent" in connector.skipped[0].message

    (document,), _ = documents({**config, "public_vise": ["80056"]})
    assert document.body["formations"][0]["actions"][0]["public_vise"] == ["80056"]


def test_a_catalogue_sheet_needs_its_training_body(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "catalogue.csv", CATALOGUE_HEADER, CATALOGUE_ROWS)

    with pytest.raises(ConfigError, match="organisme : obligatoire"):
        SpreadsheetConnector({"file": str(path), "layout": "catalogue"})
    with pytest.raises(ConfigError, match="réservé"):
        SpreadsheetConnector({"file": str(path), "organisme": dict(CATALOGUE_ORGANISME)})


def test_dates_written_the_french_way_are_read(tmp_path: Path) -> None:
    rows = [list(row) for row in CATALOGUE_ROWS[:1]]
    rows[0][CATALOGUE_HEADER.index("Date de début")] = "18/01/2027"
    path = write_csv(tmp_path / "catalogue.csv", CATALOGUE_HEADER, rows)
    config = {"file": str(path), "layout": "catalogue", "organisme": dict(CATALOGUE_ORGANISME)}

    (document,), _ = documents(config)

    session = document.body["formations"][0]["actions"][0]["sessions"][0]
    assert session["debut"] == date(2027, 1, 18).strftime("%Y%m%d")
