"""Revenue from enDI invoices, gross payroll from a payroll export.

An invoice belongs to an « enseigne » (a company of the CAE); the companies file gives its
activity (→ trade) and postcode (→ département), or links it to the entrepreneur whose trade
and département it then takes. enDI stores amounts as fixed-point integers: the configuration
says in which unit the export writes them, and ``unit_warning`` tells when the amounts look
like another unit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from statistics import median

from connectors.endi.people import Person, Vocabulary
from connectors.endi.vocabulary import departement, words
from connectors.sdk.errors import ConfigError, SkippableRecordError
from connectors.sdk.microdata import AmountRecord
from connectors.sdk.tabular import Row, Table, normalize_label

UNITS: Mapping[str, int] = {"euros": 1, "centimes": 100, "x100000": 100_000}
UNIT_LABELS: Mapping[str, str] = {
    "euros": "euros",
    "centimes": "centimes d'euro",
    "x100000": "cent-millièmes d'euro (format interne d'enDI)",
}
# A building invoice usually lies between these amounts (euros excl. VAT).
PLAUSIBLE_INVOICE = (Decimal(1), Decimal(100_000))
# Invoices that are not (or no longer) issued: drafts, awaiting validation, refused, cancelled.
_NOT_ISSUED = (
    "draft",
    "brouillon",
    "wait",
    "en attente",
    "attente",
    "invalid",
    "invalide",
    "invalidee",
    "refusee",
    "annulee",
)


@dataclass(frozen=True)
class Company:
    trade: str | None
    departement: str | None


@dataclass
class Amounts:
    records: list[AmountRecord]
    raw: list[Decimal]
    """The amounts as written in the file, to check their unit."""
    skipped: list[SkippableRecordError]


def read_companies(
    table: Table, persons: Mapping[str, Person], vocabulary: Vocabulary
) -> dict[str, Company]:
    """Companies by ``id:<ID enseigne>`` and ``name:<normalised name>``."""
    if not (table.has("id") or table.has("name")):
        raise ConfigError(
            f"le fichier « {table.label} » n'a ni colonne « ID enseigne » ni colonne "
            "« Enseigne » pour relier les factures à leur enseigne"
        )
    companies: dict[str, Company] = {}
    for row in table:
        label = row.as_text("activity")
        known, trade = vocabulary.trades.resolve(label)
        if not known and label is not None:
            vocabulary.note(table, "activity", "trades", label)
        owner = persons.get(row.as_text("userdatas_id") or "")
        company = Company(
            trade=trade or (owner.trade if owner else None),
            departement=departement(row.as_text("zip_code"), vocabulary.departements)
            or (owner.departement if owner else None),
        )
        for key in _company_keys(row):
            companies.setdefault(key, company)
    vocabulary.raise_unknown()
    return companies


def _company_keys(row: Row) -> list[str]:
    keys = []
    if (identifier := row.as_text("id") or row.as_text("company_id")) is not None:
        keys.append(f"id:{identifier}")
    if (name := row.as_text("name") or row.as_text("company")) is not None:
        keys.append(f"name:{normalize_label(name)}")
    return keys


def read_invoices(table: Table, *, unit: str, companies: Mapping[str, Company]) -> Amounts:
    """Issued invoices (and credit notes, negative) as amounts in euros excluding VAT."""
    factor = Decimal(UNITS[unit])
    amounts = Amounts([], [], [])
    for row in table:
        if _not_issued(row.as_text("status")):
            continue
        try:
            on = row.as_date("date")
            raw = row.as_decimal("ht")
            if on is None:
                raise row.error("date", "date manquante")
            if raw is None:
                raise row.error("ht", "montant manquant")
            company = next((companies[key] for key in _company_keys(row) if key in companies), None)
            amounts.records.append(
                AmountRecord(
                    source=row.source,
                    on=on,
                    amount=raw / factor,
                    trade=company.trade if company else None,
                    departement=company.departement if company else None,
                )
            )
            amounts.raw.append(raw)
        except SkippableRecordError as error:
            amounts.skipped.append(error)
    return amounts


# An export repeats a few statuses over thousands of invoices.
@lru_cache(maxsize=256)
def _not_issued(status: str | None) -> bool:
    if status is None:
        return False
    plain = words(status)
    return any(f" {s} " in plain for s in _NOT_ISSUED)


def read_payroll(table: Table, persons: Mapping[str, Person]) -> Amounts:
    """Gross pay by month, in euros, with the trade of the entrepreneur paid."""
    amounts = Amounts([], [], [])
    for row in table:
        try:
            month = row.as_month("month")
            gross = row.as_decimal("gross")
            if month is None:
                raise row.error("month", "mois manquant")
            if gross is None:
                raise row.error("gross", "montant manquant")
            person = persons.get(row.as_text("userdatas_id") or "")
            amounts.records.append(
                AmountRecord(
                    source=row.source,
                    on=month,
                    amount=gross,
                    trade=person.trade if person else None,
                )
            )
            amounts.raw.append(gross)
        except SkippableRecordError as error:
            amounts.skipped.append(error)
    return amounts


def unit_warning(raw: Sequence[Decimal], *, unit: str, label: str) -> str | None:
    """A French remark when the invoice amounts of ``label`` do not look like ``unit``."""
    written = [abs(amount) for amount in raw if amount]
    if not written:
        return None
    if UNITS[unit] > 1 and any(amount != amount.to_integral_value() for amount in written):
        return (
            f"les montants HT de « {label} » ont des décimales alors que « amount_unit » vaut "
            f"« {unit} » ({UNIT_LABELS[unit]}) : ce sont sans doute des euros"
        )
    typical = Decimal(median(written))
    low, high = PLAUSIBLE_INVOICE
    in_euros = typical / UNITS[unit]
    if low <= in_euros <= high:
        return None
    likely = [
        other
        for other, factor in UNITS.items()
        if other != unit and low <= typical / factor <= high
    ]
    hint = (
        f" ; avec « {likely[0]} », elle serait de {_euros(typical / UNITS[likely[0]])} €"
        if likely
        else ""
    )
    return (
        f"les montants HT de « {label} » semblent ne pas être en {UNIT_LABELS[unit]} : "
        f"la facture médiane vaudrait {_euros(in_euros)} € ; vérifiez « amount_unit »{hint}"
    )


def _euros(amount: Decimal) -> str:
    return f"{amount:,.2f}".replace(",", "\u202f").replace(".", ",")
