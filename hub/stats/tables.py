"""Protected tables computed from report revisions.

Every figure leaves the hub through :func:`hub.stats.disclosure.protect`. A published table
is computed from the revisions its publication froze, under the rules it recorded, so it
never changes and is kept once computed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence, Set
from dataclasses import asdict
from functools import lru_cache
from typing import Any

from sqlmodel import Session

from cae_contract.catalogue import ASSOCIATE_RATE, DIMENSION_LISTS, Indicator, get_catalogue
from cae_contract.periods import Period
from cae_contract.registry import get_registry
from hub.indicators.models import IndicatorReport
from hub.stats.disclosure import (
    CellKey,
    Kind,
    ProtectedTable,
    Reason,
    Rules,
    Table,
    protect,
    reason_label,
)
from hub.stats.models import Publication, PublicationPattern
from hub.stats.provisional import PROVISIONAL_NOTE, provisional_label
from hub.stats.repository import CellRow, StatsRepository
from hub.stats.schemas import IndicatorInfo, RulesInfo, Source, StatsCell, StatsTable
from hub.stats.served import is_rate, pattern_cells, rate_cells

Contributions = dict[tuple[str, ...], dict[Hashable, float]]
# Cells already read for one or several tables, by indicator code.
Cells = Mapping[str, list[CellRow]]
# What a table is computed from: an indicator's cells carrying these dimensions.
Needs = list[tuple[str, set[str]]]
_CACHE_SIZE = 512
_published_cache: dict[tuple[Any, ...], ProtectedTable] = {}
_CESA = {"contract": "cesa"}


def clear_caches() -> None:
    """Forget every table kept in this process (they are recomputed on demand)."""
    _published_cache.clear()


def indicator_info(indicator: Indicator) -> IndicatorInfo:
    return IndicatorInfo(
        code=indicator.code, label=indicator.label, kind=indicator.kind, unit=indicator.unit
    )


def choose_dim_sets(pairs: Iterable[tuple[int, str]], needed: Set[str]) -> dict[int, str]:
    """For each member, the coarsest breakdown it sent that carries every ``needed`` dimension."""
    sets_by_member: dict[int, set[str]] = defaultdict(set)
    for member_id, dim_set in pairs:
        sets_by_member[member_id].add(dim_set)
    chosen: dict[int, str] = {}
    for member_id, sets in sets_by_member.items():
        usable = [s for s in sets if needed <= _dims_of(s)]
        if usable:
            chosen[member_id] = min(usable, key=lambda s: (len(_dims_of(s)), s))
    return chosen


@lru_cache(maxsize=4096)
def _dims_of(dim_set: str) -> frozenset[str]:
    """The dimensions of a ``dim_set`` such as ``"sex,trade"`` (``""``: none)."""
    return frozenset(filter(None, dim_set.split(",")))


def gather(
    rows: Sequence[CellRow],
    *,
    kind: str,
    by: Sequence[str],
    fixed: Mapping[str, str],
) -> Contributions:
    """Each member's contribution to each cell of the ``by`` breakdown (restricted to
    ``fixed``), taken from the coarsest breakdown of its report that carries those dimensions.
    Consistency checks at ingest guarantee that every such breakdown gives the same sums."""
    chosen = choose_dim_sets([(m, dim_set) for m, dim_set, _, _ in rows], {*by, *fixed})
    centi_sums: dict[tuple[str, ...], dict[int, int]] = defaultdict(dict)
    for member_id, dim_set, dims, centi in rows:
        if chosen.get(member_id) != dim_set:
            continue
        if any(dims.get(k) != v for k, v in fixed.items()):
            continue
        cell = centi_sums[tuple(dims[d] for d in by)]
        cell[member_id] = cell.get(member_id, 0) + centi
    return {
        key: {m: (c // 100 if kind == "persons" else c / 100) for m, c in cell.items()}
        for key, cell in centi_sums.items()
    }


def needs(indicator: Indicator, by: Sequence[str]) -> Needs:
    """The cells a table of ``indicator`` by ``by`` is computed from."""
    if indicator.code == ASSOCIATE_RATE.code:
        return [("associates", set(by)), ("entrepreneurs", {*by, *_CESA})]
    return [(indicator.code, set(by))]


def read_cells(session: Session, reports: Mapping[int, IndicatorReport], wanted: Needs) -> Cells:
    """The cells of these revisions the ``wanted`` tables are computed from, in one query:
    for each member, only the breakdown its figures will be read from."""
    dim_sets: dict[str, set[str]] = {}
    for code, needed in wanted:
        pairs = [
            (report.member_id, dim_set)
            for report in reports.values()
            for dim_set in (report.breakdowns or {}).get(code, ())
        ]
        dim_sets.setdefault(code, set()).update(choose_dim_sets(pairs, needed).values())
    report_ids = [r.id for r in reports.values() if r.id is not None]
    return StatsRepository(session).cells_of(report_ids, dim_sets)


def _stats_cell(
    by: Sequence[str],
    key: CellKey,
    value: float | None,
    contributors: int | None,
    reason: Reason | None,
) -> StatsCell:
    return StatsCell(
        dims=dict(zip(by, key, strict=True)),
        labels={},
        margin=None in key,
        value=value,
        contributors=contributors,
        suppressed=reason,
    )


def _source(publication: Publication | None, members_included: int) -> Source:
    """Where a table's figures come from: ``publication``, or live figures (None)."""
    if publication is None:
        return Source(
            status="draft", publication=None, published_at=None, members_included=members_included
        )
    return Source(
        status="published",
        publication=publication.number,
        published_at=publication.published_at,
        members_included=members_included,
        provisional=publication.provisional,
        provisional_label=(
            provisional_label(publication.period, publication.published_at)
            if publication.provisional
            else None
        ),
    )


