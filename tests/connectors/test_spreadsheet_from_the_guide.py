"""The CAE manager's path, from the guide alone: her register is the guide's « Exemple
complet » (its header line and rows, then more people typed the way people type), saved by
Excel as a Latin-1 ``;`` CSV and as an XLSX workbook; the configuration is the guide's own
TOML block, unchanged. The report must carry entrepreneurs, associates and revenue.

Hand count for 2025 (both periods end on 2025-12-31):

- Durand (guide): entered 03/02/23, CESA 01/09/2023, associate 15 mars 2024, Plomberie,
  Bordeaux, CA 24 500,00;
- Martin (guide): entered 1er septembre 2024, CAPE, Électricité, « 33000 Bordeaux », CA 18 000;
- Petit: entered 45691 (a spreadsheet serial: 3 February 2025), CESA 01/06/2025, no associate
  date, Couverture, « Agen (47) », CA 9 000,50;
- Bernard: entered 12/01/22, associate « 3 février 2025 », left 30/09/2025 (company creation),
  Maçonnerie, « 33700 Mérignac » (a name of three départements, made one by its postcode),
  CA 4 000;
- Moreau: entered « 13/13/2025 »: skipped, with its line and reason;
- Roux: entered « 2 juin 2025 », « Multiservice » (the guide's values.trade: 43.99D), commune
  written as a postcode « 47000 », no CA;
- Faure: entered « lundi 6 janvier 2025 », CESA 06/01/25, associate « 1 déc. 2025 »,
  Électricité, Bordeaux, CA 12 000;
- Blanc: enters on 01/03/2026, after the periods.

Stock on 2025-12-31: Durand, Martin, Petit, Roux, Faure = 5 (F 3, M 2); associates Durand and
Faure = 2; entries in 2025: Petit, Roux, Faure = 3; exits: Bernard = 1. Revenue 2025: 24 500 +
18 000 + 9 000,50 + 4 000 + 12 000 = 67 500,50, of which 43.22A 24 500, 43.21A 30 000,
43.91B 9 000,50, 43.99C 4 000; département 33: 58 500, 47: 9 000,50.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from connectors.sdk import Document, connector_test_suite
from connectors.spreadsheet import SpreadsheetConnector
from tests.connectors.conftest import write_xlsx

Key = tuple[str, tuple[tuple[str, str], ...]]


def _example() -> tuple[list[str], list[list[str]], dict[str, Any]]:
    """The guide's example: header, rows, and the sync configuration."""
    guide = SpreadsheetConnector.guide()
    assert guide is not None
    section = guide.split("## Exemple complet", 1)[1]
    text = section.split("```text\n", 1)[1].split("```", 1)[0]
    toml = section.split("```toml\n", 1)[1].split("```", 1)[0]
    lines = [line.split(";") for line in text.splitlines()]
    return lines[0], lines[1:], tomllib.loads(toml)


HEADER, GUIDE_ROWS, SYNC = _example()
# Nom;Prénom;Date d'entrée;Date CESA;Sociétaire depuis;Date de sortie;Motif de sortie;Métier;
# Sexe;Date de naissance;Commune;CA HT 2025
MORE_ROWS: list[list[Any]] = [
    ["Petit", "Anne", "45691", "01/06/2025", "", "", "", "Couverture", "F", "03/03/1970",
     "Agen (47)", "9 000,50"],
    ["Bernard", "Luc", "12/01/22", "12/01/22", "3 février 2025", "30/09/2025",
     "Création d'entreprise", "Maçonnerie", "M", "01/01/1980", "33700 Mérignac", "4 000"],
    ["Moreau", "Zoé", "13/13/2025", "", "", "", "", "Plomberie", "Femme", "11/11/1995",
     "Bordeaux", "1 000"],
    ["Roux", "Inès", "2 juin 2025", "", "", "", "", "Multiservice", "Femme", "05/05/2000",
     "47000", ""],
    ["Faure", "Jean", "lundi 6 janvier 2025", "06/01/25", "1 déc. 2025", "", "", "Électricité",
     "Homme", "14/07/1965", "Bordeaux", "12 000"],
    ["Blanc", "Chloé", "01/03/2026", "", "", "", "", "Peinture", "F", "02/02/1992", "Bordeaux",
     ""],
]  # fmt: skip
TYPED: dict[str, Any] = {  # the same cells as an XLSX keeps them: dates and numbers typed
    "45691": Decimal(45691),  # a date cell left in number format
    "01/06/2025": date(2025, 6, 1),
    "30/09/2025": datetime(2025, 9, 30, 0, 0),
    "9 000,50": Decimal("9000.5"),
    "4 000": Decimal(4000),
    "12 000": Decimal(12000),
    "24 500,00": Decimal(24500),
    "18 000": Decimal(18000),
    "": None,
}


