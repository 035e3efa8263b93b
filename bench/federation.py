"""A synthetic federation of building CAEs: members, entrepreneurs and semester reports.

Deterministic for a given seed. Entrepreneurs are anonymous records (no personal field):
contract, trade, sex, age band, département, associate flag, dates and revenue. Reports are
aggregated from them exactly as a connector would, so every breakdown of a report agrees.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from cae_contract.periods import Period
from cae_contract.registry import get_registry
from connectors.sdk.microdata import AmountRecord, EntrepreneurRecord, build_report
from hub.members.schemas import complete_siren

# Départements by region for the synthetic CAEs (Nouvelle-Aquitaine and Occitanie first).
REGION_DEPARTEMENTS = {
    "75": ["16", "17", "19", "23", "24", "33", "40", "47", "64", "79", "86", "87"],
    "76": ["09", "11", "12", "30", "31", "32", "34", "46", "48", "65", "66", "81", "82"],
    "84": ["01", "03", "07", "15", "26", "38", "42", "43", "63", "69", "73", "74"],
    "53": ["22", "29", "35", "56"],
    "52": ["44", "49", "53", "72", "85"],
}
REGION_WEIGHTS = {"75": 5, "76": 4, "84": 2, "53": 1, "52": 1}
TRADE_WEIGHTS = {
    "43.21A": 10,
    "43.22A": 8,
    "43.22B": 4,
    "43.32A": 7,
    "43.34Z": 7,
    "43.31Z": 5,
    "43.99C": 6,
    "43.91A": 4,
    "43.91B": 4,
    "43.33Z": 4,
    "43.29A": 3,
    "43.39Z": 3,
    "43.32B": 2,
    "43.99A": 2,
    "43.99D": 2,
    "41.20A": 2,
    "43.12A": 1,
    "43.11Z": 1,
    "41.20B": 1,
    "71.11Z": 1,
    "71.12B": 1,
    "81.30Z": 3,
}
AGE_BANDS = ["<26", "26-35", "36-45", "46-55", ">55"]
AGE_WEIGHTS = [1, 4, 5, 4, 2]
EXIT_REASONS = ["company_creation", "employment", "training", "other"]


@dataclass
class Entrepreneur:
    contract: str
    trade: str
    sex: str
    age_band: str
    departement: str
    started: Period
    associate_from: Period | None = None
    left: Period | None = None
    exit_reason: str | None = None
    revenue_per_semester: float = 0.0


@dataclass
class SyntheticCae:
    siren: str
    name: str
    region: str
    departements: list[str]
    trades: list[str]
    dominant: bool
    entrepreneurs: list[Entrepreneur] = field(default_factory=list)
    support_staff_fte: float = 1.0

    def profile(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "siren": self.siren,
            "region": self.region,
            "departements": self.departements,
            "trades": self.trades,
            "contact_email": f"contact@cae-{self.siren}.example",
        }


@dataclass
class Federation:
    caes: list[SyntheticCae]
    periods: list[Period]

    def reports(self) -> Iterator[tuple[SyntheticCae, Period, dict[str, Any]]]:
        for cae in self.caes:
            for period in self.periods:
                document = report_for(cae, period)
                if document["cells"]:
                    yield cae, period, document


def _choice(rng: random.Random, weights: dict[str, int], subset: Iterable[str]) -> str:
    keys = list(subset)
    return rng.choices(keys, [weights.get(k, 1) for k in keys])[0]


def generate_federation(
    *,
    caes: int = 150,
    first: str = "2024-S1",
    semesters: int = 4,
    seed: int = 7,
    dominant: int = 3,
) -> Federation:
    """``caes`` cooperatives, some large, most small, ``dominant`` of them far above the
    others in revenue, with entrepreneurs coming and going over ``semesters`` semesters."""
    rng = random.Random(seed)
    start = Period.parse(first)
    periods = [start]
    while len(periods) < semesters:
        periods.append(periods[-1].following())
    history_start = Period(start.year - 3, 1)
    result: list[SyntheticCae] = []
    for number in range(caes):
        region = rng.choices(list(REGION_WEIGHTS), list(REGION_WEIGHTS.values()))[0]
        departements = rng.sample(REGION_DEPARTEMENTS[region], k=rng.randint(1, 3))
        trades = rng.sample(list(TRADE_WEIGHTS), k=rng.randint(2, 7))
        cae = SyntheticCae(
            siren=complete_siren(f"{80_000_000 + number * 37:08d}"),
            name=f"CAE synthétique n°{number + 1}",
            region=region,
            departements=departements,
            trades=trades,
            dominant=number < dominant,
            support_staff_fte=round(rng.uniform(0.5, 6.0), 2),
        )
        size = max(1, int(rng.lognormvariate(2.6, 0.9)))
        if cae.dominant:
            size *= 4
        for _ in range(size + len(periods) * size // 4):
            started = history_start
            for _ in range(rng.randint(0, 6 + len(periods))):
                started = started.following()
            person = Entrepreneur(
                contract=rng.choices(["cesa", "cape"], [7, 3])[0],
                trade=_choice(rng, TRADE_WEIGHTS, trades),
                sex=rng.choices(["F", "M", "X"], [30, 68, 2])[0],
                age_band=rng.choices(AGE_BANDS, AGE_WEIGHTS)[0],
                departement=rng.choice(departements),
                started=started,
                revenue_per_semester=round(
                    rng.lognormvariate(9.8, 0.6) * (25 if cae.dominant else 1), 2
                ),
            )
            if person.contract == "cesa" and rng.random() < 0.4:
                person.associate_from = started.following().following()
            if rng.random() < 0.3:
                person.left = started
                for _ in range(rng.randint(1, 6)):
                    person.left = person.left.following()
                person.exit_reason = rng.choices(EXIT_REASONS, [4, 3, 1, 2])[0]
            cae.entrepreneurs.append(person)
        result.append(cae)
    return Federation(result, periods)


# Birth dates are drawn in the middle of the age band at entry; people age from there.
_AGE_AT_ENTRY = {"<26": 22, "26-35": 30, "36-45": 40, "46-55": 50, ">55": 60}


def _records(
    cae: SyntheticCae, period: Period
) -> tuple[list[EntrepreneurRecord], list[AmountRecord], list[AmountRecord]]:
    """The anonymous records a connector of ``cae`` would read, and this period's revenue
    and payroll of the entrepreneurs present at its end."""
    people: list[EntrepreneurRecord] = []
    revenue: list[AmountRecord] = []
    payroll: list[AmountRecord] = []
    for number, person in enumerate(cae.entrepreneurs):
        entry = person.started.start
        record = EntrepreneurRecord(
            source=f"entrepreneur {number + 1}",
            entry_date=entry,
            cesa_date=entry if person.contract == "cesa" else None,
            exit_date=person.left.start if person.left else None,
            exit_reason=person.exit_reason,
            associate_date=person.associate_from.start if person.associate_from else None,
            trade=person.trade,
            sex=person.sex,
            birth_date=entry.replace(year=entry.year - _AGE_AT_ENTRY[person.age_band]),
            departement=person.departement,
        )
        people.append(record)
        if not record.present_on(period.end):
            continue
        cents = round(person.revenue_per_semester * 100)
        revenue.append(
            AmountRecord(
                record.source, period.start, Decimal(cents) / 100, person.trade, person.departement
            )
        )
        if person.contract == "cesa":
            gross = Decimal(round(person.revenue_per_semester * 0.45 * 100)) / 100
            payroll.append(AmountRecord(record.source, period.start, gross, person.trade))
    return people, revenue, payroll


def report_for(cae: SyntheticCae, period: Period) -> dict[str, Any]:
    """The indicator report ``cae`` sends for ``period``, aggregated as a connector does
    (``connectors.sdk.microdata.build_report``): totals, breakdowns and crosses that agree."""
    people, revenue, payroll = _records(cae, period)
    present = sum(1 for p in people if p.present_on(period.end))
    return build_report(
        period,
        people,
        revenue=revenue,
        payroll=payroll,
        support_staff_fte=Decimal(str(cae.support_staff_fte)) if present else None,
        training_hours=Decimal(7 * present) if present else None,
    )


def large_report(period: str = "2025-S2", *, cells: int = 10_000, seed: int = 11) -> dict[str, Any]:
    """One report of ``cells`` cells: entrepreneurs by trade, département, sex and age band."""
    rng = random.Random(seed)
    registry = get_registry()
    trades = list(registry.code_list("code-trade"))
    departements = list(registry.code_list("code-departement"))
    out = []
    for trade in trades:
        for departement in departements:
            for sex in ("F", "M", "X"):
                for age in AGE_BANDS:
                    if len(out) == cells:
                        return {"period": period, "cells": out}
                    out.append(
                        {
                            "indicator": "entrepreneurs",
                            "dims": {
                                "trade": trade,
                                "departement": departement,
                                "sex": sex,
                                "age_band": age,
                            },
                            "value": rng.randint(0, 40),
                        }
                    )
    return {"period": period, "cells": out}
