"""What the pages show, built from the stats service: periods on offer, the explorer's
tables and series, a member's preview.

Figures come from :data:`hub.stats.service.stats_service` only, so disclosure control is the
service's and nowhere else. Staff see live figures (marked provisional) for a semester not
published yet; members see published figures only (DESIGN.md, section 9).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import astuple
from typing import Any, Literal

from sqlmodel import Session

from cae_contract.catalogue import (
    DERIVED_DIMENSION_LISTS,
    DIMENSION_LISTS,
    Indicator,
    get_catalogue,
)
from cae_contract.format import fr_period
from cae_contract.periods import Period, today
from cae_contract.problems import ErrorItem
from hub.config import Settings
from hub.errors import NotFound, ValidationFailed
from hub.indicators.service import parse_period, report_service
from hub.members.models import Member
from hub.members.service import Principal
from hub.stats.exports import ExportFormat
from hub.stats.models import Publication
from hub.stats.patterns import table_dims
from hub.stats.schemas import Preview, StatsTable
from hub.stats.service import clear_caches as clear_stats_caches
from hub.stats.service import disclosure_rules, parse_by, parse_indicator, stats_service
from hub.web.tables import dimension_phrase

EXPLORER_TREND_LENGTH = 8
MAX_TREND_LENGTH = 40
_CACHE_SIZE = 256
_table_cache: dict[tuple[Any, ...], StatsTable] = {}
_preview_cache: dict[tuple[Any, ...], Preview] = {}


def semester_window(period: Period, length: int) -> list[Period]:
    periods = [period]
    while len(periods) < length:
        periods.insert(0, periods[0].previous())
    return periods


def semester_range(start: Period, end: Period) -> list[Period]:
    """The semesters from ``start`` to ``end``, or a 400 naming ``query.depuis``."""
    if start > end:
        raise ValidationFailed(
            f"Le semestre de début ({fr_period(str(start))}) est postérieur au semestre de "
            f"fin ({fr_period(str(end))}).",
            errors=[ErrorItem("query.depuis", "semestre antérieur ou égal à la fin attendu")],
        )
    periods = [start]
    while periods[-1] < end:
        if len(periods) >= MAX_TREND_LENGTH:
            raise ValidationFailed(
                f"L'évolution couvre au plus {MAX_TREND_LENGTH} semestres.",
                errors=[ErrorItem("query.depuis", f"au plus {MAX_TREND_LENGTH} semestres")],
            )
        periods.append(periods[-1].following())
    return periods


def last_closed_semester() -> Period:
    return Period.last_closed_semester(today())


VIEWS = ("tableau", "evolution")
EXPORT_FORMATS: dict[str, ExportFormat] = {
    "csv": "csv",
    "xlsx": "xlsx",
    "datapackage": "datapackage",
}
SEPARATORS: dict[str, Literal[",", ";"]] = {"virgule": ",", "point-virgule": ";"}


class DashboardService:
    # -- choices of the pages -----------------------------------------------------------------

    @staticmethod
    def check_view(view: str) -> None:
        if view not in VIEWS:
            raise ValidationFailed(
                "Vue inconnue : choisissez « tableau » ou « evolution ».",
                errors=[ErrorItem("query.vue", "tableau ou evolution")],
            )

    @staticmethod
    def export_format(name: str) -> ExportFormat:
        if name not in EXPORT_FORMATS:
            raise ValidationFailed(
                "Format d'export inconnu : csv, xlsx ou datapackage.",
                errors=[ErrorItem("query.format", "csv, xlsx ou datapackage")],
            )
        return EXPORT_FORMATS[name]

    @staticmethod
    def separator(name: str) -> Literal[",", ";"]:
        if name not in SEPARATORS:
            raise ValidationFailed(
                "Séparateur inconnu : virgule ou point-virgule.",
                errors=[ErrorItem("query.separateur", "virgule ou point-virgule")],
            )
        return SEPARATORS[name]

    # -- periods ------------------------------------------------------------------------------

    def periods(self, session: Session, principal: Principal) -> list[str]:
        """The semesters the caller can choose from, latest first."""
        published = set(stats_service.published_semesters(session))
        if principal.staff is not None:
            published |= set(report_service.reported_semesters(session))
        return sorted(published, reverse=True)

    def reported_periods(self, session: Session, member: Member) -> list[str]:
        """The semesters ``member`` has reported, latest first."""
        assert member.id is not None
        return sorted(report_service.reported_semesters(session, member_id=member.id), reverse=True)

    def default_period(self, session: Session, principal: Principal) -> Period:
        return self.chosen_semester(None, self.periods(session, principal))

    def chosen_semester(self, text: str | None, offered: Sequence[str]) -> Period:
        """The semester asked for, else the latest closed one of ``offered`` (latest first),
        else the last closed one: a semester still running is only shown when asked for."""
        if text:
            return self.parse_semester(text)
        closed = last_closed_semester()
        return next((p for p in map(Period.parse, offered) if p <= closed), closed)

    def parse_semester(self, text: str | None, *, where: str = "query.periode") -> Period:
        period = parse_period((text or "").strip(), where=where)
        if not period.is_semester:
            raise ValidationFailed(
                "Choisissez un semestre (2025-S1 ou 2025-S2).",
                errors=[ErrorItem(where, "semestre attendu")],
            )
        return period

    # -- tables -------------------------------------------------------------------------------

    def table(
        self,
        session: Session,
        principal: Principal,
        settings: Settings,
        *,
        indicator: str,
        period: str,
        by: Sequence[str] = (),
    ) -> StatsTable:
        """The published table; for staff, live figures when the period is not published."""
        [table] = self.tables(session, principal, settings, period=period, specs=[(indicator, by)])
        return table

    def tables(
        self,
        session: Session,
        principal: Principal,
        settings: Settings,
        *,
        period: str,
        specs: Sequence[tuple[str, Sequence[str]]],
    ) -> list[StatsTable]:
        """Tables of one period, by (indicator, breakdowns); missing ones computed together."""
        text = str(parse_period(period, where="query.periode"))
        publication = stats_service.latest_publication(session, text)
        return self.period_tables(
            session, principal, settings, period=text, publication=publication, specs=specs
        )

    def period_tables(
        self,
        session: Session,
        principal: Principal,
        settings: Settings,
        *,
        period: str,
        publication: Publication | None,
        specs: Sequence[tuple[str, Sequence[str]]],
    ) -> list[StatsTable]:
        """:meth:`tables`, for a caller that already read the period's latest ``publication``.

        Tables are kept per publication (they never change) and, for live figures, per set
        of current report revisions (a new revision always has a new id and a later time).
        """
        staff = principal.staff is not None
        checked = [(indicator, self.check_query(indicator, by)[1]) for indicator, by in specs]
        text = period
        base: tuple[Any, ...]
        if publication is not None:
            # An id alone is not enough: a rolled-back publication's id can be handed out again.
            base = ("published", publication.id, text, publication.number)
            base += (publication.published_at.isoformat(),)
        elif staff:
            rules = astuple(disclosure_rules(settings))
            base = ("draft", text, report_service.fingerprint(session, text), rules)
        else:
            raise NotFound(f"Les statistiques du {fr_period(text)} ne sont pas encore publiées.")
        keys = [(*base, indicator, dims) for indicator, dims in checked]
        missing = [i for i, key in enumerate(keys) if key not in _table_cache]
        if missing:
            computed = stats_service.tables(
                session,
                specs=[(checked[i][0], ",".join(checked[i][1]) or None) for i in missing],
                period_text=text,
                draft=publication is None,
                staff=staff,
                settings=settings,
            )
            fresh = dict(zip(missing, computed, strict=True))
            for i, table in fresh.items():
                if publication is None or table.source.publication == publication.number:
                    if len(_table_cache) >= _CACHE_SIZE:
                        _table_cache.clear()
                    _table_cache[keys[i]] = table
        else:
            fresh = {}
        return [fresh[i] if i in fresh else _table_cache[key] for i, key in enumerate(keys)]

    def preview(
        self,
        session: Session,
        member: Member,
        settings: Settings,
        *,
        indicator: str,
        period: str,
        by: Sequence[str] = (),
    ) -> Preview:
        """The member's preview, kept until one of the period's current revisions changes."""
        _, dims = self.check_query(indicator, by)
        text = str(parse_period(period, where="query.periode"))
        rules = astuple(disclosure_rules(settings))
        fingerprint = report_service.fingerprint(session, text)
        key = ("preview", member.id, text, fingerprint, rules, indicator, dims)
        cached = _preview_cache.get(key)
        if cached is None:
            cached = stats_service.preview(
                session,
                member=member,
                indicator_code=indicator,
                period_text=text,
                by_text=",".join(dims) or None,
                settings=settings,
            )
            if len(_preview_cache) >= _CACHE_SIZE:
                _preview_cache.clear()
            _preview_cache[key] = cached
        return cached

    def check_query(self, indicator: str, by: Sequence[str]) -> tuple[Indicator, tuple[str, ...]]:
        """The indicator and breakdowns asked for, or a 422 naming the field (French)."""
        found = parse_indicator(indicator)
        offered = table_dims(found)
        refused = [d for d in by if d not in offered]
        if refused:
            # People read the dimensions' titles, not their codes.
            asked = ", ".join(_dimension_name(d) for d in dict.fromkeys(refused))
            allowed = ", ".join(_dimension_name(d) for d in offered) or "aucune"
            detail = (
                f"Ventilation non disponible pour « {found.label} » : {asked} "
                f"(possibles : {allowed})."
            )
            raise ValidationFailed(detail, errors=[ErrorItem("query.par", detail)])
        try:
            dims = parse_by(",".join(by), found)
        except ValidationFailed as exc:
            raise ValidationFailed(
                exc.detail, errors=[ErrorItem("query.par", exc.detail)]
            ) from None
        return found, dims

    def trend(
        self,
        session: Session,
        principal: Principal,
        settings: Settings,
        *,
        indicator: str,
        period: Period,
        by: Sequence[str] = (),
        length: int = EXPLORER_TREND_LENGTH,
        start: Period | None = None,
    ) -> list[tuple[str, StatsTable | None]]:
        """The table of each semester from ``start`` (else ``length`` semesters back) up to
        ``period``: None where nothing can be shown."""
        window = semester_range(start, period) if start is not None else None
        window = window or semester_window(period, length)
        published = stats_service.publications(session, [str(p) for p in window])
        points: list[tuple[str, StatsTable | None]] = []
        for p in window:
            publication = published.get(str(p))
            if publication is not None or (principal.staff is not None and p == period):
                [table] = self.period_tables(
                    session,
                    principal,
                    settings,
                    period=str(p),
                    publication=publication,
                    specs=[(indicator, by)],
                )
                points.append((str(p), table))
            else:
                points.append((str(p), None))
        while len(points) > 1 and points[0][1] is None:
            points.pop(0)  # semesters before the first publication
        return points


def _dimension_name(dim: str) -> str:
    known = dim in DIMENSION_LISTS or dim in DERIVED_DIMENSION_LISTS
    return dimension_phrase(dim) if known else f"« {dim[:40]} » (inconnue)"


def catalogue_choices() -> list[Indicator]:
    """Indicators offered by the explorer, declared ones first, then derived ones."""
    indicators = list(get_catalogue().indicators.values())
    return [i for i in indicators if not i.derived] + [i for i in indicators if i.derived]


dashboard_service = DashboardService()


def clear_caches() -> None:
    """Forget every kept table (tests that roll their database back call this)."""
    _table_cache.clear()
    _preview_cache.clear()
    clear_stats_caches()
