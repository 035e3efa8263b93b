"""Local aggregation: anonymous records of one CAE become the cells of an indicator report.

A connector that reads one row per entrepreneur (a register, an enDI export) turns each row
into an ``EntrepreneurRecord`` (no name, no NIR) and each invoice or payslip into an
``AmountRecord``; ``build_report`` counts and sums them for a period, as the catalogue
defines each indicator (schemas/indicator-report):

- entrepreneurs: stock at the period's last day (entered on or before it, not gone before
  it), with the contract, age and so on of that day;
- associates: entrepreneurs of that stock in CESA whose ``associate_date`` has come;
- entries: first contract started within the period, counted under that contract;
- exits: left within the period, by reason (an unstated reason counts as ``other``);
- revenue_eur, gross_payroll_eur: amounts dated within the period.

The report carries each total, each breakdown by one dimension, each cross of two dimensions,
and entrepreneurs by contract, trade and sex (what the hub needs for the associate rate): the
hub's tables cross at most two dimensions, and finer crosses would come close to describing
individual people. All of them come from the same records, so they agree with each other
and with the totals, as the hub's consistency rules demand (hub/indicators/consistency.toml).

Unknown values:

- sex: counted as ``X`` (« non précisé »), as the code list says; when nobody of the stock
  has a known sex, ``Aggregation.notices`` says so;
- exit reason: counted as ``other``;
- trade, département or age (no birth date): a person or amount without it still counts in
  the totals and in every breakdown that does not need it, but the breakdowns that need it
  are left out of the report for that indicator, since a partial breakdown would disagree
  with the total. ``aggregate`` lists these gaps (``Aggregation.gaps``) so that the user
  can complete the source;
- a breakdown whose cells would include a negative amount (credit notes exceeding invoices
  for one trade) is left out the same way; a negative total stops the report.

Zero cells are left out of breakdowns (the hub reads an absent cell as 0); totals are always
sent, so that « no exit this semester » is said, not left unknown.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from itertools import combinations
from typing import Any

from cae_contract.dimensions import DIMENSION_NOUNS
from cae_contract.periods import Period
from cae_contract.registry import get_registry
from connectors.sdk.errors import FatalSyncError, SkippableRecordError

__all__ = [
    "AGE_BANDS",
    "BREAKDOWNS",
    "Aggregation",
    "AmountRecord",
    "EntrepreneurRecord",
    "Gap",
    "age_band",
    "aggregate",
    "build_report",
    "code_set",
]

AGE_BANDS = ("<26", "26-35", "36-45", "46-55", ">55")
_AGE_LIMITS = ((25, "<26"), (35, "26-35"), (45, "36-45"), (55, "46-55"))
_UNKNOWN = {
    "trade": "sans métier connu",
    "departement": "sans département connu",
    "age_band": "sans date de naissance",
}
_CODE_LISTS = {
    "trade": ("code-trade", "métier", "des métiers du bâtiment"),
    "departement": ("code-departement", "département", "des départements"),
    "exit_reason": ("code-exit-reason", "motif de sortie", "des motifs de sortie"),
    "sex": ("code-sex", "sexe", "des sexes (F, M, X)"),
}


def _plan(dims: Sequence[str], *extra: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """The total, every dimension alone, every pair, then ``extra`` crosses."""
    sets: list[tuple[str, ...]] = [()]
    sets.extend((d,) for d in dims)
    sets.extend(combinations(dims, 2))
    sets.extend(extra)
    return tuple(sets)


# The dimensions each indicator allows are those of schemas/indicator-report 1.0.0 (x-dims);
# a test pins them against the catalogue.
BREAKDOWNS: Mapping[str, tuple[tuple[str, ...], ...]] = {
    "entrepreneurs": _plan(
        ("contract", "trade", "sex", "age_band", "departement"), ("contract", "trade", "sex")
    ),
    "associates": _plan(("trade", "sex")),
    "entries": _plan(("contract", "trade", "sex")),
    "exits": _plan(("exit_reason", "trade")),
    "revenue_eur": _plan(("trade", "departement")),
    "gross_payroll_eur": _plan(("trade",)),
    "support_staff_fte": ((),),
    "training_hours": ((),),
}


@lru_cache(maxsize=8)
def code_set(list_name: str) -> frozenset[str]:
    """The codes of one of the hub's code lists (``code-trade``, ``code-departement``…)."""

    return frozenset(get_registry().code_list(list_name))