def _cells(document: Document) -> dict[Key, Any]:
    return {
        (c["indicator"], tuple(sorted(c["dims"].items()))): c["value"]
        for c in document.body["cells"]
    }


def _write_csv(folder: Path, name: str) -> None:
    """As Excel saves « CSV (séparateur : point-virgule) » on a French Windows."""
    text = "\r\n".join(";".join(row) for row in [HEADER, *GUIDE_ROWS, *MORE_ROWS]) + "\r\n"
    (folder / name).write_bytes(text.encode("latin-1"))


@pytest.fixture(params=["csv", "xlsx"])
def her_folder(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """Her register and the guide's configuration, as she saves them in one folder."""
    config = dict(SYNC["connector"]["config"])
    rows = [*GUIDE_ROWS, *MORE_ROWS]
    if request.param == "csv":
        _write_csv(tmp_path, config["file"])
    else:
        config["file"] = config["file"].replace(".csv", ".xlsx")  # as the guide says
        typed = [[TYPED.get(cell, cell) for cell in row] for row in rows]
        write_xlsx(tmp_path / config["file"], {"Feuil1": (HEADER, typed)})
    return tmp_path, config


def test_the_guide_example_gives_entrepreneurs_associates_and_revenue(
    her_folder: tuple[Path, dict[str, Any]],
) -> None:
    folder, config = her_folder
    assert SYNC["connector"]["name"] == "spreadsheet"
    connector = SpreadsheetConnector(config, base_dir=folder)
    connector.check()
    documents = {d.period: _cells(d) for d in connector.documents(SYNC["sync"]["periods"])}
    assert sorted(documents) == ["2025", "2025-S2"]
    year, semester = documents["2025"], documents["2025-S2"]
    for report in (year, semester):
        assert report[("entrepreneurs", ())] == 5
        assert report[("entrepreneurs", (("sex", "F"),))] == 3
        assert report[("entrepreneurs", (("sex", "M"),))] == 2
        assert report[("entrepreneurs", (("contract", "cesa"),))] == 3
        assert report[("entrepreneurs", (("departement", "33"),))] == 3
        assert report[("entrepreneurs", (("departement", "47"),))] == 2
        assert report[("entrepreneurs", (("trade", "43.99D"),))] == 1
        assert report[("associates", ())] == 2
        assert report[("exits", (("exit_reason", "company_creation"),))] == 1
    assert year[("entries", ())] == 3 and semester[("entries", ())] == 0
    assert year[("revenue_eur", ())] == 67500.5
    assert {dims: value for (name, dims), value in year.items() if name == "revenue_eur"} == {
        (): 67500.5,
        (("trade", "43.22A"),): 24500,
        (("trade", "43.21A"),): 30000,
        (("trade", "43.91B"),): 9000.5,
        (("trade", "43.99C"),): 4000,
        (("departement", "33"),): 58500,
        (("departement", "47"),): 9000.5,
        (("departement", "33"), ("trade", "43.21A")): 30000,
        (("departement", "33"), ("trade", "43.22A")): 24500,
        (("departement", "33"), ("trade", "43.99C")): 4000,
        (("departement", "47"), ("trade", "43.91B")): 9000.5,
    }
    assert year[("support_staff_fte", ())] == 1.5
    assert not any(name == "revenue_eur" for name, _ in semester)
    name = config["file"]
    line = f"{name} ligne 6"
    assert [(s.source, s.message) for s in connector.skipped] == [
        (line, f"{line}, colonne « Date d'entrée » : n'est pas une date du calendrier")
    ]
    assert connector.warnings == [
        "2025-S2 : chiffre d'affaires (revenue_eur) non envoyé pour le semestre, la colonne "
        "« CA HT 2025 » donne l'année 2025 entière ; il s'envoie avec la période « 2025 » "
        "(ajoutez-la aux périodes de la synchronisation)"
    ]


def test_every_header_of_her_register_is_one_the_guide_lists() -> None:
    guide = SpreadsheetConnector.guide() or ""
    tables = guide.split("## 4.", 1)[0]
    for header in HEADER:
        if header in ("Nom", "Prénom"):
            assert f"« {header} »" not in tables  # never read
        elif header == "CA HT 2025":
            assert "« CA HT 2025 »" in guide
        else:
            assert f"« {header} »" in tables, header


@pytest.fixture
def guide_example_config(tmp_path: Path) -> dict[str, Any]:
    config = dict(SYNC["connector"]["config"])
    _write_csv(tmp_path, config["file"])
    return {**config, "file": str(tmp_path / config["file"])}


# The hub's schemas and consistency rules accept what the guide's example produces.
TestGuideExample = connector_test_suite(
    SpreadsheetConnector, config="guide_example_config", periods=SYNC["sync"]["periods"]
)