class TableBuilder:
    def protected(
        self,
        session: Session,
        indicator: Indicator,
        by: tuple[str, ...],
        reports: Mapping[int, IndicatorReport],
        rules: Rules,
        *,
        fixed: Mapping[str, str] | None = None,
        contributions: Contributions | None = None,
        categories: Sequence[Sequence[str]] | None = None,
        cache_key: tuple[Any, ...] | None = None,
        cells: Cells | None = None,
    ) -> ProtectedTable:
        """The protected table; a published one is computed once and kept (it never changes)."""
        fixed = fixed or {}
        grid = tuple(tuple(c) for c in categories) if categories is not None else None
        key = (*(cache_key or ()), indicator.code, by, tuple(sorted(fixed.items())), grid)
        if cache_key is not None and key in _published_cache:
            return _published_cache[key]
        if contributions is None:
            contributions = self._contributions(session, indicator, by, reports, fixed, cells)
        kind: Kind = "persons" if indicator.kind == "persons" else "amount"
        protected = protect(Table.build(kind, by, contributions, categories=categories), rules)
        if cache_key is not None:
            if len(_published_cache) >= _CACHE_SIZE:
                _published_cache.clear()
            _published_cache[key] = protected
        return protected

    @staticmethod
    def _contributions(
        session: Session,
        indicator: Indicator,
        by: tuple[str, ...],
        reports: Mapping[int, IndicatorReport],
        fixed: Mapping[str, str],
        cells: Cells | None,
    ) -> Contributions:
        if cells is None or indicator.code not in cells:
            cells = read_cells(session, reports, [(indicator.code, {*by, *fixed})])
        return gather(cells.get(indicator.code, []), kind=indicator.kind, by=by, fixed=fixed)

    def table(
        self,
        session: Session,
        indicator: Indicator,
        by: tuple[str, ...],
        period: Period,
        reports: Mapping[int, IndicatorReport],
        publication: Publication | None,
        rules: Rules,
        *,
        cells: Cells | None = None,
    ) -> StatsTable:
        """The table of ``indicator`` by ``by`` from these revisions (``cells``: already read)."""
        # An id alone is not enough: a rolled-back publication's id can be handed out again.
        cache = (
            (publication.id, publication.period, publication.number, publication.published_at)
            if publication is not None
            else None
        )
        if indicator.code == ASSOCIATE_RATE.code:
            if cells is None:
                cells = read_cells(session, reports, needs(indicator, by))
            rows = self._rate_cells(session, by, reports, rules, cache, cells)
        else:
            protected = self.protected(
                session, indicator, by, reports, rules, cache_key=cache, cells=cells
            )
            rows = []
            for cell in protected.cells.values():
                shown = cell.reason is None
                value = int(cell.value) if indicator.kind == "persons" else round(cell.value, 2)
                rows.append(
                    _stats_cell(
                        by,
                        cell.key,
                        value if shown else None,
                        cell.contributors if shown else None,
                        cell.reason,
                    )
                )
        labels = {d: get_registry().code_list(DIMENSION_LISTS[d]) for d in by}
        for row in rows:
            row.labels = {d: labels[d].get(v, v) for d, v in row.dims.items() if v is not None}
        return StatsTable(
            indicator=indicator_info(indicator),
            period=str(period),
            by=list(by),
            source=_source(publication, len(reports)),
            rules=RulesInfo(**asdict(rules)),
            legend={reason.value: reason_label(reason, rules) for reason in Reason},
            notes=[PROVISIONAL_NOTE] if publication is not None and publication.provisional else [],
            cells=rows,
        )

    def from_patterns(
        self,
        indicator: Indicator,
        by: tuple[str, ...],
        period: Period,
        publication: Publication,
        patterns: Mapping[str, PublicationPattern],
        rules: Rules,
    ) -> StatsTable:
        """A published table read from its publication's stored patterns (no recompute)."""
        if is_rate(indicator):
            rows = rate_cells(
                _pattern(patterns, "associates"), _pattern(patterns, "entrepreneurs"), by
            )
        else:
            rows = pattern_cells(_pattern(patterns, indicator.code), indicator, by)
        kept = sorted({c.kept_from for c in rows if c.kept_from is not None})
        notes = [
            f"Les cellules marquées d'un renvoi reprennent la valeur de la publication n° {n} : "
            "la nouvelle valeur aurait révélé, par différence, les chiffres d'une CAE arrivée "
            "ou corrigée depuis."
            for n in kept
        ]
        if publication.provisional:
            notes.insert(0, PROVISIONAL_NOTE)
        return StatsTable(
            indicator=indicator_info(indicator),
            period=str(period),
            by=list(by),
            source=_source(publication, publication.report_count),
            rules=RulesInfo(**asdict(rules)),
            legend={reason.value: reason_label(reason, rules) for reason in Reason},
            notes=notes,
            cells=rows,
        )

    def _rate_cells(
        self,
        session: Session,
        by: tuple[str, ...],
        reports: Mapping[int, IndicatorReport],
        rules: Rules,
        cache: tuple[Any, ...] | None,
        cells: Cells,
    ) -> list[StatsCell]:
        """associates / entrepreneurs in CESA, from two protected tables on the same grid."""
        catalogue = get_catalogue()
        associates = catalogue.indicators["associates"]
        entrepreneurs = catalogue.indicators["entrepreneurs"]
        parts = self._contributions(session, associates, by, reports, {}, cells)
        wholes = self._contributions(session, entrepreneurs, by, reports, _CESA, cells)
        # Both tables on the same grid, so that every rate has its two parts.
        categories = [sorted({k[i] for k in [*parts, *wholes]}) for i in range(len(by))]
        numerator = self.protected(
            session,
            associates,
            by,
            reports,
            rules,
            contributions=parts,
            categories=categories,
            cache_key=cache,
        )
        denominator = self.protected(
            session,
            entrepreneurs,
            by,
            reports,
            rules,
            fixed=_CESA,
            contributions=wholes,
            categories=categories,
            cache_key=cache,
        )
        rows = []
        for key, top in numerator.cells.items():
            bottom = denominator.cells[key]
            reason = top.reason or bottom.reason
            shown = reason is None and bottom.value > 0
            rows.append(
                _stats_cell(
                    by,
                    key,
                    round(100 * top.value / bottom.value, 1) if shown else None,
                    bottom.contributors if shown else None,
                    reason,
                )
            )
        return rows


def _pattern(patterns: Mapping[str, PublicationPattern], code: str) -> PublicationPattern:
    """The stored pattern of ``code``; none stored means nobody reported it: all zeros."""
    found = patterns.get(code)
    if found is None:
        return PublicationPattern(publication_id=0, indicator=code, codes={}, recode={}, cells={})
    return found


def pattern_codes(indicator: Indicator) -> list[str]:
    """The stored patterns a table of ``indicator`` is read from."""
    return ["associates", "entrepreneurs"] if is_rate(indicator) else [indicator.code]


table_builder = TableBuilder()
