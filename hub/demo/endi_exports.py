"""A CAE's enDI exports, as its support team downloads them, and the connector's settings.

Five files (connectors/endi documents their columns): the entrepreneur file (« gestion
sociale ») with every identity column enDI has, the career-path stages, the « enseignes »,
the invoices and, for some CAEs, the payroll. The CAEs differ as real ones do: French labels
or field names, ``;`` and Latin-1 or ``,`` and UTF-8, CSV or XLSX, amounts in euros or in
enDI's fixed point, their own names for stages and exit reasons.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from hub.demo.endi_columns import (
    CAREER_PATHS,
    COMPANIES,
    CUSTOMERS,
    EXIT_TYPES,
    EXIT_WORDS,
    INVOICES,
    NATURES,
    OWN_CAPE_STAGE,
    OWN_EXIT_REASON,
    PAYROLL,
    PRESCRIBERS,
    USERDATAS,
)
from hub.demo.federation import DemoCae, Person, add_months
from hub.demo.names import LAST_NAMES, TOWNS, TRADE_SIGNS
from hub.demo.profiles import Source
from hub.demo.writing import TableStyle, Value, write_table

Row = dict[str, Value]


@dataclass(frozen=True)
class EndiFlavour:
    labels: bool  # French labels (else enDI field names)
    table: TableStyle
    amount_unit: str  # euros, centimes or x100000
    payroll: bool
    naf_typology: bool = False  # the typology column holds NAF codes, no mapping needed
    own_words: bool = False  # the CAE named its stages and exit reasons itself
    statuses: bool = True  # drafts and validated invoices, with a status column


FLAVOURS = {
    Source.ENDI_CSV_FIELDS: EndiFlavour(
        False, TableStyle(), "x100000", payroll=True, statuses=False
    ),
    Source.ENDI_CSV_LABELS_LATIN1: EndiFlavour(
        True,
        TableStyle(delimiter=";", encoding="latin-1", french=True),
        "euros",
        payroll=False,
        own_words=True,
        statuses=False,
    ),
    Source.ENDI_CSV_LABELS_UTF8: EndiFlavour(
        True,
        TableStyle(delimiter=";", encoding="utf-8-sig", french=True, thousands="\u00a0"),
        "euros",
        payroll=True,
    ),
    Source.ENDI_XLSX_LABELS: EndiFlavour(True, TableStyle(xlsx=True), "euros", payroll=True),
    Source.ENDI_XLSX_FIELDS: EndiFlavour(
        False, TableStyle(xlsx=True), "centimes", payroll=False, naf_typology=True
    ),
}


def _header(flavour: EndiFlavour, columns: Sequence[tuple[str, str]]) -> list[str]:
    return [label if flavour.labels else field for field, label in columns]


def _style(flavour: EndiFlavour, cae: DemoCae, what: str | None) -> TableStyle:
    if not flavour.table.xlsx or what is None:
        return flavour.table
    extracted = cae.today.strftime("%d/%m/%Y")
    return TableStyle(xlsx=True, titles=(f"{cae.name} — {what}", f"Export enDI du {extracted}"))


def write_endi_exports(cae: DemoCae, folder: Path, *, seed: int) -> dict[str, Any]:
    """Write the exports of ``cae`` under ``folder`` and return the connector's settings
    (paths relative to ``folder``)."""
    flavour = FLAVOURS[cae.profile.source]
    rng = random.Random(f"{seed}/{cae.slug}/exports")  # noqa: S311 - invented data, no secret
    exports = folder / "exports"
    exports.mkdir(parents=True, exist_ok=True)
    suffix = flavour.table.suffix
    files = {
        "userdatas": f"exports/gestion_sociale{suffix}",
        "career_paths": f"exports/parcours{suffix}",
        "companies": f"exports/enseignes{suffix}",
        "invoices": f"exports/factures{suffix}",
    }
    candidates = _candidates(cae, rng)
    _userdatas(cae, flavour, folder / files["userdatas"], candidates, rng)
    _career_paths(cae, flavour, folder / files["career_paths"], candidates, rng)
    _companies(cae, flavour, folder / files["companies"])
    _invoices(cae, flavour, folder / files["invoices"], rng)
    config: dict[str, Any] = {**files, "amount_unit": flavour.amount_unit}
    if flavour.payroll:
        config["payroll"] = f"exports/paie{suffix}"
        _payroll(cae, flavour, folder / config["payroll"])
    if not flavour.naf_typology:
        config["trades"] = {_typology(cae, t): t for t in cae.trades}
    if flavour.own_words:
        config["career_stages"] = {OWN_CAPE_STAGE: "cape"}
        config["exit_reasons"] = {OWN_EXIT_REASON: "company_creation"}
    config["support_staff_fte"] = {str(s.period): s.fte for s in cae.support}
    config["training_hours"] = {str(p): cae.training_hours(p) for p in cae.periods()}
    return config


def _typology(cae: DemoCae, trade: str) -> str:
    if FLAVOURS[cae.profile.source].naf_typology:
        return trade.replace(".", "")
    return TRADE_SIGNS[trade]


@dataclass(frozen=True)
class Candidate:
    """Someone who came to an information meeting and never signed: in the files, not
    an entrepreneur."""

    number: int
    last_name: str
    first_name: str
    met: date


def _candidates(cae: DemoCae, rng: random.Random) -> list[Candidate]:
    count = max(1, len(cae.people) // 8)
    first = cae.profile.since
    span = max(1, (cae.today - first).days)
    return [
        Candidate(
            10_000 + index,
            rng.choice(LAST_NAMES),
            rng.choice(("Alex", "Camille", "Dominique", "Sacha", "Claude")),
            first + timedelta(days=rng.randrange(span)),
        )
        for index in range(count)
    ]


def _situation(person: Person, today: date) -> str:
    if person.exit_date is not None and person.exit_date <= today:
        return "Sortie"
    if person.cesa_date is not None and person.cesa_date <= today:
        return "Entrepreneur salarié"
    return "En convention"


def _userdatas(
    cae: DemoCae,
    flavour: EndiFlavour,
    path: Path,
    candidates: list[Candidate],
    rng: random.Random,
) -> None:
    office = TOWNS[cae.profile.departements[0]][0][1]
    sexes = {"F": "Femme", "M": "Homme"} if flavour.labels else {"F": "F", "M": "M"}
    civilities = {} if flavour.labels else {"Madame": "Mme", "Monsieur": "M."}
    rows: list[Row] = []
    for p in cae.people:
        rows.append(
            {
                "id": p.number,
                "coordonnees_civilite": civilities.get(p.civility, p.civility) or None,
                "coordonnees_lastname": p.last_name,
                "coordonnees_firstname": p.first_name,
                "coordonnees_sex": sexes.get(p.sex),
                "coordonnees_birthday": p.birth_date,
                "coordonnees_secu": p.nir,
                "coordonnees_email1": p.email,
                "coordonnees_tel": p.phone,
                "coordonnees_address": p.address,
                # A workbook typed by hand often holds postcodes as numbers (09000 → 9000).
                "coordonnees_zipcode": int(p.postcode) if flavour.table.xlsx else p.postcode,
                "coordonnees_city": p.town,
                "coordonnees_study_level": p.study_level,
                "situation_situation": _situation(p, cae.today),
                "situation_antenne": office,
                "situation_societariat_entrance": p.associate_date,
                "activity_typologie": _typology(cae, p.trade),
                "parcours_prescripteur": rng.choice(PRESCRIBERS),
            }
        )
    for c in candidates:
        rows.append(
            {
                "id": c.number,
                "coordonnees_lastname": c.last_name,
                "coordonnees_firstname": c.first_name,
                "situation_situation": "Candidat",
                "situation_antenne": office,
                "parcours_prescripteur": rng.choice(PRESCRIBERS),
            }
        )
    rows.sort(key=lambda row: str(row["coordonnees_lastname"]))  # exports list people by name
    _write(path, flavour, USERDATAS, rows, _style(flavour, cae, "Gestion sociale"))


def _write(
    path: Path,
    flavour: EndiFlavour,
    columns: Sequence[tuple[str, str]],
    rows: list[Row],
    style: TableStyle,
) -> None:
    cells = ([row.get(name) for name, _ in columns] for row in rows)
    write_table(path, _header(flavour, columns), cells, style)


def _career_paths(
    cae: DemoCae,
    flavour: EndiFlavour,
    path: Path,
    candidates: list[Candidate],
    rng: random.Random,
) -> None:
    def nature(kind: str) -> str:
        return NATURES[kind] if flavour.labels else kind

    cape_stage = OWN_CAPE_STAGE if flavour.own_words else "Contrat CAPE"
    rows: list[Row] = []
    for p in cae.people:
        who: Row = {"userdatas_id": p.number, "lastname": p.last_name, "firstname": p.first_name}
        if rng.random() < 0.7:
            meeting = p.entry_date - timedelta(days=rng.randint(7, 45))
            rows.append(_stage(who, meeting, "Diagnostic", nature("entry")))
        goal = Decimal(rng.randrange(20, 90) * 1000)
        if p.cesa_date != p.entry_date:
            end = add_months(p.entry_date, 6)
            rows.append(
                _stage(
                    who, p.entry_date, cape_stage, nature("contract"), end=end,
                    type_contrat="CAPE", goals_amount=goal,
                )
            )  # fmt: skip
            if (p.cesa_date or p.exit_date or cae.today) > end and end <= cae.today:
                rows.append(
                    _stage(
                        who, end, "Avenant CAPE", nature("amendment"), end=add_months(end, 6),
                        type_contrat="CAPE", goals_amount=goal,
                    )
                )  # fmt: skip
        if p.cesa_date is not None:
            rows.append(
                _stage(
                    who, p.cesa_date, "Contrat CESA", nature("contract"), type_contrat="CDI",
                    num_hours=35, goals_amount=goal,
                )
            )  # fmt: skip
        if p.exit_date is not None and p.exit_reason is not None:
            if flavour.own_words and p.exit_reason == "company_creation" and rng.random() < 0.5:
                motive = OWN_EXIT_REASON
            else:
                motive = rng.choice(EXIT_WORDS[p.exit_reason])
            rows.append(
                _stage(
                    who, p.exit_date, "Sortie", nature("exit"),
                    type_sortie=EXIT_TYPES[p.exit_reason], motif_sortie=motive,
                )
            )  # fmt: skip
    for c in candidates:
        who = {"userdatas_id": c.number, "lastname": c.last_name, "firstname": c.first_name}
        rows.append(_stage(who, c.met, "Réunion d'information", nature("entry")))
    rows.sort(key=lambda row: (str(row["lastname"]), str(row["start_date"])))
    _write(path, flavour, CAREER_PATHS, rows, _style(flavour, cae, "Étapes de parcours"))


def _stage(who: Row, start: date, stage: str, kind: str, **more: Value) -> Row:
    return {**who, "start_date": start, "career_stage": stage, "stage_type": kind, **more}


def company_id(person: Person) -> int:
    return 500 + person.number


def _companies(cae: DemoCae, flavour: EndiFlavour, path: Path) -> None:
    rows: list[list[Value]] = []
    for p in cae.people:
        gone = p.exit_date is not None and p.exit_date <= cae.today
        rows.append(
            [
                company_id(p),
                p.sign,
                p.email,
                f"411{p.number:05d}",
                10 if p.cesa_date else 8,
                _typology(cae, p.trade),
                int(p.postcode) if flavour.table.xlsx else p.postcode,
                p.number,
                ("non" if gone else "oui") if flavour.labels else ("N" if gone else "Y"),
            ]
        )
    # No title lines: every column of this file is optional, so the connector takes the first
    # row for the header.
    write_table(path, _header(flavour, COMPANIES), rows, _style(flavour, cae, None))


def _amount(cents: int, unit: str) -> Value:
    if unit == "x100000":
        return cents * 1000
    if unit == "centimes":
        return cents
    return Decimal(cents) / 100


def _invoices(cae: DemoCae, flavour: EndiFlavour, path: Path, rng: random.Random) -> None:
    """Every invoice with its status, drafts included; or, when the CAE exports validated
    invoices only, those alone and no status column."""
    people = {p.number: p for p in cae.people}
    unit = flavour.amount_unit
    issued, draft = ("Validée", "Brouillon") if flavour.labels else ("valid", "draft")
    columns = INVOICES if flavour.statuses else [c for c in INVOICES if c[0] != "status"]
    rows: list[Row] = []
    for invoice in cae.invoices:
        if not (invoice.issued or flavour.statuses):
            continue
        person = people[invoice.person]
        vat = round(invoice.amount_cents * invoice.vat_rate / 100)
        rows.append(
            {
                "official_number": invoice.number if invoice.issued else None,
                "date": invoice.on,
                "company_id": company_id(person),
                "company": person.sign,
                "customer": rng.choice(CUSTOMERS),
                "ht": _amount(invoice.amount_cents, unit),
                "tva": _amount(vat, unit),
                "ttc": _amount(invoice.amount_cents + vat, unit),
                "status": issued if invoice.issued else draft,
                "financial_year": invoice.on.year,
            }
        )
    _write(path, flavour, columns, rows, _style(flavour, cae, "Factures"))


def _payroll(cae: DemoCae, flavour: EndiFlavour, path: Path) -> None:
    people = {p.number: p for p in cae.people}
    rows: list[list[Value]] = []
    for slip in cae.payslips:
        person = people[slip.person]
        month = slip.month.strftime("%m/%Y") if flavour.labels else slip.month.strftime("%Y-%m")
        rows.append(
            [
                month,
                person.number,
                person.last_name,
                person.first_name,
                Decimal(slip.gross_cents) / 100,
                Decimal(round(slip.gross_cents * 0.78)) / 100,
            ]
        )
    write_table(path, _header(flavour, PAYROLL), rows, _style(flavour, cae, "Paie"))
