"""The overview of a semester: headline figures, their change and their trend.

Every figure is a cell of a table of :data:`hub.web.dashboard.dashboard_service`, hence of the
stats service: a suppressed figure comes without its value.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from cae_contract.format import is_running
from cae_contract.periods import Period
from hub.config import Settings
from hub.members.service import Principal
from hub.stats.disclosure import Reason
from hub.stats.models import Publication
from hub.stats.provisional import provisional_label
from hub.stats.schemas import IndicatorInfo, StatsCell, StatsTable
from hub.stats.service import stats_service
from hub.web.dashboard import dashboard_service, semester_window

TREND_LENGTH = 6


@dataclass(frozen=True)
class Headline:
    """One figure of the overview: which cell of which table."""

    code: str
    label: str
    indicator: str
    by: str | None = None
    category: str | None = None
    sub: bool = False


HEADLINES = (
    Headline("entrepreneurs", "Entrepreneurs", "entrepreneurs"),
    Headline("cesa", "dont en CESA", "entrepreneurs", "contract", "cesa", sub=True),
    Headline("cape", "dont en CAPE", "entrepreneurs", "contract", "cape", sub=True),
    Headline("associates", "Entrepreneurs-associés", "associates"),
    Headline("associate_rate", "Taux d'associés", "associate_rate"),
    Headline("entries", "Entrées", "entries"),
    Headline("exits", "Sorties", "exits"),
    Headline("revenue_eur", "Chiffre d'affaires HT", "revenue_eur"),
    Headline("support_staff_fte", "Équipe d'appui (ETP)", "support_staff_fte"),
)


@dataclass(frozen=True)
class FigureValue:
    indicator: IndicatorInfo
    value: float | None
    suppressed: Reason | None
    legend: str | None


@dataclass(frozen=True)
class SourceInfo:
    period: str
    status: str  # "published", "draft" or "none"
    publication: int | None = None
    published_at: datetime | None = None
    members_included: int = 0
    provisional_label: str | None = None
    """Set when the publication is provisional (published before the period ended)."""


@dataclass
class Figure:
    headline: Headline
    current: FigureValue | None
    previous: FigureValue | None
    trend: list[tuple[str, float | None]] = field(default_factory=list)

    @property
    def change(self) -> float | None:
        if self.current is None or self.previous is None:
            return None
        if self.current.value is None or self.previous.value is None:
            return None
        return self.current.value - self.previous.value


@dataclass
class Overview:
    period: str
    source: SourceInfo
    previous_period: str
    figures: list[Figure]
    trend_periods: list[str]
    running: bool = False
    """The semester has not ended: its figures are partial."""


def _cell(table: StatsTable, by: str | None, category: str | None) -> StatsCell | None:
    for cell in table.cells:
        if by is None and not cell.dims:
            return cell
        if by is not None and cell.dims.get(by) == category:
            return cell
    return None


class OverviewService:
    def _figures(
        self,
        session: Session,
        principal: Principal,
        settings: Settings,
        period: str,
        publication: Publication | None,
    ) -> tuple[dict[str, FigureValue], int]:
        """The headline figures of ``period`` and how many CAE they were computed from."""
        specs = list(dict.fromkeys((h.indicator, h.by) for h in HEADLINES))
        found = dashboard_service.period_tables(
            session,
            principal,
            settings,
            period=period,
            publication=publication,
            specs=[(indicator, (by,) if by else ()) for indicator, by in specs],
        )
        tables = dict(zip(specs, found, strict=True))
        values: dict[str, FigureValue] = {}
        for headline in HEADLINES:
            table = tables[(headline.indicator, headline.by)]
            cell = _cell(table, headline.by, headline.category)
            suppressed = cell.suppressed if cell is not None else None
            values[headline.code] = FigureValue(
                indicator=table.indicator,
                value=cell.value if cell is not None else None,
                suppressed=suppressed,
                legend=table.legend.get(suppressed.value) if suppressed else None,
            )
        return values, tables[("entrepreneurs", None)].source.members_included

    def overview(
        self, session: Session, principal: Principal, settings: Settings, period: Period
    ) -> Overview:
        window = semester_window(period, TREND_LENGTH)
        published = stats_service.publications(session, [str(p) for p in window])
        by_period: dict[str, dict[str, FigureValue]] = {}
        source = SourceInfo(period=str(period), status="none")
        for p in window:
            publication = published.get(str(p))
            if publication is not None:
                by_period[str(p)], _ = self._figures(
                    session, principal, settings, str(p), publication
                )
                if p == period:
                    source = SourceInfo(
                        period=str(p),
                        status="published",
                        publication=publication.number,
                        published_at=publication.published_at,
                        members_included=publication.report_count,
                        provisional_label=(
                            provisional_label(publication.period, publication.published_at)
                            if publication.provisional
                            else None
                        ),
                    )
            elif p == period and principal.staff is not None:
                values, reach = self._figures(session, principal, settings, str(p), None)
                if reach == 0:
                    continue  # nothing reported yet: the page says so
                by_period[str(p)] = values
                source = SourceInfo(period=str(p), status="draft", members_included=reach)
        previous = str(period.previous())
        figures = []
        for headline in HEADLINES:
            current = by_period.get(str(period), {}).get(headline.code)
            before = by_period.get(previous, {}).get(headline.code)
            # Only semesters with figures: a gap in the line must mean a suppressed value.
            trend = [
                (str(p), (by_period[str(p)].get(headline.code) or _EMPTY).value)
                for p in window
                if str(p) in by_period
            ]
            figures.append(Figure(headline, current, before, trend))
        return Overview(
            period=str(period),
            source=source,
            previous_period=previous,
            figures=figures,
            trend_periods=[str(p) for p in window if str(p) in by_period],
            running=is_running(period),
        )


_EMPTY = FigureValue(
    indicator=IndicatorInfo(code="", label="", kind="persons", unit=""),
    value=None,
    suppressed=None,
    legend=None,
)


overview_service = OverviewService()