def _check_code(source: str, dim: str, value: str | None) -> None:
    if value is None:
        return
    list_name, what, where = _CODE_LISTS[dim]
    if value not in code_set(list_name):
        raise SkippableRecordError(
            f"{source} : {what} « {value[:40]} » absent de la liste {where}", source=source
        )


def _refuse(source: str, problem: str) -> SkippableRecordError:
    return SkippableRecordError(f"{source} : {problem}", source=source)


@dataclass(frozen=True)
class EntrepreneurRecord:
    """One entrepreneur of the CAE, without identity. Raises SkippableRecordError when its
    codes are not in the hub's code lists or its dates contradict each other."""

    source: str
    """Where it came from, for messages (« registre.csv ligne 12 »), never a name."""
    entry_date: date
    """Start of the first contract (CAPE or CESA) with the CAE."""
    cesa_date: date | None = None
    """Start of the CESA contract; None while in CAPE."""
    exit_date: date | None = None
    """Day the last contract ended (not in the stock from that day); None while in the CAE."""
    exit_reason: str | None = None
    """code-exit-reason code: company_creation, employment, training or other."""
    associate_date: date | None = None
    """Day the entrepreneur became associé(e)."""
    trade: str | None = None
    """code-trade code (NAF), e.g. ``43.21A``."""
    sex: str | None = None
    """``F``, ``M`` or ``X``; None counts as ``X``."""
    birth_date: date | None = None
    departement: str | None = None
    """code-departement code, e.g. ``33``, ``2A``."""

    def __post_init__(self) -> None:
        if not isinstance(self.entry_date, date):
            raise _refuse(self.source, "date d'entrée manquante")
        for dim in ("trade", "departement", "exit_reason", "sex"):
            _check_code(self.source, dim, getattr(self, dim))
        if self.cesa_date is not None and self.cesa_date < self.entry_date:
            raise _refuse(self.source, "le CESA commence avant la date d'entrée")
        if self.exit_date is not None and self.exit_date < self.entry_date:
            raise _refuse(self.source, "la date de sortie précède la date d'entrée")
        if self.birth_date is not None and self.birth_date >= self.entry_date:
            raise _refuse(self.source, "la date de naissance ne précède pas la date d'entrée")

    def contract_on(self, day: date) -> str:
        return "cesa" if self.cesa_date is not None and self.cesa_date <= day else "cape"

    def present_on(self, day: date) -> bool:
        return self.entry_date <= day and (self.exit_date is None or self.exit_date > day)


@dataclass(frozen=True)
class AmountRecord:
    """An amount in euros excluding VAT (an invoice, a credit note as a negative amount, a
    payslip's gross pay), dated, with the trade and département it belongs to."""

    source: str
    on: date
    amount: Decimal
    trade: str | None = None
    departement: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.amount, Decimal) or not self.amount.is_finite():
            raise _refuse(self.source, "montant illisible")
        for dim in ("trade", "departement"):
            _check_code(self.source, dim, getattr(self, dim))


def age_band(birth_date: date | None, on: date) -> str | None:
    """The age band of someone born on ``birth_date``, in completed years on ``on``."""
    if birth_date is None:
        return None
    age = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    for limit, band in _AGE_LIMITS:
        if age <= limit:
            return band
    return AGE_BANDS[-1]


