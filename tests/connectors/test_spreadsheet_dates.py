"""Dates as people type them in a register: two-digit years, month names, spreadsheet serial
numbers in CSV text and in XLSX number cells; an impossible date still skips its row."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from connectors.spreadsheet import SpreadsheetConnector
from tests.connectors.conftest import write_csv, write_xlsx

HEADER = ["Nom", "Date d'entrée", "Sexe", "Métier", "Département"]
ENTRIES: list[Any] = [
    "03/02/25", "3 février 2025", "3 fév. 2025", "45691", "2025-02-03", "13/13/2025"
]  # fmt: skip


def rows(entries: list[Any]) -> list[list[Any]]:
    return [[f"Personne {n}", entry, "F", "43.21A", "33"] for n, entry in enumerate(entries)]


def entries_in(config: dict[str, Any]) -> tuple[dict[str, Any], SpreadsheetConnector]:
    connector = SpreadsheetConnector(config)
    (document,) = connector.documents(["2025-S1"])
    return {c["indicator"]: c["value"] for c in document.body["cells"] if not c["dims"]}, connector


def test_french_dates_in_a_latin1_csv(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "registre.csv", HEADER, rows(ENTRIES))
    totals, connector = entries_in({"file": str(path)})
    assert totals["entries"] == 5  # every form read as 3 February 2025
    assert totals["entrepreneurs"] == 5
    assert [(s.source, s.message) for s in connector.skipped] == [
        (
            "registre.csv ligne 7",
            "registre.csv ligne 7, colonne « Date d'entrée » : n'est pas une date du calendrier",
        )
    ]


def test_serial_numbers_in_xlsx_number_cells(tmp_path: Path) -> None:
    entries: list[Any] = [Decimal(45691), date(2025, 2, 3), "3 février 2025", Decimal(7)]
    path = write_xlsx(tmp_path / "registre.xlsx", {"Feuil1": (HEADER, rows(entries))})
    totals, connector = entries_in({"file": str(path)})
    assert totals["entries"] == 3
    assert [s.source for s in connector.skipped] == ["registre.xlsx ligne 5"]
    assert "une date est attendue" in connector.skipped[0].message
