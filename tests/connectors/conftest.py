"""Shared fixtures: real files as CAEs keep them, written in the test's folder.

The register carries the columns a real one has (names, NIR, address, phone) so that tests
can show they never leave the connector. The people are invented.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import subprocess
import sys
import zipfile
from collections.abc import Iterator, Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

REGISTER_HEADER = [
    "Identifiant",
    "Nom",
    "Prénom",
    "N° sécurité sociale",
    "Date d'entrée",
    "Date CESA",
    "Contrat",
    "Date de sortie",
    "Motif de sortie",
    "Date de sociétariat",
    "Activité",
    "Sexe",
    "Date de naissance",
    "Département",
    "Adresse",
    "Téléphone",
]
# Period 2025-S2 ends on 2025-12-31; the expected figures are worked out in test_spreadsheet.py.
REGISTER_ROWS: list[list[Any]] = [
    ["E1", "Dupont", "Marie", "2 85 05 33 063 042 51", date(2021, 3, 15), date(2021, 10, 1),
     "CESA", None, None, date(2024, 1, 1), "Électricité", "Femme", date(1985, 5, 12), "33",
     "12 rue des Lilas 33000 Bordeaux", "06 12 34 56 78"],
    ["E2", "Martin", "Paul", "1 01 02 33 063 117 28", date(2025, 9, 1), None, "CAPE", None,
     None, None, "43.22A", "H", date(2001, 2, 3), "33000", "3 place Gambetta", "0556000000"],
    ["E3", "Bernard", "Luc", "1 70 01 24 322 006 77", date(2023, 1, 10), date(2023, 1, 10),
     "CESA", date(2025, 9, 30), "Création d'entreprise", None, "Maçonnerie", "M",
     date(1970, 1, 20), "Gironde", "", ""],
    ["E4", "Petit", "Anne", "2 60 12 47 001 005 90", date(2022, 2, 1), None, "CESA", None, None,
     date(2025, 12, 15), "43.21A", None, date(1960, 12, 30), "47", "", ""],
    ["E5", "Durand", "Léa", "2 90 03 33 063 200 11", "31/02/2024", None, "CAPE", None, None,
     None, "43.21A", "F", date(1990, 3, 3), "33", "", ""],
    ["E6", "Robert", "Jean", "1 88 07 33 063 300 45", date(2026, 1, 5), None, "CAPE", None,
     None, None, "43.34Z", "M", date(1988, 7, 7), "33", "", ""],
    ["E7", "Moreau", "Zoé", "2 95 11 33 063 400 62", date(2024, 5, 1), None, "CAPE",
     date(2024, 4, 1), "Autre motif", None, "43.34Z", "F", date(1995, 11, 11), "33", "", ""],
]  # fmt: skip
REVENUE_HEADER = ["Date", "Client", "Montant HT", "Identifiant", "Métier"]
REVENUE_ROWS: list[list[Any]] = [
    [date(2025, 7, 5), "SCI Les Tilleuls", Decimal("1234.56"), "E1", None],
    [date(2025, 10, 12), "M. Lambert", Decimal("2000"), "E2", "43.22A"],
    [date(2025, 11, 15), "SCI Les Tilleuls", Decimal("-234.56"), "E1", None],
    [date(2025, 3, 20), "Mairie", Decimal("500"), "E3", None],
    [date(2025, 12, 1), "Mairie", "abc", "E1", None],
]
CELLS_HEADER = ["Période", "Indicateur", "Métier", "Sexe", "Valeur"]
CELLS_ROWS: list[list[Any]] = [
    ["2025-S2", "entrepreneurs", None, None, Decimal(12)],
    ["2025-S2", "entrepreneurs", "43.21A", None, Decimal(7)],
    ["2025-S2", "Entrepreneurs (stock en fin de période)", "Travaux de peinture et vitrerie",
     None, Decimal(5)],
    ["2025-S2", "Chiffre d'affaires HT", None, None, Decimal("12345.67")],
    ["2025-S2", "revenue_eur", "43.21A", None, Decimal("10000")],
    ["2025-S2", "revenue_eur", "43.34Z", None, Decimal("2345.67")],
    ["2025-S1", "entrepreneurs", None, None, Decimal(10)],
    ["2025-S2", "associates", None, None, Decimal("2.5")],
]  # fmt: skip
VALUES = {"trade": {"Électricité": "43.21A", "Maçonnerie": "43.99C"}}


def french(value: Any) -> str:
    """A value as a French spreadsheet exports it: 31/12/2025, 1 234,56."""
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        sign = "-" if value < 0 else ""
        whole, _, cents = f"{abs(value):.2f}".partition(".")
        grouped = f"{int(whole):,}".replace(",", " ")
        return f"{sign}{grouped},{cents}" if cents != "00" else f"{sign}{grouped}"
    return str(value)


def write_csv(
    path: Path,
    header: list[str],
    rows: list[list[Any]],
    *,
    title: str | None = None,
    encoding: str = "latin-1",
) -> Path:
    """A CSV as French office software writes it: ``;``, Latin-1, French numbers and dates."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    if title:
        writer.writerow([title])
    writer.writerow(header)
    writer.writerows([[french(value) for value in row] for row in rows])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, sheets: dict[str, tuple[list[str], list[list[Any]]]]) -> Path:
    """A workbook with typed cells: real dates, real numbers."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.remove(workbook.active)  # type: ignore[arg-type]
    for name, (header, rows) in sheets.items():
        sheet = workbook.create_sheet(name)
        sheet.append(header)
        for row in rows:
            sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    workbook.save(path)
    return path


@pytest.fixture
def register_csv(tmp_path: Path) -> Path:
    return write_csv(
        tmp_path / "registre.csv",
        REGISTER_HEADER,
        REGISTER_ROWS,
        title="Registre des entrepreneurs de la CAE",
    )


@pytest.fixture
def revenue_csv(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "factures.csv", REVENUE_HEADER, REVENUE_ROWS)


@pytest.fixture
def spreadsheet_microdata_config(register_csv: Path, revenue_csv: Path) -> dict[str, Any]:
    """A register in Latin-1 with ``;`` and a title line, with invoices; paths absolute."""
    return {
        "file": str(register_csv),
        "columns": {"trade": "Activité"},
        "values": VALUES,
        "revenue": {"file": str(revenue_csv)},
        "support_staff_fte": {"2025-S2": 2.5},
        "training_hours": {"2025-S2": 140},
    }


@pytest.fixture
def spreadsheet_workbook_config(tmp_path: Path) -> dict[str, Any]:
    """The same register and invoices as two sheets of one XLSX workbook."""
    path = write_xlsx(
        tmp_path / "cae.xlsx",
        {
            "Entrepreneurs": (REGISTER_HEADER, REGISTER_ROWS),
            "Factures": (REVENUE_HEADER, REVENUE_ROWS),
        },
    )
    return {
        "file": str(path),
        "sheet": "Entrepreneurs",
        "columns": {"trade": "Activité"},
        "values": VALUES,
        "revenue": {"file": str(path), "sheet": "Factures"},
        "support_staff_fte": {"2025-S2": 2.5},
        "training_hours": {"2025-S2": 140},
    }


@pytest.fixture
def spreadsheet_cells_config(tmp_path: Path) -> dict[str, Any]:
    path = write_csv(tmp_path / "indicateurs.csv", CELLS_HEADER, CELLS_ROWS)
    return {"file": str(path), "layout": "cells"}


CATALOGUE_HEADER = [
    "N° de formation", "N° de session", "Intitulé", "Objectif", "Formacode", "Métiers",
    "Public visé", "Modalité", "Durée (heures)", "Prix TTC", "Adresse", "Code postal", "Ville",
    "Date de début", "Date de fin", "Places offertes", "Prix CAE membre", "Courriel",
]  # fmt: skip
CATALOGUE_ROWS: list[list[Any]] = [
    [
        "F-TOIT", "S-TOIT-1", "Sécurité sur toiture", "Prévenir les chutes de hauteur", "42854",
        "43.91A, 43.91B", "80056", "Présentiel", 14, Decimal("420"), "12 rue des Couvreurs",
        "69007", "Lyon", date(2027, 1, 18), date(2027, 1, 19), 4, Decimal("300"),
        "formation@cae-toits.example",
    ],
    [
        "F-TOIT", "S-TOIT-2", "Sécurité sur toiture", "Prévenir les chutes de hauteur", "42854",
        "43.91A, 43.91B", "80056", "Présentiel", 14, Decimal("420"), "12 rue des Couvreurs",
        "69007", "Lyon", date(2027, 3, 15), None, None, None, "formation@cae-toits.example",
    ],
    [
        "F-DEVIS", "S-DEVIS-1", "Devis et chiffrage", "Chiffrer un chantier", "32054", "41.20A",
        "80056", "À distance", 7, Decimal("150"), "3 place du Marché", "75011", "Paris",
        date(2027, 2, 1), date(2027, 2, 1), 2, Decimal("90,5".replace(",", ".")), None,
    ],
]  # fmt: skip
CATALOGUE_ORGANISME = {
    "siret": "12345678900012",
    "numero_activite": "84691234569",
    "nom": "Toits Partagés",
    "raison_sociale": "SCOP Toits Partagés",
}


@pytest.fixture
def spreadsheet_catalogue_config(tmp_path: Path) -> dict[str, Any]:
    path = write_csv(tmp_path / "catalogue.csv", CATALOGUE_HEADER, CATALOGUE_ROWS)
    return {"file": str(path), "layout": "catalogue", "organisme": dict(CATALOGUE_ORGANISME)}


# -- a third party's connector package -------------------------------------------------------

REGISTER_MODULE = '''
"""A connector shipped by another organisation: entry dates listed in the configuration."""

from datetime import date
from typing import Any, ClassVar

from connectors.sdk import Connector, EntrepreneurRecord, build_report, extractor


class RegisterConnector(Connector):
    name = "register"
    version = "0.3.1"
    title = "Registre minimal"
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "required": ["entries"],
        "properties": {"entries": {"type": "array", "items": {"type": "string", "format": "date"}}},
    }

    def check(self) -> None:
        pass

    @extractor("indicator-report")
    def report(self, period: Any) -> dict[str, Any]:
        people = [
            EntrepreneurRecord(f"entrée {n}", date.fromisoformat(day), sex="F")
            for n, day in enumerate(self.config["entries"], start=1)
        ]
        return build_report(period, people)
'''
MISNAMED_MODULE = """
from cae_register import RegisterConnector


