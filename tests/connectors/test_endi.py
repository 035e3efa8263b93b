"""The enDI connector on a small CAE whose indicators are worked out by hand.

The sample (tests/connectors/endi_files.py) has ten people: stays crossing the period's
bounds, CAPE then CESA, a direct CESA on the last day, a person who leaves and comes back,
a candidate who never signs, associates, birthdays around the period's end, Corsican and
overseas postcodes, invoices inside and outside the period, a credit note and a draft.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from connectors.endi import EndiConnector
from connectors.sdk.base import Document
from tests.connectors.endi_files import Style, write_sample

Cells = dict[tuple[str, frozenset[tuple[str, str]]], float]

# Period 2026-S1: 1 January to 30 June 2026, worked out from the sample.
S1_EXPECTED: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {
    ("entrepreneurs", ()): 6,
    ("entrepreneurs", (("contract", "cesa"),)): 4,
    ("entrepreneurs", (("contract", "cape"),)): 2,
    ("entrepreneurs", (("trade", "43.21A"),)): 4,
    ("entrepreneurs", (("trade", "43.22A"),)): 1,
    ("entrepreneurs", (("trade", "43.34Z"),)): 1,
    ("entrepreneurs", (("sex", "F"),)): 2,
    ("entrepreneurs", (("sex", "M"),)): 3,
    ("entrepreneurs", (("sex", "X"),)): 1,
    ("entrepreneurs", (("age_band", "<26"),)): 1,
    ("entrepreneurs", (("age_band", "36-45"),)): 3,
    ("entrepreneurs", (("age_band", "46-55"),)): 1,
    ("entrepreneurs", (("age_band", ">55"),)): 1,
    ("entrepreneurs", (("departement", "33"),)): 2,
    ("entrepreneurs", (("departement", "2A"),)): 1,
    ("entrepreneurs", (("departement", "2B"),)): 1,
    ("entrepreneurs", (("departement", "75"),)): 1,
    ("entrepreneurs", (("departement", "69"),)): 1,
    ("associates", ()): 2,
    ("associates", (("sex", "F"),)): 1,
    ("associates", (("sex", "M"),)): 1,
    ("associates", (("trade", "43.21A"),)): 2,
    ("entries", ()): 3,
    ("entries", (("contract", "cape"),)): 2,
    ("entries", (("contract", "cesa"),)): 1,
    ("entries", (("sex", "X"),)): 1,
    ("exits", ()): 2,
    ("exits", (("exit_reason", "company_creation"),)): 1,
    ("exits", (("exit_reason", "training"),)): 1,
    ("exits", (("trade", "43.32A"),)): 1,
    ("exits", (("trade", "43.91B"),)): 1,
    ("revenue_eur", ()): 3500,
    ("revenue_eur", (("trade", "43.21A"),)): 1000,
    ("revenue_eur", (("trade", "43.22A"),)): 500,
    ("revenue_eur", (("trade", "43.32A"),)): 2000,
    ("revenue_eur", (("departement", "33"),)): 1000,
    ("revenue_eur", (("departement", "2A"),)): 500,
    ("revenue_eur", (("departement", "972"),)): 2000,
    ("gross_payroll_eur", ()): 3300.5,
    ("gross_payroll_eur", (("trade", "43.21A"),)): 1800,
    ("gross_payroll_eur", (("trade", "43.22A"),)): 1500.5,
    ("support_staff_fte", ()): 2.5,
    ("training_hours", ()): 140,
}

# Period 2025-S2: 1 July to 31 December 2025.
S2_2025_EXPECTED: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {
    ("entrepreneurs", ()): 5,
    ("entrepreneurs", (("contract", "cesa"),)): 3,
    ("entrepreneurs", (("contract", "cape"),)): 2,
    ("associates", ()): 1,
    ("entries", ()): 1,
    ("entries", (("contract", "cape"),)): 1,
    ("exits", ()): 1,
    ("exits", (("exit_reason", "employment"),)): 1,
    ("exits", (("trade", "43.21A"),)): 1,
    ("revenue_eur", ()): 999,
    ("revenue_eur", (("departement", "33"),)): 999,
    ("gross_payroll_eur", ()): 0,
    ("training_hours", ()): 96.5,
}


def cells(document: Document) -> Cells:
    return {
        (cell["indicator"], frozenset(cell["dims"].items())): cell["value"]
        for cell in document.body["cells"]
    }


def assert_expected(
    found: Cells, expected: dict[tuple[str, tuple[tuple[str, str], ...]], float]
) -> None:
    wrong = {
        (indicator, dims): (value, found.get((indicator, frozenset(dims))))
        for (indicator, dims), value in expected.items()
        if found.get((indicator, frozenset(dims))) != value
    }
    assert wrong == {}


Writer = Callable[[Path], dict[str, Any]]
FORMATS: dict[str, tuple[Style, str]] = {
    "labels-semicolon-latin1": ("labels", ".csv"),
    "fields-comma-utf8-bom": ("fields", ".csv"),
    "labels-xlsx": ("labels", ".xlsx"),
    "fields-xlsx": ("fields", ".xlsx"),
}


@pytest.mark.parametrize("form", list(FORMATS))
def test_indicators_of_both_semesters_in_every_format(tmp_path: Path, form: str) -> None:
    style, suffix = FORMATS[form]
    config = write_sample(tmp_path, style=style, suffix=suffix)
    connector = EndiConnector(config, base_dir=tmp_path)
    connector.check()

    first, second = connector.documents(["2026-S1", "2025-S2"])

    assert (first.schema, first.key, first.period) == (
        "indicator-report",
        "indicator-report/2026-S1",
        "2026-S1",
    )
    assert_expected(cells(first), S1_EXPECTED)
    assert_expected(cells(second), S2_2025_EXPECTED)
    assert ("support_staff_fte", frozenset()) not in cells(second)
    assert connector.skipped == []


def test_the_latin1_file_really_is_latin1_with_semicolons(tmp_path: Path) -> None:
    write_sample(tmp_path)
    raw = (tmp_path / "userdatas.csv").read_bytes()
    assert raw.startswith("ID Gestion sociale;Date d'entrée".encode("cp1252"))
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")


def test_every_breakdown_adds_up_to_its_total(tmp_path: Path) -> None:
    connector = EndiConnector(write_sample(tmp_path), base_dir=tmp_path)
    (document,) = connector.documents(["2026-S1"])
    totals: dict[str, float] = {}
    sums: dict[tuple[str, str], float] = {}
    for cell in document.body["cells"]:
        if not cell["dims"]:
            totals[cell["indicator"]] = cell["value"]
        elif len(cell["dims"]) == 1:
            (dim,) = cell["dims"]
            key = (cell["indicator"], dim)
            sums[key] = round(sums.get(key, 0) + cell["value"], 2)
    assert sums
    assert {key: value for key, value in sums.items() if value != totals[key[0]]} == {}


@pytest.mark.parametrize("unit", ["centimes", "x100000"])
def test_fixed_point_amounts_in_the_declared_unit(tmp_path: Path, unit: str) -> None:
    config = write_sample(tmp_path, unit=unit)
    connector = EndiConnector(config, base_dir=tmp_path)
    connector.check()
    assert connector.warnings == []
    (document,) = connector.documents(["2026-S1"])
    assert cells(document)[("revenue_eur", frozenset())] == 3500


def test_amounts_in_another_unit_than_declared_are_flagged(tmp_path: Path) -> None:
    config = write_sample(tmp_path, unit="x100000")
    config["amount_unit"] = "euros"
    connector = EndiConnector(config, base_dir=tmp_path)
    connector.check()
    (warning,) = connector.warnings
    assert "« factures.csv » semblent ne pas être en euros" in warning
    assert "« x100000 »" in warning

    config = write_sample(tmp_path, unit="euros")
    config["amount_unit"] = "centimes"
    connector = EndiConnector(config, base_dir=tmp_path)
    connector.check()
    (warning,) = connector.warnings
    assert "ont des décimales alors que « amount_unit » vaut « centimes »" in warning


def test_without_optional_exports_only_people_and_declared_quantities(tmp_path: Path) -> None:
    config = write_sample(tmp_path)
    for setting in ("invoices", "companies", "payroll", "support_staff_fte", "training_hours"):
        del config[setting]
    (document,) = EndiConnector(config, base_dir=tmp_path).documents(["2026-S1"])
    found = cells(document)
    assert {indicator for indicator, _ in found} == {
        "entrepreneurs",
        "associates",
        "entries",
        "exits",
    }
    assert found[("entrepreneurs", frozenset())] == 6


def test_invoices_without_companies_give_a_total_and_say_why_no_breakdown(
    tmp_path: Path,
) -> None:
    config = write_sample(tmp_path)
    del config["companies"]
    connector = EndiConnector(config, base_dir=tmp_path)
    (document,) = connector.documents(["2026-S1"])
    revenue = {dims: v for (i, dims), v in cells(document).items() if i == "revenue_eur"}
    assert revenue == {frozenset(): 3500}
    assert any(w.startswith("revenue_eur : ventilation par métier") for w in connector.warnings)


def test_a_file_changed_between_runs_is_read_again(tmp_path: Path) -> None:
    config = write_sample(tmp_path)
    connector = EndiConnector(config, base_dir=tmp_path)
    (before,) = connector.documents(["2026-S1"])
    path = tmp_path / "parcours.csv"
    text = path.read_bytes().decode("cp1252")
    path.write_bytes(text.replace("15/07/2026", "15/05/2026").encode("cp1252"))
    later = path.stat().st_mtime + 5  # however coarse the file system's clock
    os.utime(path, (later, later))
    (after,) = connector.documents(["2026-S1"])
    assert cells(before)[("exits", frozenset())] == 2
    assert cells(after)[("exits", frozenset())] == 3
    assert cells(after)[("entrepreneurs", frozenset())] == 5
