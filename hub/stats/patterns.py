"""The protected pattern of a whole publication, computed when staff publish and stored.

For each reported indicator, every table that can be requested for the period (by nothing,
by one or two of its dimensions, ``region`` derived from ``departement`` included, and the
CESA slice of entrepreneurs that the associate rate divides by) is one lattice
(:mod:`hub.stats.lattice`), protected by :func:`hub.stats.joint.protect_jointly` together
with every earlier publication of the period that has a stored pattern. The result is stored
(:class:`~hub.stats.models.PublicationPattern`) and published tables are read from it
(:mod:`hub.stats.served`): any combination of tables of any publications of the period is
covered by one guarantee, and serving a table recomputes nothing.

Information kept. Rare categories of trades and départements (fewer than
``min_contributors`` CAEs in the period) may be grouped into « autres » at the period's first
publication (départements into « autres départements » of their region); later publications
of the period keep that grouping, so their cells line up. A cell that a republication must hide
but that an earlier publication showed may keep that earlier value, marked as such
(``keep_earlier``): it tells the reader nothing new.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sqlmodel import Session

from cae_contract.catalogue import Indicator, get_catalogue
from cae_contract.registry import get_registry
from hub.indicators.models import IndicatorReport
from hub.stats.disclosure import Kind, Rules
from hub.stats.joint import Release, protect_jointly
from hub.stats.lattice import (
    NOT_STATED,
    OTHERS,
    CellId,
    RevisionRow,
    build_lattice,
    id_text,
    parse_id,
)
from hub.stats.models import Publication, PublicationPattern
from hub.stats.repository import StatsRepository

__all__ = [
    "EXTRA",
    "IndicatorOutcome",
    "Prepared",
    "hidden_cells",
    "kind_of",
    "own_contributions",
    "prepare",
    "region_of",
    "table_dims",
]

EXTRA: dict[str, list[tuple[frozenset[str], dict[str, str]]]] = {
    "entrepreneurs": [(frozenset({"contract", "trade", "sex"}), {"contract": "cesa"})]
}
"""Crosses of three dimensions, restricted to fixed codes, that a derived table reads."""
GROUPED_DIMS = ("trade", "departement")
"""The long code lists whose rare categories may be grouped into « autres »."""


@lru_cache(maxsize=1)
def region_of() -> dict[str, str]:
    """Département code → region code, from the département code list (``x-region``)."""
    branches = get_registry().code_annotations("code-departement")
    return {code: str(b["x-region"]) for code, b in branches.items() if "x-region" in b}


def table_dims(indicator: Indicator) -> tuple[str, ...]:
    """The dimensions tables of ``indicator`` may be broken down by, derived ones included."""
    return (*indicator.dims, "region") if "departement" in indicator.dims else indicator.dims


def kind_of(indicator: Indicator) -> Kind:
    return "persons" if indicator.kind == "persons" else "amount"


def hidden_cells(pattern: PublicationPattern) -> frozenset[CellId]:
    """The cells a stored pattern does not show with a value of its own publication."""
    return frozenset(parse_id(text) for text, cell in pattern.cells.items() if cell[2] is not None)


@dataclass
class IndicatorOutcome:
    """What protecting one indicator's tables cost."""

    indicator: str
    cells: int
    hidden: int
    hidden_alone: int | None = None
    """Cells the publication would hide with no earlier publication (republications)."""
    republication: int = 0
    """Cells hidden only so that no difference with an earlier publication reveals a figure."""
    kept: int = 0
    """Hidden cells that repeat an earlier publication's value instead."""
    programs: int = 0
    unprotected: list[str] = field(default_factory=list)


@dataclass
class Prepared:
    patterns: list[PublicationPattern]
    outcomes: list[IndicatorOutcome]


def _rows(
    session: Session, report_ids: Sequence[int], catalogue: Mapping[str, Indicator]
) -> dict[str, list[RevisionRow]]:
    found: dict[str, list[RevisionRow]] = defaultdict(list)
    for indicator, report, dim_set, dims, centi in StatsRepository(session).revision_cells(
        report_ids
    ):
        known = catalogue.get(indicator)
        if known is None:
            continue
        value = centi // 100 if known.kind == "persons" else centi / 100
        found[indicator].append((report, dim_set, dims, value))
    return found


def _unchanged(
    rows: Sequence[RevisionRow], member_of: Mapping[int, int]
) -> tuple[list[RevisionRow], dict[int, int]]:
    """Revisions of one member that say the same of this indicator count as one (the
    oldest): a revision that changed other indicators only changes nothing here."""
    figures: dict[int, list[tuple[str, tuple[tuple[str, str], ...], float]]] = defaultdict(list)
    for revision, dim_set, codes, value in rows:
        figures[revision].append((dim_set, tuple(sorted(codes.items())), value))
    first: dict[tuple[int, frozenset[Any]], int] = {}
    same: dict[int, int] = {}
    for revision in sorted(member_of):
        key = (member_of[revision], frozenset(figures.get(revision, ())))
        same[revision] = first.setdefault(key, revision)
    return [row for row in rows if same.get(row[0], row[0]) == row[0]], same


