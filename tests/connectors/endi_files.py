"""Writers of enDI-style export files (the formats ``connectors.endi`` documents).

Each writer takes plain records and writes the file as a CAE exports it from enDI:

- ``style="labels"``: French column labels, ``;`` separator, cp1252 (Latin-1) encoding,
  dates ``31/12/2025``, amounts ``1 234,56`` — what a spreadsheet user sees;
- ``style="fields"``: enDI field names, ``,`` separator, UTF-8 with BOM, ISO dates, amounts
  ``1234.56``;
- a path ending in ``.xlsx`` gives a workbook with typed cells (dates, numbers), headers in
  the chosen style.

The entrepreneur file also carries identity columns (name, e-mail, NIR, address) as enDI's
export does, so that tests can show that none of it ever leaves the connector.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from tests.connectors.conftest import write_xlsx

Style = Literal["labels", "fields"]
Value = str | date | Decimal | int | None


@dataclass(frozen=True)
class Entrepreneur:
    id: str
    lastname: str
    firstname: str
    sex: str | None = None
    civility: str | None = None
    birthday: date | None = None
    zipcode: str | None = None
    typology: str | None = None
    activity: str | None = None
    associate: date | None = None
    email: str | None = None
    nir: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class Stage:
    userdatas_id: str
    start: date
    stage: str
    nature: str | None = None
    contract_type: str | None = None
    exit_type: str | None = None
    exit_reason: str | None = None
    end: date | None = None


@dataclass(frozen=True)
class Company:
    id: str
    name: str
    activity: str | None = None
    zipcode: str | None = None
    userdatas_id: str | None = None


@dataclass(frozen=True)
class Invoice:
    number: str
    on: date
    ht: Decimal
    """Euros excluding VAT; written in the unit asked of ``write_invoices``."""
    company_id: str | None = None
    company: str | None = None
    status: str = "Validée"


@dataclass(frozen=True)
class Payslip:
    month: date
    gross: Decimal
    userdatas_id: str | None = None


# (enDI field name, French label, attribute of the record) of each column, in enDI's order.
Columns = Sequence[tuple[str, str, str]]
USERDATAS_COLUMNS: Columns = (
    ("id", "ID Gestion sociale", "id"),
    ("situation_societariat_entrance", "Date d'entrée au sociétariat", "associate"),
    ("coordonnees_civilite", "Civilité", "civility"),
    ("coordonnees_lastname", "Nom", "lastname"),
    ("coordonnees_firstname", "Prénom", "firstname"),
    ("coordonnees_email1", "E-mail 1", "email"),
    ("coordonnees_address", "Adresse", "address"),
    ("coordonnees_zipcode", "Code postal", "zipcode"),
    ("coordonnees_sex", "Sexe", "sex"),
    ("coordonnees_birthday", "Date de naissance", "birthday"),
    ("coordonnees_secu", "Numéro de sécurité sociale", "nir"),
    ("activity_typologie", "Typologie", "typology"),
    ("activity_companydatas", "Type d'activité", "activity"),
)
CAREER_PATH_COLUMNS: Columns = (
    ("userdatas_id", "ID Gestion sociale", "userdatas_id"),
    ("start_date", "Date d'effet", "start"),
    ("end_date", "Date d'échéance", "end"),
    ("career_stage", "Étape de parcours", "stage"),
    ("stage_type", "Nature", "nature"),
    ("type_contrat", "Type de contrat", "contract_type"),
    ("type_sortie", "Type de sortie", "exit_type"),
    ("motif_sortie", "Motif de sortie", "exit_reason"),
)
COMPANY_COLUMNS: Columns = (
    ("id", "ID enseigne", "id"),
    ("name", "Enseigne", "name"),
    ("activity", "Activité", "activity"),
    ("zip_code", "Code postal", "zipcode"),
    ("userdatas_id", "ID Gestion sociale", "userdatas_id"),
)
INVOICE_COLUMNS: Columns = (
    ("official_number", "Numéro de facture", "number"),
    ("date", "Date", "on"),
    ("company_id", "ID enseigne", "company_id"),
    ("company", "Enseigne", "company"),
    ("ht", "Montant HT", "ht"),
    ("status", "Statut", "status"),
)
PAYROLL_COLUMNS: Columns = (
    ("month", "Mois", "month"),
    ("userdatas_id", "ID Gestion sociale", "userdatas_id"),
    ("gross", "Salaire brut", "gross"),
)
UNIT_FACTORS = {"euros": 1, "centimes": 100, "x100000": 100_000}


def write_userdatas(path: Path, people: Iterable[Entrepreneur], *, style: Style = "labels") -> Path:
    return write_records(path, USERDATAS_COLUMNS, people, style=style)


def write_career_paths(path: Path, stages: Iterable[Stage], *, style: Style = "labels") -> Path:
    return write_records(path, CAREER_PATH_COLUMNS, stages, style=style)


def write_companies(path: Path, companies: Iterable[Company], *, style: Style = "labels") -> Path:
    return write_records(path, COMPANY_COLUMNS, companies, style=style)


def write_invoices(
    path: Path,
    invoices: Iterable[Invoice],
    *,
    style: Style = "labels",
    unit: str = "euros",
) -> Path:
    """``unit``: ``euros``, ``centimes`` or ``x100000`` (integers for the last two)."""
    factor = UNIT_FACTORS[unit]
    rows = [
        _row(INVOICE_COLUMNS, i, ht=i.ht if factor == 1 else int(i.ht * factor)) for i in invoices
    ]
    return write_table(path, INVOICE_COLUMNS, rows, style=style)


def write_payroll(path: Path, payslips: Iterable[Payslip], *, style: Style = "labels") -> Path:
    """Months are written ``01/2026`` (labels) or ``2026-01`` (fields)."""
    month = "%m/%Y" if style == "labels" else "%Y-%m"
    rows = [_row(PAYROLL_COLUMNS, p, month=f"{p.month:{month}}") for p in payslips]
    return write_table(path, PAYROLL_COLUMNS, rows, style=style)


def write_records(
    path: Path, columns: Columns, records: Iterable[object], *, style: Style = "labels"
) -> Path:
    return write_table(path, columns, [_row(columns, record) for record in records], style=style)


def _row(columns: Columns, record: object, **written: Value) -> list[Value]:
    """The record's attributes in column order; ``written`` replaces some of them."""
    return [
        written[attribute] if attribute in written else getattr(record, attribute)
        for _, _, attribute in columns
    ]


