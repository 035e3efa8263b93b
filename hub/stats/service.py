"""Rules of the stats domain: protected tables, series, completeness, previews, publication.

Every figure leaves the hub through :func:`hub.stats.disclosure.protect`. Published tables
are computed from the report revisions a publication froze, under the rules it recorded, so
they never change; live figures (``draft``) are for staff only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Hashable, Iterable, Mapping, Sequence, Set
from dataclasses import asdict
from functools import lru_cache
from typing import Any

from sqlmodel import Session

from hub.config import Settings
from hub.db import utcnow
from hub.errors import ErrorItem, Forbidden, NotFound, ValidationFailed
from hub.indicators.catalogue import ASSOCIATE_RATE, DIMENSION_LISTS, Indicator, get_catalogue
from hub.indicators.models import IndicatorReport
from hub.indicators.service import parse_period
from hub.members.models import Member, StaffAccount
from hub.periods import Period
from hub.schemas.service import get_registry
from hub.stats.disclosure import (
    Kind,
    ProtectedCell,
    ProtectedTable,
    Reason,
    Rules,
    Table,
    protect,
    reason_label,
)
from hub.stats.models import Publication
from hub.stats.repository import CellRow, StatsRepository
from hub.stats.schemas import (
    Completeness,
    CompletenessRow,
    IndicatorInfo,
    Preview,
    PreviewCell,
    PublicationSummary,
    RulesInfo,
    Series,
    SeriesPoint,
    Source,
    StatsCell,
    StatsTable,
)

Contributions = dict[tuple[str, ...], dict[Hashable, float]]
# Cells already read for several tables at once, by indicator code.
Prefetched = Mapping[str, list[CellRow]]
_CACHE_SIZE = 512
_published_cache: dict[tuple[Any, ...], ProtectedTable] = {}


def _breakdowns(
    repository: StatsRepository, reports: Iterable[IndicatorReport]
) -> dict[int | None, Mapping[str, Collection[str]]]:
    """The breakdowns of every report, as recorded at ingest (read from its cells otherwise)."""
    reports = list(reports)
    found: dict[int | None, Mapping[str, Collection[str]]] = {
        r.id: r.breakdowns for r in reports if r.breakdowns is not None
    }
    unrecorded = [r.id for r in reports if r.id is not None and r.breakdowns is None]
    if unrecorded:
        for report_id, sets in repository.breakdowns(unrecorded).items():
            found[report_id] = sets
    return found


def clear_caches() -> None:
    """Forget every table kept in this process (they are recomputed on demand)."""
    _published_cache.clear()


def disclosure_rules(settings: Settings) -> Rules:
    return Rules(
        min_contributors=settings.disclosure_min_contributors,
        dominance_share=settings.disclosure_dominance_share,
        small_count_max=settings.disclosure_small_count_max,
        protection=settings.disclosure_protection,
    )


def _labels(dims: Sequence[str]) -> dict[str, dict[str, str]]:
    registry = get_registry()
    return {d: registry.code_list(DIMENSION_LISTS[d]) for d in dims}


def _info(indicator: Indicator) -> IndicatorInfo:
    return IndicatorInfo(
        code=indicator.code, label=indicator.label, kind=indicator.kind, unit=indicator.unit
    )


def parse_indicator(code: str) -> Indicator:
    indicator = get_catalogue().get(code)
    if indicator is None:
        raise ValidationFailed(
            f"Indicateur inconnu : « {code[:40]} ».",
            errors=[ErrorItem("query.indicator", "indicateur absent du catalogue")],
        )
    return indicator


def parse_by(text: str | None, indicator: Indicator) -> tuple[str, ...]:
    """At most two distinct dimensions, each allowed for the indicator."""
    dims = tuple(part.strip() for part in (text or "").split(",") if part.strip())
    problems = []
    if len(dims) > 2:
        problems.append("au plus deux dimensions")
    if len(set(dims)) != len(dims):
        problems.append("dimension répétée")
    refused = [d for d in dims if d not in indicator.dims]
    if refused:
        allowed = ", ".join(indicator.dims) or "aucune"
        problems.append(
            f"dimension(s) {', '.join(refused)} non disponible(s) pour {indicator.code} "
            f"(possibles : {allowed})"
        )
    if problems:
        raise ValidationFailed(
            "Ventilation refusée : " + " ; ".join(problems) + ".",
            errors=[ErrorItem("query.by", m) for m in problems],
        )
    return dims


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
    rows: Sequence[tuple[int, str, dict[str, str], int]],
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


class StatsService:
    # -- sources ------------------------------------------------------------------------------

    def _source(
        self, session: Session, period: Period, *, draft: bool, staff: bool, settings: Settings
    ) -> tuple[dict[int, IndicatorReport], Publication | None, Rules]:
        repository = StatsRepository(session)
        if draft:
            if not staff:
                raise Forbidden("Les chiffres provisoires (draft) sont réservés à l'équipe.")
            return repository.current_reports(str(period)), None, disclosure_rules(settings)
        publication = repository.latest_publication(str(period))
        if publication is None or publication.id is None:
            raise NotFound(f"La période {period} n'est pas encore publiée.")
        reports = repository.published_reports(publication.id)
        return reports, publication, Rules(**publication.rules)

    def _contributions(
        self,
        session: Session,
        indicator: Indicator,
        by: tuple[str, ...],
        reports: Mapping[int, IndicatorReport],
        fixed: Mapping[str, str],
        *,
        prefetched: Prefetched | None = None,
    ) -> Contributions:
        if prefetched is not None and indicator.code in prefetched:
            rows = prefetched[indicator.code]
        else:
            repository = StatsRepository(session)
            report_ids = [r.id for r in reports.values() if r.id is not None]
            wanted = self._wanted(repository, reports, [(indicator.code, {*by, *fixed})])
            rows = repository.cells_of(report_ids, wanted).get(indicator.code, [])
        return gather(rows, kind=indicator.kind, by=by, fixed=fixed)

    @staticmethod
    def _wanted(
        repository: StatsRepository,
        reports: Mapping[int, IndicatorReport],
        needs: Iterable[tuple[str, set[str]]],
    ) -> dict[str, set[str]]:
        """For each indicator, the breakdowns the members' figures will be read from: only
        those are fetched, not every breakdown of every report."""
        carried = _breakdowns(repository, reports.values())
        wanted: dict[str, set[str]] = {}
        for code, needed in needs:
            pairs = [
                (report.member_id, dim_set)
                for report in reports.values()
                for dim_set in carried.get(report.id, {}).get(code, ())
            ]
            wanted.setdefault(code, set()).update(choose_dim_sets(pairs, needed).values())
        return wanted

    def _protected(
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
        prefetched: Prefetched | None = None,
    ) -> ProtectedTable:
        """The protected table; a published one is computed once and kept (it never changes)."""
        fixed = fixed or {}
        grid = tuple(tuple(c) for c in categories) if categories is not None else None
        key = (*(cache_key or ()), indicator.code, by, tuple(sorted(fixed.items())), grid)
        if cache_key is not None and key in _published_cache:
            return _published_cache[key]
        if contributions is None:
            contributions = self._contributions(
                session, indicator, by, reports, fixed, prefetched=prefetched
            )
        kind: Kind = "persons" if indicator.kind == "persons" else "amount"
        protected = protect(Table.build(kind, by, contributions, categories=categories), rules)
        if cache_key is not None:
            if len(_published_cache) >= _CACHE_SIZE:
                _published_cache.clear()
            _published_cache[key] = protected
        return protected

    # -- tables -------------------------------------------------------------------------------

    def table(
        self,
        session: Session,
        *,
        indicator_code: str,
        period_text: str,
        by_text: str | None,
        draft: bool,
        staff: bool,
        settings: Settings,
    ) -> StatsTable:
        [table] = self.tables(
            session,
            specs=[(indicator_code, by_text)],
            period_text=period_text,
            draft=draft,
            staff=staff,
            settings=settings,
        )
        return table

    def tables(
        self,
        session: Session,
        *,
        specs: Sequence[tuple[str, str | None]],
        period_text: str,
        draft: bool,
        staff: bool,
        settings: Settings,
    ) -> list[StatsTable]:
        """Several tables of one period (indicator code, breakdown), their cells read together."""
        parsed = []
        for indicator_code, by_text in specs:
            indicator = parse_indicator(indicator_code)
            parsed.append((indicator, parse_by(by_text, indicator)))
        period = parse_period(period_text, where="query.period")
        reports, publication, rules = self._source(
            session, period, draft=draft, staff=staff, settings=settings
        )
        prefetched: Prefetched | None = None
        if len(parsed) > 1:
            needs: list[tuple[str, set[str]]] = []
            for indicator, by in parsed:
                if indicator.code == ASSOCIATE_RATE.code:
                    needs += [("associates", set(by)), ("entrepreneurs", {*by, "contract"})]
                else:
                    needs.append((indicator.code, set(by)))
            repository = StatsRepository(session)
            report_ids = [r.id for r in reports.values() if r.id is not None]
            wanted = self._wanted(repository, reports, needs)
            prefetched = repository.cells_of(report_ids, wanted)
        return [
            self._table(
                session, indicator, by, period, reports, publication, rules, prefetched=prefetched
            )
            for indicator, by in parsed
        ]

    def _table(
        self,
        session: Session,
        indicator: Indicator,
        by: tuple[str, ...],
        period: Period,
        reports: Mapping[int, IndicatorReport],
        publication: Publication | None,
        rules: Rules,
        *,
        prefetched: Prefetched | None = None,
    ) -> StatsTable:
        # An id alone is not enough: a rolled-back publication's id can be handed out again.
        cache = (
            (publication.id, publication.period, publication.number, publication.published_at)
            if publication is not None
            else None
        )
        if indicator.code == ASSOCIATE_RATE.code:
            cells = self._rate_cells(session, by, reports, rules, cache, prefetched=prefetched)
        else:
            protected = self._protected(
                session, indicator, by, reports, rules, cache_key=cache, prefetched=prefetched
            )
            cells = [self._cell(by, c, indicator.kind) for c in protected.cells.values()]
        labels = _labels(by)
        for cell in cells:
            cell.labels = {d: labels[d].get(v, v) for d, v in cell.dims.items() if v is not None}
        return StatsTable(
            indicator=_info(indicator),
            period=str(period),
            by=list(by),
            source=Source(
                status="published" if publication else "draft",
                publication=publication.number if publication else None,
                published_at=publication.published_at if publication else None,
                members_included=len(reports),
            ),
            rules=RulesInfo(**asdict(rules)),
            legend={reason.value: reason_label(reason, rules) for reason in Reason},
            cells=cells,
        )

    @staticmethod
    def _cell(by: Sequence[str], cell: ProtectedCell, kind: str) -> StatsCell:
        shown = cell.reason is None
        value = (int(cell.value) if kind == "persons" else round(cell.value, 2)) if shown else None
        return StatsCell(
            dims=dict(zip(by, cell.key, strict=True)),
            labels={},
            margin=None in cell.key,
            value=value,
            contributors=cell.contributors if shown else None,
            suppressed=cell.reason,
        )

    def _rate_cells(
        self,
        session: Session,
        by: tuple[str, ...],
        reports: Mapping[int, IndicatorReport],
        rules: Rules,
        cache: tuple[Any, ...] | None,
        *,
        prefetched: Prefetched | None = None,
    ) -> list[StatsCell]:
        """associates / entrepreneurs in CESA, from two protected tables on the same grid."""
        catalogue = get_catalogue()
        associates = catalogue.indicators["associates"]
        entrepreneurs = catalogue.indicators["entrepreneurs"]
        cesa = {"contract": "cesa"}
        parts = self._contributions(session, associates, by, reports, {}, prefetched=prefetched)
        wholes = self._contributions(
            session, entrepreneurs, by, reports, cesa, prefetched=prefetched
        )
        # Both tables on the same grid, so that every rate has its two parts.
        categories = [sorted({k[i] for k in [*parts, *wholes]}) for i in range(len(by))]
        numerator = self._protected(
            session,
            associates,
            by,
            reports,
            rules,
            contributions=parts,
            categories=categories,
            cache_key=cache,
        )
        denominator = self._protected(
            session,
            entrepreneurs,
            by,
            reports,
            rules,
            fixed=cesa,
            contributions=wholes,
            categories=categories,
            cache_key=cache,
        )
        cells = []
        for key, top in numerator.cells.items():
            bottom = denominator.cells[key]
            reason = top.reason or bottom.reason
            shown = reason is None and bottom.value > 0
            cells.append(
                StatsCell(
                    dims=dict(zip(by, key, strict=True)),
                    labels={},
                    margin=None in key,
                    value=round(100 * top.value / bottom.value, 1) if shown else None,
                    contributors=bottom.contributors if shown else None,
                    suppressed=reason,
                )
            )
        return cells

    # -- series, completeness, preview, publication ---------------------------------------------

    def series(
        self,
        session: Session,
        *,
        indicator_code: str,
        by_text: str | None,
        first: str,
        last: str,
        draft: bool,
        staff: bool,
        settings: Settings,
    ) -> Series:
        indicator = parse_indicator(indicator_code)
        by = parse_by(by_text, indicator)
        start = parse_period(first, where="query.from")
        end = parse_period(last, where="query.to")
        if start.is_semester != end.is_semester or start > end:
            raise ValidationFailed(
                "Intervalle de périodes invalide.",
                errors=[ErrorItem("query.to", "même nature que « from » et postérieure")],
            )
        periods = [start]
        while periods[-1] < end and len(periods) < 40:
            periods.append(periods[-1].following())
        if draft and not staff:
            raise Forbidden("Les chiffres provisoires (draft) sont réservés à l'équipe.")
        repository = StatsRepository(session)
        published = repository.publications([str(p) for p in periods])
        points = []
        for period in periods:
            publication = published.get(str(period))
            if draft:
                reports = repository.current_reports(str(period))
                rules = disclosure_rules(settings)
                publication = None
            elif publication is not None and publication.id is not None:
                reports = repository.published_reports(publication.id)
                rules = Rules(**publication.rules)
            else:
                points.append(SeriesPoint(period=str(period), table=None))
                continue
            table = self._table(session, indicator, by, period, reports, publication, rules)
            points.append(SeriesPoint(period=str(period), table=table))
        return Series(indicator=_info(indicator), by=list(by), points=points)

    def completeness(
        self, session: Session, *, period_text: str, member: Member | None
    ) -> Completeness:
        period = str(parse_period(period_text, where="query.period"))
        repository = StatsRepository(session)
        current = repository.current_reports(period)
        counts = repository.revision_counts(period)
        first = repository.first_received(period)
        publication = repository.latest_publication(period)
        frozen = (
            repository.published_reports(publication.id)
            if publication is not None and publication.id is not None
            else {}
        )
        members = repository.active_members()
        rows = []
        for m in members:
            if member is not None and m.id != member.id:
                continue
            assert m.id is not None
            report = current.get(m.id)
            included = frozen.get(m.id)
            rows.append(
                CompletenessRow(
                    siren=m.siren,
                    name=m.name,
                    region=m.region,
                    reported=report is not None,
                    revision=report.revision if report else None,
                    revisions=counts.get(m.id, 0),
                    first_received_at=first.get(m.id),
                    received_at=report.received_at if report else None,
                    last_sync_at=report.last_received_at if report else None,
                    connector=report.connector if report else None,
                    connector_version=report.connector_version if report else None,
                    in_publication=included.revision if included else None,
                    revised_after_publication=bool(
                        publication and report and (included is None or included.id != report.id)
                    ),
                )
            )
        rows.sort(key=lambda r: (r.reported, r.received_at is not None, r.name))
        return Completeness(
            period=period,
            publication=publication.number if publication else None,
            published_at=publication.published_at if publication else None,
            members=len(members) if member is None else 1,
            reported=sum(r.reported for r in rows),
            rows=rows,
        )

    def preview(
        self,
        session: Session,
        *,
        member: Member,
        indicator_code: str,
        period_text: str,
        by_text: str | None,
        settings: Settings,
    ) -> Preview:
        """Which of the member's cells the next publication would show or hide, and why.

        Only the member's own values are shown next to each cell's fate: the live totals of
        the other CAEs stay unpublished until staff publish the period.
        """
        indicator = parse_indicator(indicator_code)
        if indicator.derived:
            raise ValidationFailed(
                "L'aperçu porte sur un indicateur déclaré.",
                errors=[ErrorItem("query.indicator", "indicateur calculé par le hub")],
            )
        by = parse_by(by_text, indicator)
        period = parse_period(period_text, where="query.period")
        assert member.id is not None
        reports = StatsRepository(session).current_reports(str(period))
        if member.id not in reports:
            raise NotFound(f"Vous n'avez pas encore envoyé de rapport pour {period}.")
        rules = disclosure_rules(settings)
        protected = self._protected(session, indicator, by, reports, rules)
        own = protected.table.cells()
        cells = []
        for key, cell in protected.cells.items():
            mine = own.get(key, {}).get(member.id)
            if mine is None:
                continue
            cells.append(
                PreviewCell(
                    dims=dict(zip(by, key, strict=True)),
                    margin=None in key,
                    own_value=mine,
                    shown=cell.reason is None,
                    suppressed=cell.reason,
                    reason=reason_label(cell.reason, rules) if cell.reason else None,
                )
            )
        return Preview(
            period=str(period),
            indicator=_info(indicator),
            by=list(by),
            legend={reason.value: reason_label(reason, rules) for reason in Reason},
            cells=cells,
        )

    def publish(
        self, session: Session, *, period_text: str, staff: StaffAccount, settings: Settings
    ) -> PublicationSummary:
        period = str(parse_period(period_text))
        repository = StatsRepository(session)
        current = repository.current_reports(period)
        if not current:
            raise ValidationFailed(
                f"Aucun rapport reçu pour {period} : rien à publier.",
                errors=[ErrorItem("path.period", "aucun rapport pour cette période")],
            )
        previous = repository.latest_publication(period)
        before = (
            repository.published_reports(previous.id)
            if previous is not None and previous.id is not None
            else {}
        )
        assert staff.id is not None
        publication = repository.add_publication(
            Publication(
                period=period,
                number=(previous.number + 1) if previous else 1,
                published_at=utcnow(),
                published_by=staff.id,
                rules=asdict(disclosure_rules(settings)),
                report_count=len(current),
            ),
            [r.id for r in current.values() if r.id is not None],
        )
        members = {m.id: m.siren for m in repository.active_members()}
        revised = sorted(
            members.get(member_id, str(member_id))
            for member_id, report in current.items()
            if previous is not None
            and (member_id not in before or before[member_id].id != report.id)
        )
        return PublicationSummary(
            period=period,
            number=publication.number,
            published_at=publication.published_at,
            reports=len(current),
            revised_since_previous=revised,
        )


stats_service = StatsService()
