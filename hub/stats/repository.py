"""Every query of the stats domain."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import func
from sqlalchemy import select as select_rows
from sqlmodel import Session, col, select

from hub.indicators.models import IndicatorCell, IndicatorReport
from hub.indicators.repository import DIM_COLUMNS
from hub.members.models import Member
from hub.stats.models import Publication, PublicationPattern, PublicationReport

CellRow = tuple[int, str, dict[str, str], int]
"""member id, dimension set, dimension values, value in hundredths."""
RevisionCell = tuple[str, int, str, dict[str, str], int]
"""indicator, revision (report) id, dimension set, dimension values, value in hundredths."""


class StatsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def current_reports(self, period: str) -> dict[int, IndicatorReport]:
        """Each member's current revision for ``period``, by member id."""
        query = select(IndicatorReport).where(
            IndicatorReport.period == period, col(IndicatorReport.is_current).is_(True)
        )
        return {r.member_id: r for r in self.session.exec(query).all()}

    def published_reports(self, publication_id: int) -> dict[int, IndicatorReport]:
        query = (
            select(IndicatorReport)
            .join(PublicationReport, col(PublicationReport.report_id) == IndicatorReport.id)
            .where(PublicationReport.publication_id == publication_id)
        )
        return {r.member_id: r for r in self.session.exec(query).all()}

    def latest_publication(self, period: str) -> Publication | None:
        query = (
            select(Publication)
            .where(Publication.period == period)
            .order_by(col(Publication.number).desc())
        )
        return self.session.exec(query).first()

    def latest_publication_identity(self, period: str) -> tuple[Any, ...] | None:
        """What identifies the latest publication of ``period`` (id, period, number, date),
        without its rules: a publication never changes, so this names its tables."""
        query = (
            select_rows(
                col(Publication.id),
                col(Publication.period),
                col(Publication.number),
                col(Publication.published_at),
            )
            .where(col(Publication.period) == period)
            .order_by(col(Publication.number).desc())
            .limit(1)
        )
        row = self.session.execute(query).first()
        return tuple(row) if row is not None else None

    def publication_stamp(self) -> tuple[Any, ...]:
        """What moves whenever a publication is added or removed, in any period."""
        query = select_rows(
            func.count(), func.max(col(Publication.id)), func.max(col(Publication.published_at))
        ).select_from(Publication)
        return tuple(self.session.execute(query).one())

    def published_semesters(self) -> list[str]:
        query = (
            select_rows(col(Publication.period))
            .where(col(Publication.period).like("%-S_"))
            .distinct()
        )
        return sorted(str(p) for p in self.session.execute(query).scalars().all())

    def publications(self, periods: Sequence[str]) -> dict[str, Publication]:
        """The latest publication of each of ``periods`` that has one."""
        query = (
            select(Publication)
            .where(col(Publication.period).in_(list(periods)))
            .order_by(col(Publication.number))
        )
        return {p.period: p for p in self.session.exec(query).all()}

    def add_publication(self, publication: Publication, report_ids: Sequence[int]) -> Publication:
        self.session.add(publication)
        self.session.flush()
        assert publication.id is not None
        for report_id in report_ids:
            self.session.add(PublicationReport(publication_id=publication.id, report_id=report_id))
        self.session.flush()
        return publication

    def cells(self, report_ids: Sequence[int], indicator: str) -> list[CellRow]:
        """Every cell of ``indicator`` in these revisions."""
        return self.cells_of(report_ids, {indicator: None}).get(indicator, [])

    def cells_of(
        self, report_ids: Sequence[int], wanted: Mapping[str, Collection[str] | None]
    ) -> dict[str, list[CellRow]]:
        """The cells of several indicators in one query: for each indicator, those of the
        breakdowns (``dim_set``) it maps to, or all of them when it maps to None."""
        wanted = {name: sets for name, sets in wanted.items() if sets is None or sets}
        if not report_ids or not wanted:
            return {}
        columns: list[Any] = [
            IndicatorCell.indicator,
            IndicatorReport.member_id,
            IndicatorCell.dim_set,
            *(getattr(IndicatorCell, name) for name in DIM_COLUMNS),
            IndicatorCell.value_centi,
        ]
        query = (
            select_rows(*columns)
            .join(IndicatorReport, col(IndicatorCell.report_id) == IndicatorReport.id)
            .where(
                col(IndicatorCell.report_id).in_(list(report_ids)),
                col(IndicatorCell.indicator).in_(sorted(wanted)),
            )
        )
        if None not in wanted.values():
            every = set().union(*(s for s in wanted.values() if s is not None))
            query = query.where(col(IndicatorCell.dim_set).in_(sorted(every)))
        found: dict[str, list[CellRow]] = {name: [] for name in wanted}
        for indicator, member_id, dim_set, *dims, value in self.session.execute(query).all():
            allowed = wanted[indicator]
            if allowed is not None and dim_set not in allowed:
                continue
            values = dict(zip(DIM_COLUMNS, dims, strict=True))
            names = [n for n in dim_set.split(",") if n]
            found[indicator].append(
                (int(member_id), dim_set, {n: str(values[n]) for n in names}, int(value))
            )
        return found

    def active_members(self) -> Sequence[Member]:
        query = select(Member).where(col(Member.active).is_(True)).order_by(col(Member.name))
        return self.session.exec(query).all()

    def revision_counts(self, period: str) -> dict[int, int]:
        query = (
            select_rows(col(IndicatorReport.member_id), func.count())
            .where(col(IndicatorReport.period) == period)
            .group_by(col(IndicatorReport.member_id))
        )
        return {int(m): int(n) for m, n in self.session.execute(query).all()}

    def first_received(self, period: str) -> dict[int, Any]:
        query = (
            select_rows(col(IndicatorReport.member_id), func.min(col(IndicatorReport.received_at)))
            .where(col(IndicatorReport.period) == period)
            .group_by(col(IndicatorReport.member_id))
        )
        return {int(m): when for m, when in self.session.execute(query).all()}

    # -- stored patterns ------------------------------------------------------------------------

    def period_publications(self, period: str) -> list[Publication]:
        """Every publication of ``period``, oldest first."""
        query = (
            select(Publication)
            .where(Publication.period == period)
            .order_by(col(Publication.number))
        )
        return list(self.session.exec(query).all())

    def patterns(
        self, publication_id: int, indicators: Collection[str] | None = None
    ) -> dict[str, PublicationPattern]:
        """The stored patterns of a publication, by indicator (all, or ``indicators``)."""
        query = select(PublicationPattern).where(
            PublicationPattern.publication_id == publication_id
        )
        if indicators is not None:
            query = query.where(col(PublicationPattern.indicator).in_(sorted(indicators)))
        return {p.indicator: p for p in self.session.exec(query).all()}

    def has_patterns(self, publication_id: int) -> bool:
        query = (
            select(PublicationPattern.id)
            .where(PublicationPattern.publication_id == publication_id)
            .limit(1)
        )
        return self.session.exec(query).first() is not None

    def add_patterns(self, patterns: Sequence[PublicationPattern]) -> None:
        for pattern in patterns:
            self.session.add(pattern)
        self.session.flush()

    def revision_cells(self, report_ids: Sequence[int]) -> list[RevisionCell]:
        """Every cell of these revisions, each with its revision id."""
        if not report_ids:
            return []
        columns: list[Any] = [
            IndicatorCell.indicator,
            IndicatorCell.report_id,
            IndicatorCell.dim_set,
            *(getattr(IndicatorCell, name) for name in DIM_COLUMNS),
            IndicatorCell.value_centi,
        ]
        query = select_rows(*columns).where(col(IndicatorCell.report_id).in_(list(report_ids)))
        found: list[RevisionCell] = []
        for indicator, report_id, dim_set, *dims, value in self.session.execute(query).all():
            values = dict(zip(DIM_COLUMNS, dims, strict=True))
            names = [n for n in dim_set.split(",") if n]
            found.append(
                (
                    str(indicator),
                    int(report_id),
                    dim_set,
                    {n: str(values[n]) for n in names},
                    int(value),
                )
            )
        return found