def write_table(
    path: Path,
    columns: Columns,
    rows: Iterable[Sequence[Value]],
    *,
    style: Style = "labels",
) -> Path:
    """One header row (field names or labels) then ``rows``; CSV or XLSX by the suffix."""
    header = [field if style == "fields" else label for field, label, _ in columns]
    if path.suffix.lower() == ".xlsx":
        return write_xlsx(path, {"Export": (header, [list(row) for row in rows])})
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";" if style == "labels" else ",", lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_text(value, style) for value in row])
    encoding = "cp1252" if style == "labels" else "utf-8-sig"
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def _text(value: Value, style: Style) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}" if style == "labels" else value.isoformat()
    if isinstance(value, Decimal):
        if style == "fields":
            return format(value, "f")
        whole, _, cents = f"{value:,.2f}".partition(".")
        return whole.replace(",", "\u00a0") + "," + cents
    return str(value)


# A small CAE, written out by ``write_sample``; test_endi.py computes its indicators by hand.
SAMPLE_PEOPLE = (
    Entrepreneur(
        "1",
        "Durand",
        "Alice",
        sex="F",
        birthday=date(1990, 3, 15),
        zipcode="33000",
        typology="Électricité",
        associate=date(2026, 3, 1),
        email="alice.durand@example.org",
        nir="2900333063123 45",
        address="3 rue du Port",
    ),
    Entrepreneur(
        "2",
        "Martin",
        "Bruno",
        sex="M",
        birthday=date(2000, 7, 1),
        zipcode="20090",
        typology="Plomberie",
    ),
    Entrepreneur(
        "3",
        "Leroy",
        "Chloé",
        civility="Madame",
        birthday=date(1970, 1, 1),
        zipcode="97200",
        typology="Menuiserie",
    ),
    Entrepreneur(
        "4",
        "Petit",
        "David",
        civility="Monsieur",
        birthday=date(1985, 6, 30),
        zipcode="20200",
        typology="Électricité",
    ),
    Entrepreneur(
        "5",
        "Moreau",
        "Émilie",
        sex="F",
        birthday=date(1962, 12, 31),
        zipcode="75011",
        activity="Peinture",
    ),
    Entrepreneur(
        "6",
        "Simon",
        "Félix",
        sex="M",
        birthday=date(1995, 1, 1),
        zipcode="1000",
        typology="Convention",
    ),
    Entrepreneur(
        "7", "Laurent", "Gaby", birthday=date(1980, 5, 5), zipcode="69001", typology="ÉLECTRICITÉ"
    ),
    Entrepreneur("8", "Michel", "Hugo", sex="M", birthday=date(1999, 9, 9), zipcode="33000"),
    Entrepreneur(
        "9",
        "Garcia",
        "Inès",
        sex="F",
        birthday=date(1975, 4, 4),
        zipcode="33700",
        typology="43.91B",
    ),
    Entrepreneur(
        "10",
        "Roux",
        "Jules",
        sex="M",
        birthday=date(1988, 2, 2),
        zipcode="33000",
        typology="Électricité",
        associate=date(2025, 12, 1),
    ),
)
SAMPLE_STAGES = (
    Stage("1", date(2025, 2, 1), "Diagnostic", nature="Entrée CAE"),
    Stage(
        "1", date(2025, 3, 1), "Contrat CAPE", nature="Contrat de travail", end=date(2025, 8, 31)
    ),
    Stage("1", date(2025, 9, 1), "Contrat CESA", nature="Contrat de travail"),
    Stage("2", date(2026, 2, 1), "Contrat CAPE"),
    Stage("3", date(2024, 1, 10), "Contrat CAPE"),
    Stage("3", date(2024, 7, 1), "Contrat CESA"),
    Stage(
        "3",
        date(2026, 4, 15),
        "Sortie",
        nature="Sortie CAE",
        exit_type="Sortie positive",
        exit_reason="Création d'entreprise",
    ),
    Stage("4", date(2025, 11, 1), "Contrat CAPE"),
    Stage("4", date(2026, 5, 1), "Contrat CESA"),
    Stage("5", date(2026, 6, 30), "Contrat d'entrepreneur salarié associé"),
    Stage("6", date(2026, 7, 1), "Convention d'accompagnement"),
    Stage("7", date(2025, 1, 1), "Contrat CAPE"),
    Stage("7", date(2025, 12, 31), "Sortie", exit_type="Sortie positive", exit_reason="CDI"),
    Stage("7", date(2026, 3, 1), "Contrat CAPE"),
    Stage("8", date(2026, 1, 15), "Diagnostic"),
    Stage("8", date(2026, 2, 15), "Sortie", exit_reason="Abandon"),
    Stage("9", date(2025, 6, 1), "Contrat CAPE"),
    Stage("9", date(2025, 12, 1), "Avenant au CAPE", nature="Avenant contrat de travail"),
    Stage("9", date(2026, 6, 30), "Sortie", exit_reason="Formation qualifiante"),
    Stage("10", date(2025, 1, 1), "Contrat CAPE"),
    Stage("10", date(2025, 6, 1), "Contrat CESA"),
    Stage("10", date(2026, 7, 15), "Sortie", exit_reason="Emploi salarié"),
)
SAMPLE_COMPANIES = (
    Company("101", "Élec Sud", activity="Électricité", zipcode="33000", userdatas_id="1"),
    Company("102", "Martin Plomberie", userdatas_id="2"),
    Company("103", "Bois Créole", zipcode="97200", userdatas_id="3"),
)
SAMPLE_INVOICES = (
    Invoice("F2026-001", date(2026, 1, 15), Decimal("1234.56"), company_id="101"),
    Invoice("F2026-002", date(2026, 6, 30), Decimal("500.00"), company_id="102"),
    Invoice("F2025-099", date(2025, 12, 31), Decimal("999.00"), company_id="101"),
    Invoice("F2026-050", date(2026, 7, 1), Decimal("800.00"), company_id="103"),
    Invoice("F2026-010", date(2026, 3, 10), Decimal("2000.00"), company_id="103"),
    Invoice("A2026-001", date(2026, 4, 1), Decimal("-234.56"), company_id="101"),
    Invoice(
        "F2026-020", date(2026, 5, 1), Decimal("10000.00"), company_id="101", status="Brouillon"
    ),
)
SAMPLE_PAYSLIPS = (
    Payslip(date(2026, 1, 1), Decimal("1800.00"), "1"),
    Payslip(date(2026, 1, 1), Decimal("1500.50"), "2"),
    Payslip(date(2026, 7, 1), Decimal("1900.00"), "1"),
)
SAMPLE_TRADES = {
    "Électricité": "43.21A",
    "Plomberie": "43.22A",
    "Menuiserie": "43.32A",
    "Peinture": "43.34Z",
    "Convention": None,
}