def rare_recode(
    rows: Sequence[RevisionRow], indicator: Indicator, rules: Rules, member_of: Mapping[int, int]
) -> dict[str, dict[str, str]]:
    """Trades and départements with fewer than ``min_contributors`` CAEs, grouped: trades
    into « autres », départements into « autres départements » of their region; a group
    is made only of two categories or more (one alone would just be renamed)."""
    recode: dict[str, dict[str, str]] = {}
    regions = region_of()
    for dim in GROUPED_DIMS:
        if dim not in indicator.dims:
            continue
        members: dict[str, set[int]] = defaultdict(set)
        for revision, dim_set, codes, value in rows:
            if dim_set == dim and value > 0:
                members[codes[dim]].add(member_of[revision])
        rare = sorted(c for c, m in members.items() if len(m) < rules.min_contributors)
        groups: dict[str, list[str]] = defaultdict(list)
        for code in rare:
            group = f"{OTHERS}:{regions.get(code, NOT_STATED)}" if dim == "departement" else OTHERS
            groups[group].append(code)
        mapping = {c: g for g, codes in groups.items() if len(codes) >= 2 for c in codes}
        if mapping:
            recode[dim] = mapping
    return recode


def prepare(
    session: Session,
    current: Mapping[int, IndicatorReport],
    earlier: Sequence[Publication],
    rules: Rules,
    *,
    group_rare: bool,
    keep_earlier: bool,
    compare_alone: bool = False,
) -> Prepared:
    """The patterns of a publication of ``current`` revisions after ``earlier`` ones
    (oldest first; those without a stored pattern are left out), not yet stored."""
    repository = StatsRepository(session)
    catalogue = {i.code: i for i in get_catalogue().reported()}
    past: list[tuple[Publication, dict[int, IndicatorReport], dict[str, PublicationPattern]]] = []
    for publication in earlier:
        assert publication.id is not None
        stored = repository.patterns(publication.id)
        if stored:
            past.append((publication, repository.published_reports(publication.id), stored))
    reports = [*current.values(), *(r for _, revs, _ in past for r in revs.values())]
    member_of = {r.id: r.member_id for r in reports if r.id is not None}
    rows = _rows(session, sorted(member_of), catalogue)
    new = frozenset(r.id for r in current.values() if r.id is not None)
    patterns, outcomes = [], []
    for code, indicator in catalogue.items():
        kind = kind_of(indicator)
        indicator_rows, same = _unchanged(rows.get(code, []), member_of)
        first = next((stored[code] for _, _, stored in past if code in stored), None)
        if first is not None:
            recode = first.recode
        elif group_rare:
            fresh = [row for row in indicator_rows if row[0] in new]
            recode = rare_recode(fresh, indicator, rules, member_of)
        else:
            recode = {}
        lattice = build_lattice(
            code,
            table_dims(indicator),
            indicator_rows,
            region_of=region_of(),
            recode=recode,
            extra=EXTRA.get(code, ()),
        )
        releases = [
            Release(
                frozenset(same.get(r.id, r.id) for r in revs.values() if r.id is not None),
                Rules(**publication.rules),
                hidden_cells(stored[code]) if code in stored else frozenset(),
            )
            for publication, revs, stored in past
        ]
        new_here = frozenset(same.get(r, r) for r in new)
        result = protect_jointly(lattice, kind, [*releases, Release(new_here, rules)], member_of)
        cells: dict[str, list[Any]] = {}
        kept = 0
        for cell in lattice.cells:
            parts = {r: v for r, v in lattice.contributions.get(cell, {}).items() if r in new_here}
            if not parts:
                continue
            reason = result.hidden.get(cell)
            if reason is None:
                value = sum(parts.values())
                shown = round(value, 2) if kind == "amount" else int(value)
                cells[id_text(cell)] = [shown, len(parts), None, None]
                continue
            cells[id_text(cell)] = [None, None, reason.value, None]
            if keep_earlier:
                for publication, _, stored in reversed(past):
                    before = stored[code].cells.get(id_text(cell)) if code in stored else None
                    if before is not None and before[0] is not None:
                        number = before[3] if before[3] is not None else publication.number
                        cells[id_text(cell)] = [before[0], before[1], reason.value, number]
                        kept += 1
                        break
        patterns.append(
            PublicationPattern(
                publication_id=0,
                indicator=code,
                codes=lattice.codes,
                recode={d: dict(m) for d, m in recode.items()},
                cells=cells,
            )
        )
        outcome = IndicatorOutcome(
            indicator=code,
            cells=sum(1 for c in lattice.cells if lattice.value(c, new_here) > 0),
            hidden=len(result.hidden),
            republication=len(result.republication),
            kept=kept,
            programs=result.programs,
            unprotected=[id_text(c) for c in result.unprotected],
        )
        if compare_alone and past:
            alone = protect_jointly(lattice, kind, [Release(new_here, rules)], member_of)
            outcome.hidden_alone = len(alone.hidden)
        outcomes.append(outcome)
    return Prepared(patterns=patterns, outcomes=outcomes)


def own_contributions(
    session: Session,
    report: IndicatorReport,
    indicator: Indicator,
    pattern: PublicationPattern | None,
) -> dict[CellId, float]:
    """One revision's part of every cell of ``indicator``, as the pattern groups them."""
    if report.id is None or pattern is None:
        return {}
    rows = _rows(session, [report.id], {indicator.code: indicator}).get(indicator.code, [])
    lattice = build_lattice(
        indicator.code,
        table_dims(indicator),
        rows,
        region_of=region_of(),
        recode=pattern.recode,
        extra=EXTRA.get(indicator.code, ()),
    )
    return {cell: parts[report.id] for cell, parts in lattice.contributions.items()}
