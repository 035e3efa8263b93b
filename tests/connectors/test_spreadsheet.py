"""The spreadsheet connector on real files: a Latin-1 ``;`` register with French numbers
and dates, the same data as an XLSX workbook, and a file of aggregated cells."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from connectors.sdk import ConfigError, Document
from connectors.spreadsheet import SpreadsheetConnector
from tests.connectors.conftest import CELLS_HEADER, REGISTER_HEADER, write_csv

Key = tuple[str, tuple[tuple[str, str], ...]]


def cells(document: Document | dict[str, Any]) -> dict[Key, Any]:
    body = document.body if isinstance(document, Document) else document
    return {(c["indicator"], tuple(sorted(c["dims"].items()))): c["value"] for c in body["cells"]}


def documents(config: dict[str, Any], *periods: str) -> tuple[list[Document], Any]:
    connector = SpreadsheetConnector(config)
    connector.check()
    return list(connector.documents(periods)), connector


# Worked out by hand from tests/connectors/conftest.py (period end 2025-12-31):
# present: E1 (CESA since 2021, associate, 43.21A, F, 40 years, 33), E2 (CAPE since
# 2025-09-01, 43.22A, « H », 24 years, postcode 33000), E4 (« CESA » without date: since entry,
# associate on 2025-12-15, 43.21A, sex empty, 65 years, 47). E3 left on 2025-09-30 (company
# creation, « Maçonnerie »). E5 (31/02) and E7 (exit before entry) are skipped; E6 comes in 2026.
EXPECTED_S2 = {
    ("entrepreneurs", ()): 3,
    ("entrepreneurs", (("contract", "cesa"),)): 2,
    ("entrepreneurs", (("contract", "cape"),)): 1,
    ("entrepreneurs", (("trade", "43.21A"),)): 2,
    ("entrepreneurs", (("trade", "43.22A"),)): 1,
    ("entrepreneurs", (("sex", "F"),)): 1,
    ("entrepreneurs", (("sex", "M"),)): 1,
    ("entrepreneurs", (("sex", "X"),)): 1,
    ("entrepreneurs", (("age_band", "36-45"),)): 1,
    ("entrepreneurs", (("age_band", "<26"),)): 1,
    ("entrepreneurs", (("age_band", ">55"),)): 1,
    ("entrepreneurs", (("departement", "33"),)): 2,
    ("entrepreneurs", (("departement", "47"),)): 1,
    ("entrepreneurs", (("contract", "cesa"), ("sex", "X"), ("trade", "43.21A"))): 1,
    ("associates", ()): 2,
    ("associates", (("trade", "43.21A"),)): 2,
    ("associates", (("sex", "F"),)): 1,
    ("associates", (("sex", "X"),)): 1,
    ("entries", ()): 1,
    ("entries", (("contract", "cape"),)): 1,
    ("entries", (("trade", "43.22A"),)): 1,
    ("entries", (("sex", "M"),)): 1,
    ("exits", ()): 1,
    ("exits", (("exit_reason", "company_creation"),)): 1,
    ("exits", (("trade", "43.99C"),)): 1,
    ("revenue_eur", ()): 3000,
    ("revenue_eur", (("trade", "43.21A"),)): 1000,
    ("revenue_eur", (("trade", "43.22A"),)): 2000,
    ("revenue_eur", (("departement", "33"),)): 3000,
    ("support_staff_fte", ()): 2.5,
    ("training_hours", ()): 140,
}


def test_latin1_semicolon_register_with_invoices(
    spreadsheet_microdata_config: dict[str, Any],
) -> None:
    (s1, s2), connector = documents(spreadsheet_microdata_config, "2025-S1", "2025-S2")
    assert (s2.schema, s2.key, s2.period) == (
        "indicator-report",
        "indicator-report/2025-S2",
        "2025-S2",
    )
    got = cells(s2)
    for key, value in EXPECTED_S2.items():
        assert got[key] == value, key
    assert ("entrepreneurs", (("sex", "M"), ("trade", "43.21A"))) not in got  # zero: left out
    assert cells(s1)[("entrepreneurs", ())] == 3  # E1, E3 (leaves in S2), E4
    assert cells(s1)[("entrepreneurs", (("contract", "cesa"),))] == 3
    assert cells(s1)[("associates", ())] == 1
    assert cells(s1)[("entries", ())] == 0 and cells(s1)[("exits", ())] == 0
    assert cells(s1)[("revenue_eur", (("departement", "33"), ("trade", "43.99C")))] == 500
    assert ("support_staff_fte", ()) not in cells(s1)
    assert sorted(s.source for s in connector.skipped) == [
        "factures.csv ligne 6",
        "registre.csv ligne 7",
        "registre.csv ligne 9",
    ]
    messages = " | ".join(s.message for s in connector.skipped)
    assert "colonne « Date d'entrée »" in messages and "colonne « Montant HT »" in messages
    assert "la date de sortie précède la date d'entrée" in messages


def test_nothing_personal_is_read_or_sent(spreadsheet_microdata_config: dict[str, Any]) -> None:
    docs, connector = documents(spreadsheet_microdata_config, "2025-S1", "2025-S2")
    sent = json.dumps([d.body for d in docs], ensure_ascii=False)
    said = json.dumps([s.message for s in connector.skipped] + connector.warnings)
    for personal in ("Dupont", "Marie", "85 05 33", "Lilas", "06 12", "1985", "Lambert", "E1"):
        assert personal not in sent and personal not in said


def test_xlsx_workbook_gives_the_same_report(
    spreadsheet_microdata_config: dict[str, Any], spreadsheet_workbook_config: dict[str, Any]
) -> None:
    from_csv, _ = documents(spreadsheet_microdata_config, "2025-S1", "2025-S2")
    from_xlsx, connector = documents(spreadsheet_workbook_config, "2025-S1", "2025-S2")
    assert [d.body for d in from_xlsx] == [d.body for d in from_csv]
    assert [s.source for s in connector.skipped] == [
        "cae.xlsx, feuille Entrepreneurs, ligne 6",
        "cae.xlsx, feuille Entrepreneurs, ligne 8",
        "cae.xlsx, feuille Factures, ligne 6",
    ]


def test_unknown_trade_keeps_totals_and_drops_trade_breakdowns(
    spreadsheet_microdata_config: dict[str, Any],
) -> None:
    spreadsheet_microdata_config["values"] = {"trade": {"Électricité": None, "Maçonnerie": None}}
    (s2,), connector = documents(spreadsheet_microdata_config, "2025-S2")
    got = cells(s2)
    assert got[("entrepreneurs", ())] == 3
    assert not any(
        "trade" in dict(dims) for (indicator, dims) in got if indicator == "entrepreneurs"
    )
    assert got[("entries", (("trade", "43.22A"),))] == 1  # E2's trade is known
    assert any("ventilation par métier non envoyée" in w and "registre.csv ligne 3" in w
               for w in connector.warnings)  # fmt: skip


def test_aggregated_cells_with_labels_and_french_numbers(
    spreadsheet_cells_config: dict[str, Any],
) -> None:
    (s2,), connector = documents(spreadsheet_cells_config, "2025-S2")
    assert s2.body["cells"] == [
        {"indicator": "entrepreneurs", "dims": {}, "value": 12},
        {"indicator": "entrepreneurs", "dims": {"trade": "43.21A"}, "value": 7},
        {"indicator": "entrepreneurs", "dims": {"trade": "43.34Z"}, "value": 5},
        {"indicator": "revenue_eur", "dims": {}, "value": 12345.67},
        {"indicator": "revenue_eur", "dims": {"trade": "43.21A"}, "value": 10000},
        {"indicator": "revenue_eur", "dims": {"trade": "43.34Z"}, "value": 2345.67},
    ]
    assert [s.source for s in connector.skipped] == ["indicateurs.csv ligne 9"]
    assert "nombre entier" in connector.skipped[0].message


def test_cells_without_a_document_for_an_absent_period(
    spreadsheet_cells_config: dict[str, Any],
) -> None:
    docs, connector = documents(spreadsheet_cells_config, "2024-S2", "2025-S1")
    assert [d.key for d in docs] == ["indicator-report/2025-S1"]
    assert connector.warnings == ["indicateurs.csv : aucune cellule pour 2024-S2, rien à envoyer"]


def test_cells_file_without_period_column_takes_it_from_the_configuration(
    tmp_path: Path,
) -> None:
    path = write_csv(
        tmp_path / "cellules.csv", ["Indicateur", "Sexe", "Valeur"],
        [["entrepreneurs", None, 3], ["entrepreneurs", "Femme", 1], ["entrepreneurs", "H", 2]],
    )  # fmt: skip
    config = {"file": str(path), "layout": "cells"}
    with pytest.raises(ConfigError, match="n'a pas de colonne « Période »"):
        SpreadsheetConnector(config).check()
    (doc,), _ = documents({**config, "period": "2025-S2"}, "2025-S2")
    assert cells(doc) == {
        ("entrepreneurs", ()): 3,
        ("entrepreneurs", (("sex", "F"),)): 1,
        ("entrepreneurs", (("sex", "M"),)): 2,
    }


def test_relative_paths_resolve_against_the_configuration_folder(
    register_csv: Path,
) -> None:
    connector = SpreadsheetConnector(
        {"file": register_csv.name, "columns": {"trade": "Activité"}, "values": {
            "trade": {"Électricité": "43.21A", "Maçonnerie": "43.99C"}}},
        base_dir=register_csv.parent,
    )  # fmt: skip
    connector.check()
    (doc,) = connector.documents(["2025-S2"])
    assert cells(doc)[("entrepreneurs", ())] == 3


# -- configuration errors: one French sentence naming the file, column or field ---------------


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"« absent\.csv » est introuvable"):
        SpreadsheetConnector({"file": str(tmp_path / "absent.csv")}).check()


def test_mapped_column_missing_from_the_file(register_csv: Path) -> None:
    config = {"file": str(register_csv), "columns": {"entry_date": "Début de contrat"}}
    with pytest.raises(ConfigError) as caught:
        SpreadsheetConnector(config).check()
    assert "« Début de contrat »" in caught.value.message
    assert "registre.csv" in caught.value.message


def test_value_without_correspondence_names_column_values_and_lines(tmp_path: Path) -> None:
    rows = [
        [f"E{n}", "01/01/2025", trade]
        for n, trade in enumerate(
            ["Électricité", "Multiservice", "43.21A", "Bricolage", "Multiservice"]
        )
    ]
    path = write_csv(tmp_path / "registre.csv", ["Identifiant", "Date d'entrée", "Activité"],
                     rows, title="Registre")  # fmt: skip
    with pytest.raises(ConfigError) as caught:
        SpreadsheetConnector({"file": str(path)}).check()
    message = caught.value.message
    assert "colonne « Activité »" in message
    assert "« Multiservice » (lignes 4, 7)" in message and "« Bricolage » (ligne 6)" in message
    assert "Électricité" not in message  # the built-in vocabulary knows it
    assert "values.trade" in message
    assert "aucune valeur de cette colonne" not in message  # others were recognised


def test_correspondence_to_an_unknown_code(register_csv: Path) -> None:
    config = {"file": str(register_csv), "values": {"trade": {"Électricité": "43.21"}}}
    with pytest.raises(ConfigError, match=r"values.trade : « Électricité » correspond à « 43.21 »"):
        SpreadsheetConnector(config).check()


@pytest.mark.parametrize(
    ("config", "field"),
    [
        ({}, "file"),
        ({"file": "x.csv", "layout": "pivot"}, "layout"),
        ({"file": "x.csv", "columns": {"nom": "Nom"}}, "columns.nom"),
        ({"file": "x.csv", "support_staff_fte": {"2025-S1": -1}}, "support_staff_fte.2025-S1"),
    ],
)
def test_configuration_refused_by_its_schema_names_the_field(
    config: dict[str, Any], field: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        SpreadsheetConnector(config)
    assert caught.value.message.startswith("configuration du connecteur « spreadsheet » refusée")
    assert f"{field} :" in caught.value.message


def test_columns_of_the_other_layout_are_refused() -> None:
    with pytest.raises(ConfigError, match=r"columns : champ\(s\) indicator sans objet"):
        SpreadsheetConnector({"file": "x.csv", "columns": {"indicator": "Indicateur"}})
    with pytest.raises(ConfigError, match="revenue : réservé"):
        SpreadsheetConnector({"file": "x.csv", "layout": "cells", "revenue": {"file": "f.csv"}})
    with pytest.raises(ConfigError, match="period : réservé au layout « cells »"):
        SpreadsheetConnector({"file": "x.csv", "period": "2025-S2"})


def test_each_run_reads_the_files_again(spreadsheet_cells_config: dict[str, Any]) -> None:
    connector = SpreadsheetConnector(spreadsheet_cells_config)
    connector.check()
    (before,) = connector.documents(["2025-S1"])
    write_csv(Path(spreadsheet_cells_config["file"]), CELLS_HEADER,
              [["2025-S1", "entrepreneurs", None, None, 11]])  # fmt: skip
    (after,) = connector.documents(["2025-S1"])
    assert (cells(before), cells(after)) == (
        {("entrepreneurs", ()): 10},
        {("entrepreneurs", ()): 11},
    )


def test_register_without_entry_date_column(tmp_path: Path) -> None:
    header = [h for h in REGISTER_HEADER if h != "Date d'entrée"]
    path = write_csv(tmp_path / "registre.csv", header, [["E1"] + [None] * (len(header) - 1)])
    with pytest.raises(ConfigError, match=r"« Date d'entrée » \(entry_date\) dans le fichier"):
        SpreadsheetConnector({"file": str(path)}).check()


def test_utf8_comma_separated_file_with_iso_dates(tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text(
        "Date d'entrée,Sexe,Métier,Département,Date de naissance\n"
        "2024-01-15,F,43.21A,2A,1990-06-01\n"
        "2025-08-01,Homme,Travaux de peinture et vitrerie,20200,1999-01-01\n",
        encoding="utf-8",
    )
    (doc,), _ = documents({"file": str(path)}, "2025-S2")
    got = cells(doc)
    assert got[("entrepreneurs", (("departement", "2A"),))] == 1
    assert got[("entrepreneurs", (("departement", "2B"),))] == 1
    assert got[("entries", (("trade", "43.34Z"),))] == 1