def write_sample(
    folder: Path,
    *,
    style: Style = "labels",
    suffix: str = ".csv",
    unit: str = "euros",
    relative: bool = True,
) -> dict[str, Any]:
    """Write the sample CAE's exports into ``folder``; return a connector configuration for
    them (paths relative to ``folder``, or absolute)."""
    files = {
        "userdatas": folder / f"userdatas{suffix}",
        "career_paths": folder / f"parcours{suffix}",
        "companies": folder / f"enseignes{suffix}",
        "invoices": folder / f"factures{suffix}",
        "payroll": folder / f"paie{suffix}",
    }
    write_userdatas(files["userdatas"], SAMPLE_PEOPLE, style=style)
    write_career_paths(files["career_paths"], SAMPLE_STAGES, style=style)
    write_companies(files["companies"], SAMPLE_COMPANIES, style=style)
    write_invoices(files["invoices"], SAMPLE_INVOICES, style=style, unit=unit)
    write_payroll(files["payroll"], SAMPLE_PAYSLIPS, style=style)
    return {
        **{key: path.name if relative else str(path) for key, path in files.items()},
        "amount_unit": unit,
        "trades": dict(SAMPLE_TRADES),
        "career_stages": {"Convention d'accompagnement": "cape"},
        "support_staff_fte": {"2026-S1": 2.5},
        "training_hours": {"2026-S1": 140, "2025-S2": 96.5},
    }
