"""Spreadsheets kept by hand by CAEs without enDI, and the connector's settings.

Three ways of keeping them, as met in small CAEs: a register CSV (one row per entrepreneur,
with names and addresses) beside an invoice list and a payroll list; a workbook with a sheet
of entrepreneurs and a sheet of invoices; a table of figures already counted (one row per
cell), which the CAE fills in itself every semester.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from cae_contract.catalogue import load_catalogue
from cae_contract.periods import Period
from cae_contract.registry import get_registry
from hub.demo.federation import DemoCae, Person
from hub.demo.names import TRADE_SIGNS
from hub.demo.profiles import Source
from hub.demo.writing import TableStyle, Value, write_table

FRENCH_CSV = TableStyle(delimiter=";", encoding="utf-8-sig", french=True)
EXIT_WORDING = {
    "company_creation": "Création d'entreprise",
    "employment": "Emploi salarié",
    "training": "Formation",
    "other": "Autre",
}


def write_sheets(cae: DemoCae, folder: Path) -> dict[str, Any]:
    """Write the spreadsheets of ``cae`` under ``folder`` and return the connector's
    settings (paths relative to ``folder``)."""
    (folder / "tableaux").mkdir(parents=True, exist_ok=True)
    source = cae.profile.source
    if source is Source.SHEET_CSV:
        return _register_csv(cae, folder)
    if source is Source.SHEET_XLSX:
        return _register_workbook(cae, folder)
    if source is Source.SHEET_AGGREGATED:
        return _cells(cae, folder)
    raise ValueError(f"{source} is not a spreadsheet source")


def _contract(person: Person, today: date) -> str:
    return "CESA" if person.cesa_date is not None and person.cesa_date <= today else "CAPE"


def _exit(person: Person) -> str | None:
    return EXIT_WORDING[person.exit_reason] if person.exit_reason else None


def _register_csv(cae: DemoCae, folder: Path) -> dict[str, Any]:
    header = [
        "Matricule", "Nom", "Prénom", "Sexe", "Date de naissance", "Adresse", "Code postal",
        "Ville", "Téléphone", "Courriel", "Métier", "Contrat", "Date d'entrée", "Date CESA",
        "Date de sociétariat", "Date de sortie", "Motif de sortie",
    ]  # fmt: skip
    rows: list[list[Value]] = [
        [
            f"ES-{p.number:04d}",
            p.last_name,
            p.first_name,
            {"F": "Femme", "M": "Homme"}.get(p.sex),
            p.birth_date,
            p.address,
            p.postcode,
            p.town,
            p.phone,
            p.email,
            TRADE_SIGNS[p.trade],
            _contract(p, cae.today),
            p.entry_date,
            p.cesa_date,
            p.associate_date,
            p.exit_date,
            _exit(p),
        ]
        for p in cae.people
    ]
    write_table(folder / "tableaux/entrepreneurs.csv", header, rows, FRENCH_CSV)
    invoices: list[list[Value]] = [
        [i.on, f"ES-{i.person:04d}", i.number, Decimal(i.amount_cents) / 100]
        for i in cae.invoices
        if i.issued
    ]
    write_table(
        folder / "tableaux/factures.csv",
        ["Date", "Matricule", "N° de facture", "Montant HT"],
        invoices,
        FRENCH_CSV,
    )
    payslips: list[list[Value]] = [
        [s.month.strftime("%m/%Y"), f"ES-{s.person:04d}", Decimal(s.gross_cents) / 100]
        for s in cae.payslips
    ]
    write_table(
        folder / "tableaux/salaires.csv",
        ["Mois", "Matricule", "Salaire brut"],
        payslips,
        FRENCH_CSV,
    )
    return {
        "file": "tableaux/entrepreneurs.csv",
        "layout": "microdata",
        "columns": {"departement": "Code postal"},
        "values": {"trade": {TRADE_SIGNS[t]: t for t in cae.trades}},
        "revenue": {"file": "tableaux/factures.csv"},
        "payroll": {"file": "tableaux/salaires.csv", "columns": {"amount": "Salaire brut"}},
        **_per_period(cae),
    }


def _register_workbook(cae: DemoCae, folder: Path) -> dict[str, Any]:
    from openpyxl import Workbook

    workbook = Workbook()
    people = workbook.active
    assert people is not None
    people.title = "Entrepreneurs"
    people.append([f"{cae.name} — registre des entrepreneurs"])
    people.append([f"Mis à jour le {cae.today:%d/%m/%Y}"])
    people.append([])
    people.append(
        [
            "Identifiant", "Nom", "Prénom", "Sexe", "Date de naissance", "Département",
            "Métier", "Contrat", "Date d'entrée", "Date CESA", "Date de sociétariat",
            "Date de sortie", "Motif de sortie", "Téléphone",
        ]
    )  # fmt: skip
    for p in cae.people:
        people.append(
            [
                p.number, p.last_name, p.first_name, None if p.sex == "X" else p.sex,
                p.birth_date, p.departement, p.trade, _contract(p, cae.today), p.entry_date,
                p.cesa_date, p.associate_date, p.exit_date, _exit(p), p.phone,
            ]
        )  # fmt: skip
    invoices = workbook.create_sheet("Factures")
    invoices.append(["Date", "Identifiant", "Client", "Montant HT"])
    for i in cae.invoices:
        if i.issued:
            invoices.append([i.on, i.person, "Particulier", float(Decimal(i.amount_cents) / 100)])
    workbook.save(folder / "tableaux/suivi.xlsx")
    return {
        "file": "tableaux/suivi.xlsx",
        "sheet": "Entrepreneurs",
        "layout": "microdata",
        "revenue": {"file": "tableaux/suivi.xlsx", "sheet": "Factures"},
        **_per_period(cae),
    }


def _per_period(cae: DemoCae) -> dict[str, Any]:
    return {
        "support_staff_fte": {str(s.period): s.fte for s in cae.support},
        "training_hours": {str(p): cae.training_hours(p) for p in cae.periods()},
    }


def _age_band(birth: date, on: date) -> str:
    age = on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))
    for limit, band in ((25, "<26"), (35, "26-35"), (45, "36-45"), (55, "46-55")):
        if age <= limit:
            return band
    return ">55"


CELL_HEADER = [
    "Période", "Indicateur", "Contrat", "Métier", "Sexe", "Tranche d'âge", "Département",
    "Motif de sortie", "Valeur",
]  # fmt: skip
_DIM_COLUMN = {
    "contract": 2, "trade": 3, "sex": 4, "age_band": 5, "departement": 6, "exit_reason": 7,
}  # fmt: skip


def period_cells(cae: DemoCae, period: Period) -> list[tuple[str, dict[str, str], Decimal]]:
    """The cells the CAE counts for ``period``: each total and its breakdowns by one
    dimension, counted as the hub defines them (stock on the last day, and so on)."""
    end = period.end
    stock = [p for p in cae.people if p.present_at(end)]
    entries = [p for p in cae.people if period.start <= p.entry_date <= end]
    exits = [
        p for p in cae.people if p.exit_date is not None and period.start <= p.exit_date <= end
    ]
    associates = [
        p
        for p in stock
        if p.associate_date is not None and p.associate_date <= end and p.cesa_date is not None
    ]
    cells: list[tuple[str, dict[str, str], Decimal]] = []

    def count(
        indicator: str, people: list[Person], dims: dict[str, Callable[[Person], str]]
    ) -> None:
        cells.append((indicator, {}, Decimal(len(people))))
        for dim, value_of in dims.items():
            for value, number in sorted(Counter(value_of(p) for p in people).items()):
                cells.append((indicator, {dim: value}, Decimal(number)))

    def contract_on(day: date) -> Callable[[Person], str]:
        return lambda p: "cesa" if p.cesa_date is not None and p.cesa_date <= day else "cape"

    count(
        "entrepreneurs",
        stock,
        {
            "contract": contract_on(end),
            "trade": lambda p: p.trade,
            "sex": lambda p: p.sex,
            "age_band": lambda p: _age_band(p.birth_date, end),
            "departement": lambda p: p.departement,
        },
    )
    count("associates", associates, {"sex": lambda p: p.sex})
    count("entries", entries, {"contract": lambda p: contract_on(p.entry_date)(p)})
    count("exits", exits, {"exit_reason": lambda p: p.exit_reason or "other"})
    trades = {p.number: p.trade for p in cae.people}
    revenue: dict[str, int] = defaultdict(int)
    for invoice in cae.invoices:
        if invoice.issued and period.start <= invoice.on <= end:
            revenue[trades[invoice.person]] += invoice.amount_cents
    cells.append(("revenue_eur", {}, Decimal(sum(revenue.values())) / 100))
    for trade, cents in sorted(revenue.items()):
        if cents:
            cells.append(("revenue_eur", {"trade": trade}, Decimal(cents) / 100))
    fte = next((s.fte for s in cae.support if s.period == period), None)
    if fte is not None:
        cells.append(("support_staff_fte", {}, fte))
    cells.append(("training_hours", {}, cae.training_hours(period)))
    return cells


def _cells(cae: DemoCae, folder: Path) -> dict[str, Any]:

    labels = {i.code: i.label for i in load_catalogue(get_registry()).reported()}
    rows: list[list[Value]] = []
    for period in cae.periods():
        for indicator, dims, value in period_cells(cae, period):
            row: list[Value] = [str(period), labels[indicator], *([None] * 6), value]
            for dim, code in dims.items():
                row[_DIM_COLUMN[dim]] = _cell_wording(dim, code)
            rows.append(row)
    write_table(folder / "tableaux/indicateurs.csv", CELL_HEADER, rows, FRENCH_CSV)
    return {"file": "tableaux/indicateurs.csv", "layout": "cells"}


def _cell_wording(dim: str, code: str) -> str:
    if dim == "contract":
        return code.upper()
    if dim == "exit_reason":
        return EXIT_WORDING[code]
    return code