class Misnamed(RegisterConnector):
    name = "autre"
"""
BROKEN_MODULE = "import cae_missing_dependency  # noqa: F401\n"
THIRD_PARTY_MODULES = ("cae_register", "cae_register.misnamed", "cae_broken")


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return f"sha256={digest.decode()}"


def build_wheel(
    folder: Path,
    name: str,
    version: str,
    files: Mapping[str, str],
    entry_points: Mapping[str, str],
) -> Path:
    """A pure-Python wheel holding ``files`` and declaring ``entry_points`` in our group."""
    dist_info = f"{name.replace('-', '_')}-{version}.dist-info"
    contents = dict(files)
    contents[f"{dist_info}/METADATA"] = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    contents[f"{dist_info}/WHEEL"] = (
        "Wheel-Version: 1.0\nGenerator: tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    )
    contents[f"{dist_info}/entry_points.txt"] = "[cae_hub.connectors]\n" + "".join(
        f"{key} = {value}\n" for key, value in entry_points.items()
    )
    record = [
        f"{path},{_record_hash(text.encode())},{len(text.encode())}"
        for path, text in contents.items()
    ]
    contents[f"{dist_info}/RECORD"] = "\n".join([*record, f"{dist_info}/RECORD,,"]) + "\n"
    wheel = folder / f"{name.replace('-', '_')}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for path, text in contents.items():
            archive.writestr(path, text)
    return wheel


@pytest.fixture(scope="session")
def third_party_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A third party's package, installed by pip into a folder of its own."""
    folder = tmp_path_factory.mktemp("third-party")
    wheel = build_wheel(
        folder,
        "cae-register",
        "0.3.1",
        {
            "cae_register/__init__.py": REGISTER_MODULE,
            "cae_register/misnamed.py": MISNAMED_MODULE,
            "cae_broken/__init__.py": BROKEN_MODULE,
        },
        {
            "register": "cae_register:RegisterConnector",
            "misnamed": "cae_register.misnamed:Misnamed",
            "broken": "cae_broken:BrokenConnector",
        },
    )
    site = folder / "site"
    subprocess.run(  # noqa: S603 - our own interpreter, arguments built here
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
    )  # fmt: skip
    return site


@pytest.fixture
def third_party_installed(
    third_party_site: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    monkeypatch.syspath_prepend(str(third_party_site))
    yield third_party_site
    for module in THIRD_PARTY_MODULES:
        sys.modules.pop(module, None)
