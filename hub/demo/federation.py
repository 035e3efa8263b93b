"""A deterministic demonstration federation: CAEs, the people they host, their invoices.

Each CAE gets its own random stream (seeded by the federation seed and its slug), so a reduced
federation holds exactly the first CAEs of the full one. The people carry the personal fields a
CAE's management system keeps (names, birth dates, NIR, addresses…): the exports are the CAE's
own files, and the connectors must drop those fields before anything leaves the CAE.
"""

from __future__ import annotations

import random
from datetime import date

from hub.demo.activity import generate_money, generate_support
from hub.demo.model import (
    DemoCae,
    DemoFederation,
    Invoice,
    Payslip,
    Person,
    SupportTeam,
    Workshop,
)
from hub.demo.people import TRADE_WEIGHTS, add_months, generate_people, weighted
from hub.demo.profiles import DEFAULT_SEED, PROFILES, CaeProfile, Size
from hub.members.schemas import complete_siren

__all__ = [
    "DEFAULT_SEED",
    "DemoCae",
    "DemoFederation",
    "Invoice",
    "Payslip",
    "Person",
    "SupportTeam",
    "Workshop",
    "add_months",
    "generate",
]

# The dominant CAE bills much more per head: it hosts builders of whole houses.
DOMINANT_REVENUE_FACTOR = 2.6
SIZE_TRADES = {
    Size.DOMINANT: (9, 12),
    Size.LARGE: (7, 10),
    Size.MEDIUM: (5, 8),
    Size.SMALL: (3, 6),
    Size.TINY: (2, 4),
}


def generate(
    *, seed: int = DEFAULT_SEED, count: int | None = None, scale: float = 1.0, today: date
) -> DemoFederation:
    """The first ``count`` CAEs of the demonstration (all of them by default) as of ``today``;
    ``scale`` shrinks every CAE's number of entrepreneurs alike (a quicker demonstration)."""
    profiles = PROFILES if count is None else PROFILES[:count]
    sirens: set[str] = set()
    caes = []
    for profile in profiles:
        rng = random.Random(f"{seed}/{profile.slug}")  # noqa: S311 - invented data, no secret
        cae = _generate_cae(profile, rng, today, sirens, scale)
        sirens.add(cae.siren)
        caes.append(cae)
    return DemoFederation(tuple(caes), seed, today)


def _generate_cae(
    profile: CaeProfile, rng: random.Random, today: date, taken: set[str], scale: float
) -> DemoCae:
    siren = complete_siren(f"{rng.randrange(30_000_000, 99_999_999):08d}")
    while siren in taken:
        siren = complete_siren(f"{rng.randrange(30_000_000, 99_999_999):08d}")
    trades = _pick_trades(rng, profile.size)
    people = generate_people(profile, rng, trades, today, scale=scale)
    factor = DOMINANT_REVENUE_FACTOR if profile.size is Size.DOMINANT else 1.0
    invoices, payslips = generate_money(profile, rng, people, today, factor)
    cae = DemoCae(profile, siren, trades, people, invoices, payslips, (), (), today)
    workshops, support = generate_support(cae, rng)
    return DemoCae(profile, siren, trades, people, invoices, payslips, workshops, support, today)


def _pick_trades(rng: random.Random, size: Size) -> tuple[str, ...]:
    low, high = SIZE_TRADES[size]
    wanted = rng.randint(low, high)
    chosen: list[str] = []
    while len(chosen) < wanted:
        trade = weighted(rng, {t: w for t, w in TRADE_WEIGHTS.items() if t not in chosen})
        chosen.append(trade)
    return tuple(sorted(chosen))