@dataclass(frozen=True)
class Gap:
    """Breakdowns of ``indicator`` left out of a report: some records lack one of
    ``dimensions`` (listed in ``sources``), or a cell would be a negative amount."""

    indicator: str
    dimensions: tuple[str, ...]
    sources: tuple[str, ...] = ()
    negative: bool = False

    @property
    def message(self) -> str:
        label = " et ".join(DIMENSION_NOUNS.get(d, d) for d in self.dimensions)
        if self.negative:
            return (
                f"{self.indicator} : ventilation par {label} non envoyée, un montant y serait "
                "négatif (avoirs supérieurs aux factures)"
            )
        shown = ", ".join(self.sources[:5]) + (" …" if len(self.sources) > 5 else "")
        what = _UNKNOWN.get(self.dimensions[0], "sans valeur connue")
        return (
            f"{self.indicator} : ventilation par {label} non envoyée, "
            f"{len(self.sources)} enregistrement(s) {what} ({shown})"
        )


@dataclass(frozen=True)
class Aggregation:
    """A report body, the breakdowns it had to leave out, and remarks on what it says."""

    body: dict[str, Any]
    gaps: tuple[Gap, ...]
    notices: tuple[str, ...] = ()
    """French remarks for the user, e.g. a sex that is « non précisé » for everyone."""


Facts = Mapping[str, str | None]
Key = tuple[str | None, ...]


class _Report:
    def __init__(self) -> None:
        self.cells: list[dict[str, Any]] = []
        self.gaps: list[Gap] = []
        self.notices: list[str] = []

    def add(self, indicator: str, dims: Sequence[str], key: Key, value: int | float) -> None:
        self.cells.append(
            {"indicator": indicator, "dims": dict(zip(dims, key, strict=True)), "value": value}
        )

    def persons(self, indicator: str, people: Sequence[tuple[str, Facts]]) -> None:
        self.add(indicator, (), (), len(people))
        for dims in self._complete(indicator, people):
            counts = Counter(tuple(facts[d] for d in dims) for _, facts in people)
            for key in sorted(counts, key=_order):
                self.add(indicator, dims, key, counts[key])

    def amounts(self, indicator: str, records: Sequence[tuple[str, Facts, int]]) -> None:
        total = sum(cents for _, _, cents in records)
        if total < 0:
            raise FatalSyncError(
                f"{indicator} : total négatif sur la période ({_euros(total)} €) ; "
                "vérifiez les avoirs et les dates des factures"
            )
        self.add(indicator, (), (), _euros(total))
        for dims in self._complete(indicator, [(source, facts) for source, facts, _ in records]):
            sums: dict[Key, int] = defaultdict(int)
            for _, facts, cents in records:
                sums[tuple(facts[d] for d in dims)] += cents
            if any(value < 0 for value in sums.values()):
                self.gaps.append(Gap(indicator, dims, negative=True))
                continue
            for key in sorted(sums, key=_order):
                if sums[key]:
                    self.add(indicator, dims, key, _euros(sums[key]))

    def _complete(
        self, indicator: str, people: Sequence[tuple[str, Facts]]
    ) -> list[tuple[str, ...]]:
        """The breakdowns of ``indicator`` (total aside) whose dimensions everyone has."""
        sets = BREAKDOWNS[indicator][1:]
        unknown: dict[str, list[str]] = defaultdict(list)
        for dim in dict.fromkeys(d for dims in sets for d in dims):
            missing = [source for source, facts in people if facts[dim] is None]
            if missing:
                unknown[dim] = missing
                self.gaps.append(Gap(indicator, (dim,), tuple(dict.fromkeys(missing))))
        return [dims for dims in sets if not any(d in unknown for d in dims)]


def _order(key: Key) -> tuple[str, ...]:
    return tuple(value or "" for value in key)


