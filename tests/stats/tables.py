"""Generated federations: tables summed over CAEs, from a seed, of realistic shapes; and
synthetic federations loaded into the hub as members and their reports."""

from __future__ import annotations

import random
from collections.abc import Hashable, Mapping, Sequence
from itertools import product

from sqlmodel import Session

from bench.federation import Federation
from hub.indicators.service import report_service
from hub.members.models import Member
from hub.members.schemas import MemberCreate
from hub.members.service import member_service
from hub.stats.disclosure import InteriorKey, Kind, Table

TRADES = tuple(f"T{i:02d}" for i in range(1, 23))
SEXES = ("F", "M", "X")
DEPARTEMENTS = (
    *(f"{i:02d}" for i in range(1, 96) if i != 20),
    "2A",
    "2B",
    "971",
    "972",
    "973",
    "974",
    "976",
)


def federation(
    seed: int,
    kind: Kind,
    dims: Mapping[str, Sequence[str]],
    *,
    caes: int,
    spread: Mapping[str, int],
    density: float = 0.7,
    dominant: bool = False,
    small_counts: bool = False,
) -> Table:
    """A table summed over ``caes`` CAEs. Each CAE works in 1 to ``spread[dim]`` neighbouring
    categories of each dimension (a few départements around its seat, a few trades) and
    reports a value for each combination with probability ``density``. With ``dominant``,
    CAE 0 works everywhere and weighs fifty times more; with ``small_counts``, counts are 1 or 2.
    """
    rng = random.Random(seed)
    interior: dict[InteriorKey, dict[Hashable, float]] = {}
    for cae in range(caes):
        everywhere = dominant and cae == 0
        choices = []
        for dim, codes in dims.items():
            width = len(codes) if everywhere else rng.randint(1, min(spread[dim], len(codes)))
            start = rng.randrange(len(codes))
            choices.append([codes[(start + i) % len(codes)] for i in range(width)])
        for key in product(*choices):
            if rng.random() > density and not everywhere:
                continue
            if kind == "persons":
                value: float = rng.randint(1, 2 if small_counts else 12)
            else:
                value = round(rng.lognormvariate(10.5, 1.0), 2)
            interior.setdefault(key, {})[cae] = value * (50 if everywhere else 1)
    return Table.build(kind, dims, interior, categories=dims.values())


def load_federation(session: Session, federation: Federation) -> dict[str, Member]:
    """Every CAE of ``federation`` as a member, with all its reports submitted; by SIREN."""
    members = {}
    for cae in federation.caes:
        members[cae.siren] = member_service.create(session, MemberCreate(**cae.profile()))
    for cae, period, document in federation.reports():
        report_service.submit(session, members[cae.siren], str(period), document)
    session.flush()
    return members
