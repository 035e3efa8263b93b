"""Rules of the stats domain: which tables a caller may read, series, completeness,
previews and publication.

Tables themselves are computed in :mod:`hub.stats.tables`. Published tables come from the
report revisions a publication froze, under the rules it recorded; live figures (``draft``)
are for staff only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlmodel import Session

from cae_contract.catalogue import Indicator, get_catalogue
from cae_contract.periods import Period
from cae_contract.problems import ErrorItem
from hub.config import Settings
from hub.errors import Forbidden, NotFound, ValidationFailed
from hub.indicators.models import IndicatorReport
from hub.indicators.service import parse_period
from hub.members.models import Member, StaffAccount
from hub.stats import publishing
from hub.stats.answers import published_answers
from hub.stats.disclosure import Reason, Rules, reason_label
from hub.stats.lattice import cell_id
from hub.stats.models import Publication
from hub.stats.patterns import own_contributions, table_dims
from hub.stats.provisional import provisional_label
from hub.stats.repository import StatsRepository
from hub.stats.schemas import (
    Completeness,
    CompletenessRow,
    Preview,
    PreviewCell,
    PublicationPreview,
    PublicationSummary,
    Series,
    SeriesPoint,
    StatsTable,
)
from hub.stats.served import pattern_cells
from hub.stats.tables import (
    Cells,
    indicator_info,
    needs,
    pattern_codes,
    read_cells,
    table_builder,
)
from hub.stats.tables import clear_caches as clear_table_caches
from hub.stats.tables import gather as gather

# The revisions a table is computed from, the publication that froze them (None: live
# figures) and the disclosure rules applied.
Figures = tuple[Mapping[int, IndicatorReport], Publication | None, Rules]


def disclosure_rules(settings: Settings) -> Rules:
    return Rules(
        min_contributors=settings.disclosure_min_contributors,
        dominance_share=settings.disclosure_dominance_share,
        small_count_max=settings.disclosure_small_count_max,
        protection=settings.disclosure_protection,
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
    offered = table_dims(indicator)
    refused = [d for d in dims if d not in offered]
    if refused:
        allowed = ", ".join(offered) or "aucune"
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


STORED_TABLE_CACHE_SIZE = 2048
stored_table_cache: dict[tuple[Any, ...], StatsTable] = {}
"""Tables served from stored patterns, by publication and request (never stale: a
publication is frozen). Callers get a shared object: they must not change it."""


def clear_caches() -> None:
    """Forget every table kept in this process (they are recomputed on demand)."""
    clear_table_caches()
    stored_table_cache.clear()
    published_answers.clear()


class StatsService:
    # -- publications -------------------------------------------------------------------------

    @staticmethod
    def published_semesters(session: Session) -> list[str]:
        return StatsRepository(session).published_semesters()

    @staticmethod
    def latest_publication(session: Session, period: str) -> Publication | None:
        return StatsRepository(session).latest_publication(period)

    @staticmethod
    def publications(session: Session, periods: Sequence[str]) -> dict[str, Publication]:
        """The latest publication of each of ``periods`` that has one."""
        return StatsRepository(session).publications(periods)

    # -- sources ------------------------------------------------------------------------------

    @staticmethod
    def _check_draft(*, draft: bool, staff: bool) -> None:
        if draft and not staff:
            raise Forbidden(
                "Les chiffres provisoires sont réservés à l'équipe de la fédération : "
                "demandez les chiffres publiés.",
                errors=[ErrorItem("query.draft", "réservé à l'équipe de la fédération")],
            )

    @staticmethod
    def _source(
        repository: StatsRepository,
        period: Period,
        publication: Publication | None,
        *,
        draft: bool,
        settings: Settings,
    ) -> Figures | None:
        """The revisions and rules of the live figures, or of ``publication`` (None if the
        period is not published)."""
        if draft:
            return repository.current_reports(str(period)), None, disclosure_rules(settings)
        if publication is None or publication.id is None:
            return None
        return repository.published_reports(publication.id), publication, Rules(**publication.rules)

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
        self._check_draft(draft=draft, staff=staff)
        repository = StatsRepository(session)
        publication = None if draft else repository.latest_publication(str(period))
        if publication is None and not draft:
            raise NotFound(
                f"La période {period} n'est pas encore publiée : ses chiffres seront "
                "disponibles quand l'équipe de la fédération l'aura publiée."
            )
        if publication is not None and publication.id is not None:
            stored = self._stored_tables(repository, period, publication, parsed)
            if stored is not None:
                return stored
        if any("region" in by for _, by in parsed):
            raise ValidationFailed(
                "La ventilation par région n'existe que pour les semestres publiés : choisissez "
                "les départements, ou un semestre publié.",
                errors=[ErrorItem("query.by", "région : semestres publiés seulement")],
            )
        source = self._source(repository, period, publication, draft=draft, settings=settings)
        assert source is not None
        reports, publication, rules = source
        # One table alone reads its cells only if it is not kept already.
        cells: Cells | None = None
        if len(parsed) > 1:
            wanted = [need for indicator, by in parsed for need in needs(indicator, by)]
            cells = read_cells(session, reports, wanted)
        return [
            table_builder.table(
                session, indicator, by, period, reports, publication, rules, cells=cells
            )
            for indicator, by in parsed
        ]

    @staticmethod
    def _stored_tables(
        repository: StatsRepository,
        period: Period,
        publication: Publication,
        parsed: Sequence[tuple[Indicator, tuple[str, ...]]],
    ) -> list[StatsTable] | None:
        """The tables read from the publication's stored patterns; ``None`` for a
        publication made before patterns were stored (its tables are computed as then)."""
        assert publication.id is not None
        # A publication never changes: its tables are kept, keyed by the whole publication
        # (an id handed out again after a rollback is another publication).
        identity = (
            publication.id,
            publication.period,
            publication.number,
            publication.published_at,
        )
        keys = [(*identity, indicator.code, by) for indicator, by in parsed]
        kept = [stored_table_cache.get(key) for key in keys]
        if all(table is not None for table in kept):
            return [table for table in kept if table is not None]
        codes = {code for indicator, _ in parsed for code in pattern_codes(indicator)}
        patterns = repository.patterns(publication.id, codes)
        if not patterns and not repository.has_patterns(publication.id):
            return None
        rules = Rules(**publication.rules)
        tables = [
            table_builder.from_patterns(indicator, by, period, publication, patterns, rules)
            for indicator, by in parsed
        ]
        if len(stored_table_cache) + len(keys) > STORED_TABLE_CACHE_SIZE:
            stored_table_cache.clear()
        stored_table_cache.update(zip(keys, tables, strict=True))
        return tables

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
                "Intervalle de périodes invalide : « to » doit être de même nature que « from » "
                "(deux semestres ou deux années) et ne pas le précéder.",
                errors=[ErrorItem("query.to", "même nature que « from » et postérieure")],
            )
        periods = [start]
        while periods[-1] < end and len(periods) < 40:
            periods.append(periods[-1].following())
        self._check_draft(draft=draft, staff=staff)
        repository = StatsRepository(session)
        published = {} if draft else repository.publications([str(p) for p in periods])
        points = []
        for period in periods:
            publication = published.get(str(period))
            if publication is not None and publication.id is not None:
                stored = self._stored_tables(repository, period, publication, [(indicator, by)])
                if stored is not None:
                    points.append(SeriesPoint(period=str(period), table=stored[0]))
                    continue
            source = self._source(repository, period, publication, draft=draft, settings=settings)
            if source is None or "region" in by:
                points.append(SeriesPoint(period=str(period), table=None))
                continue
            reports, publication, rules = source
            table = table_builder.table(session, indicator, by, period, reports, publication, rules)
            points.append(SeriesPoint(period=str(period), table=table))
        return Series(indicator=indicator_info(indicator), by=list(by), points=points)

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
            provisional=bool(publication and publication.provisional),
            provisional_label=(
                provisional_label(period, publication.published_at)
                if publication is not None and publication.provisional
                else None
            ),
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
                "L'aperçu ne porte que sur les indicateurs que les CAE déclarent : "
                "choisissez-en un autre.",
                errors=[ErrorItem("query.indicator", "indicateur calculé par le hub")],
            )
        by = parse_by(by_text, indicator)
        period = parse_period(period_text, where="query.period")
        assert member.id is not None
        reports = StatsRepository(session).current_reports(str(period))
        if member.id not in reports:
            raise NotFound(
                f"Vous n'avez pas encore envoyé de rapport pour {period} : envoyez-le pour voir "
                "ce que la fédération en publiera."
            )
        rules = disclosure_rules(settings)
        pattern = publishing.prospective_patterns(
            session, period=str(period), settings=settings
        ).get(indicator.code)
        own = own_contributions(session, reports[member.id], indicator, pattern)
        cells = []
        for cell in pattern_cells(pattern, indicator, by) if pattern is not None else []:
            mine = own.get(cell_id(cell.dims.items()))
            if mine is None:
                continue
            cells.append(
                PreviewCell(
                    dims=cell.dims,
                    margin=cell.margin,
                    own_value=mine,
                    shown=cell.suppressed is None,
                    suppressed=cell.suppressed,
                    reason=reason_label(cell.suppressed, rules) if cell.suppressed else None,
                )
            )
        return Preview(
            period=str(period),
            indicator=indicator_info(indicator),
            by=list(by),
            legend={reason.value: reason_label(reason, rules) for reason in Reason},
            cells=cells,
        )

    def publish(
        self,
        session: Session,
        *,
        period_text: str,
        staff: StaffAccount,
        settings: Settings,
        keep_earlier: bool = True,
        provisional: bool = False,
    ) -> PublicationSummary:
        summary = publishing.publish(
            session,
            period=str(parse_period(period_text)),
            staff=staff,
            settings=settings,
            keep_earlier=keep_earlier,
            provisional=provisional,
        )
        published_answers.expire()  # the next request of this process looks for it
        return summary

    def publication_preview(
        self, session: Session, *, period_text: str, settings: Settings, keep_earlier: bool = True
    ) -> PublicationPreview:
        return publishing.publication_preview(
            session,
            period=str(parse_period(period_text, where="path.period")),
            settings=settings,
            keep_earlier=keep_earlier,
        )


stats_service = StatsService()