def _cents(amount: Decimal) -> int:
    return int((amount * 100).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def _euros(cents: int) -> int | float:
    """Whole euros as an integer, others with their cents (``cents / 100`` is the double
    nearest to the decimal, and JSON writes it back exactly)."""
    return cents // 100 if cents % 100 == 0 else cents / 100


def _quantity(indicator: str, value: Decimal) -> int | float:
    if not value.is_finite() or value < 0:
        raise FatalSyncError(f"{indicator} : valeur négative ou illisible ({value})")
    return _euros(_cents(value))


def _facts(person: EntrepreneurRecord, *, contract: str, on: date) -> Facts:
    return {
        "contract": contract,
        "trade": person.trade,
        "sex": person.sex or "X",
        "age_band": age_band(person.birth_date, on),
        "departement": person.departement,
        "exit_reason": person.exit_reason or "other",
    }


def aggregate(
    period: Period,
    entrepreneurs: Iterable[EntrepreneurRecord],
    *,
    revenue: Iterable[AmountRecord] | None = None,
    payroll: Iterable[AmountRecord] | None = None,
    support_staff_fte: Decimal | None = None,
    training_hours: Decimal | None = None,
) -> Aggregation:
    """The indicator report of ``period`` and the breakdowns it had to leave out.

    ``revenue`` and ``payroll`` left to None are not reported at all; an empty iterable
    reports a total of 0. Same for ``support_staff_fte`` and ``training_hours``.
    """
    start, end = period.start, period.end
    people = list(entrepreneurs)
    stock = [p for p in people if p.present_on(end)]
    report = _Report()
    report.persons(
        "entrepreneurs",
        [(p.source, _facts(p, contract=p.contract_on(end), on=end)) for p in stock],
    )
    if stock and all(p.sex in (None, "X") for p in stock):
        report.notices.append(
            f"entrepreneurs : sexe « non précisé » (X) pour les {len(stock)} personne(s) "
            "du stock, la ventilation par sexe ne dit rien ; vérifiez la colonne du sexe"
        )
    report.persons(
        "associates",
        [
            (p.source, _facts(p, contract="cesa", on=end))
            for p in stock
            if p.contract_on(end) == "cesa"
            and p.associate_date is not None
            and p.associate_date <= end
        ],
    )
    report.persons(
        "entries",
        [
            (p.source, _facts(p, contract=p.contract_on(p.entry_date), on=end))
            for p in people
            if start <= p.entry_date <= end
        ],
    )
    report.persons(
        "exits",
        [
            (p.source, _facts(p, contract=p.contract_on(end), on=end))
            for p in people
            if p.exit_date is not None and start <= p.exit_date <= end
        ],
    )
    for indicator, records in (("revenue_eur", revenue), ("gross_payroll_eur", payroll)):
        if records is not None:
            report.amounts(
                indicator,
                [
                    (r.source, {"trade": r.trade, "departement": r.departement}, _cents(r.amount))
                    for r in records
                    if start <= r.on <= end
                ],
            )
    for indicator, quantity in (
        ("support_staff_fte", support_staff_fte),
        ("training_hours", training_hours),
    ):
        if quantity is not None:
            report.add(indicator, (), (), _quantity(indicator, quantity))
    return Aggregation(
        {"period": str(period), "cells": report.cells},
        tuple(report.gaps),
        tuple(report.notices),
    )


def build_report(
    period: Period,
    entrepreneurs: Iterable[EntrepreneurRecord],
    *,
    revenue: Iterable[AmountRecord] | None = None,
    payroll: Iterable[AmountRecord] | None = None,
    support_staff_fte: Decimal | None = None,
    training_hours: Decimal | None = None,
) -> dict[str, Any]:
    """The ``indicator-report`` document of ``period`` (see ``aggregate``)."""
    return aggregate(
        period,
        entrepreneurs,
        revenue=revenue,
        payroll=payroll,
        support_staff_fte=support_staff_fte,
        training_hours=training_hours,
    ).body
