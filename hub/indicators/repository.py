"""Every query of the indicators domain."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from functools import lru_cache
from itertools import chain
from typing import Any

from sqlalchemy import func, text, update
from sqlalchemy import select as select_rows
from sqlmodel import Session, col, select

from cae_contract.consistency import DimItems
from hub.indicators.models import IndicatorCell, IndicatorReport, ReportReminder
from hub.members.models import Member
from hub.stats.models import Publication

LOCK_WAIT_S = 20
DIM_COLUMNS = ("contract", "trade", "sex", "age_band", "departement", "exit_reason")


_CELL_COLUMNS = ("report_id", "indicator", "dim_set", *DIM_COLUMNS, "value_centi")
_COPY_CELLS = f"COPY indicator_cell ({', '.join(_CELL_COLUMNS)}) FROM STDIN"
CELLS_PER_STATEMENT = 500
"""Rows per multi-row INSERT: 5,500 parameters, under SQLite's 32,766 and PostgreSQL's 65,535."""


@lru_cache(maxsize=8)
def _insert_cells(mark: str, rows: int) -> str:
    """``INSERT INTO indicator_cell (…) VALUES (…), (…)…`` for ``rows`` rows.

    Fixed column names and placeholders only: no value is ever formatted into the statement.
    One statement for hundreds of rows costs the database about two thirds of as many
    single-row executions (``executemany``): the statement is stepped once, not per row.

    ``mark`` ``"?"`` (SQLite) numbers the placeholders: every row's ``report_id`` is the
    same first parameter ``?1``, then each row's values follow (``?2`` …), so that the
    parameters are the report's id and the rows laid end to end, with no tuple built per
    row. Otherwise (``"%s"``), one placeholder per value of every row.
    """
    width = len(_CELL_COLUMNS)
    if mark == "?":
        values = ", ".join(
            "(?1, "
            + ", ".join(f"?{2 + (width - 1) * row + column}" for column in range(width - 1))
            + ")"
            for row in range(rows)
        )
    else:
        values = ", ".join([f"({', '.join([mark] * width)})"] * rows)
    return f"INSERT INTO indicator_cell ({', '.join(_CELL_COLUMNS)}) VALUES {values}"  # noqa: S608


class ReportRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def current(self, member_id: int, period: str) -> IndicatorReport | None:
        query = select(IndicatorReport).where(
            IndicatorReport.member_id == member_id,
            IndicatorReport.period == period,
            col(IndicatorReport.is_current).is_(True),
        )
        return self.session.exec(query).first()

    def held(self, member_id: int) -> Sequence[Any]:
        """The current revision of each period of the member, without cells: one query."""
        columns: list[Any] = [
            IndicatorReport.period,
            IndicatorReport.revision,
            IndicatorReport.content_hash,
            IndicatorReport.cell_count,
            IndicatorReport.breakdowns,
            IndicatorReport.received_at,
            IndicatorReport.last_received_at,
        ]
        query = (
            select_rows(*columns)
            .where(
                col(IndicatorReport.member_id) == member_id,
                col(IndicatorReport.is_current).is_(True),
            )
            .order_by(col(IndicatorReport.period))
        )
        return self.session.execute(query).all()

    def revisions(self, member_id: int, period: str) -> Sequence[IndicatorReport]:
        query = (
            select(IndicatorReport)
            .where(IndicatorReport.member_id == member_id, IndicatorReport.period == period)
            .order_by(col(IndicatorReport.revision))
        )
        return self.session.exec(query).all()

    def revision(self, member_id: int, period: str, number: int) -> IndicatorReport | None:
        query = select(IndicatorReport).where(
            IndicatorReport.member_id == member_id,
            IndicatorReport.period == period,
            IndicatorReport.revision == number,
        )
        return self.session.exec(query).first()

    def by_idempotency_key(self, member_id: int, key: str) -> IndicatorReport | None:
        query = select(IndicatorReport).where(
            IndicatorReport.member_id == member_id, IndicatorReport.idempotency_key == key
        )
        return self.session.exec(query).first()

    def lock(self, member_id: int, period: str, *, wait_s: int = LOCK_WAIT_S) -> None:
        """Serialise the writers of one member's period until the transaction ends.

        PostgreSQL: a transaction-level advisory lock, waited for at most ``wait_s`` (then
        ``LockNotAvailable``). SQLite: writing transactions already run one at a time.
        """
        if self.session.get_bind().dialect.name != "postgresql":
            return
        digest = hashlib.blake2b(f"indicator-report|{member_id}|{period}".encode(), digest_size=8)
        key = int.from_bytes(digest.digest(), "big", signed=True)
        self.session.execute(text(f"SET LOCAL lock_timeout = '{int(wait_s)}s'"))
        self.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})

    def save(self, report: IndicatorReport) -> IndicatorReport:
        self.session.add(report)
        self.session.flush()
        return report

    def add_revision(
        self, report: IndicatorReport, cells: Sequence[tuple[Any, ...]]
    ) -> IndicatorReport:
        """Store a new current revision and its cells in bulk; the previous stays in history."""
        self.session.execute(
            update(IndicatorReport)
            .where(
                col(IndicatorReport.member_id) == report.member_id,
                col(IndicatorReport.period) == report.period,
                col(IndicatorReport.is_current).is_(True),
            )
            .values(is_current=False)
        )
        self.save(report)
        if cells:
            # Straight to the driver: the rows are plain values that need neither the ORM nor
            # SQL compilation per row (several times faster for a large report).
            connection = self.session.connection()
            report_id = report.id
            if connection.dialect.name == "postgresql":
                # COPY: the rows streamed in PostgreSQL's copy format, in this transaction,
                # several times faster than INSERT statements.
                driver: Any = connection.connection.driver_connection  # psycopg's
                with driver.cursor() as cursor, cursor.copy(_COPY_CELLS) as copy:
                    write_row = copy.write_row
                    for cell in cells:
                        write_row((report_id, *cell))
                return report
            mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
            for start in range(0, len(cells), CELLS_PER_STATEMENT):
                chunk = cells[start : start + CELLS_PER_STATEMENT]
                if mark == "?":
                    values = (report_id, *chain.from_iterable(chunk))
                else:
                    values = tuple([value for cell in chunk for value in (report_id, *cell)])
                connection.exec_driver_sql(_insert_cells(mark, len(chunk)), values)
        return report

    def cells(self, report_id: int) -> Sequence[IndicatorCell]:
        query = (
            select(IndicatorCell)
            .where(IndicatorCell.report_id == report_id)
            .order_by(col(IndicatorCell.id))
        )
        return self.session.exec(query).all()

    def last_revision_number(self, member_id: int, period: str) -> int:
        query = select(func.max(IndicatorReport.revision)).where(
            IndicatorReport.member_id == member_id, IndicatorReport.period == period
        )
        return int(self.session.exec(query).one() or 0)

    def history(
        self, member_id: int, before: str, *, limit: int, indicators: Sequence[str] | None = None
    ) -> dict[tuple[str, DimItems], list[int]]:
        """Values of the member's totals and single breakdowns over its previous periods of
        the same nature (semesters or years), oldest first; of ``indicators`` only, when given
        (none: nothing is read)."""
        if indicators is not None and not indicators:
            return {}
        periods_query = (
            select(IndicatorReport.id, IndicatorReport.period)
            .where(
                IndicatorReport.member_id == member_id,
                col(IndicatorReport.is_current).is_(True),
                col(IndicatorReport.period) < before,
                func.length(IndicatorReport.period) == len(before),
            )
            .order_by(col(IndicatorReport.period).desc())
            .limit(limit)
        )
        reports = {rid: period for rid, period in self.session.exec(periods_query).all()}
        if not reports:
            return {}
        columns: list[Any] = [
            IndicatorCell.report_id,
            IndicatorCell.indicator,
            IndicatorCell.dim_set,
            *(getattr(IndicatorCell, name) for name in DIM_COLUMNS),
            IndicatorCell.value_centi,
        ]
        cells_query = select_rows(*columns).where(
            col(IndicatorCell.report_id).in_(list(reports)),
            ~col(IndicatorCell.dim_set).contains(","),
        )
        if indicators is not None:
            # Read through the (report_id, indicator) index, not every cell of the reports.
            cells_query = cells_query.where(col(IndicatorCell.indicator).in_(sorted(indicators)))
        series: dict[tuple[str, DimItems], list[tuple[str, int]]] = defaultdict(list)
        for row in self.session.execute(cells_query).all():
            report_id, indicator, dim_set, *dims, value = row
            values = dict(zip(DIM_COLUMNS, dims, strict=True))
            key = tuple((name, str(values[name])) for name in dim_set.split(",") if name)
            series[(indicator, key)].append((reports[report_id], int(value)))
        return {key: [v for _, v in sorted(points)] for key, points in series.items()}

    def touch(self, report: IndicatorReport, when: datetime) -> None:
        report.last_received_at = when
        self.save(report)

    # -- periods ------------------------------------------------------------------------------

    def reported_semesters(self, *, member_id: int | None = None) -> list[str]:
        """The semesters with a current revision (of ``member_id`` only, when given)."""
        query = (
            select_rows(col(IndicatorReport.period))
            .where(
                col(IndicatorReport.is_current).is_(True), col(IndicatorReport.period).like("%-S_")
            )
            .distinct()
        )
        if member_id is not None:
            query = query.where(col(IndicatorReport.member_id) == member_id)
        return sorted(str(p) for p in self.session.execute(query).scalars().all())

    def fingerprint(self, period: str) -> tuple[Any, ...]:
        """What identifies the set of current revisions of ``period``: revisions are never
        changed, and a new one has a greater id and a later reception time."""
        query = select_rows(
            func.count(),
            func.sum(col(IndicatorReport.id)),
            func.max(col(IndicatorReport.id)),
            func.max(col(IndicatorReport.received_at)),
        ).where(col(IndicatorReport.period) == period, col(IndicatorReport.is_current).is_(True))
        row = self.session.execute(query).one()
        return tuple(str(v) for v in row)

    def current_of_periods(
        self, member_id: int, periods: Sequence[str]
    ) -> dict[str, IndicatorReport]:
        """The current revision of each of ``periods`` that ``member_id`` has reported."""
        query = select(IndicatorReport).where(
            IndicatorReport.member_id == member_id,
            col(IndicatorReport.is_current).is_(True),
            col(IndicatorReport.period).in_(list(periods)),
        )
        return {r.period: r for r in self.session.exec(query).all()}


class ReminderRepository:
    """Members whose report is missing, and the reminders already made."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def members_without_report(self, period: str) -> list[Member]:
        """Active members with no current report for ``period``, by id."""
        reported = select(IndicatorReport.id).where(
            IndicatorReport.member_id == Member.id,
            IndicatorReport.period == period,
            col(IndicatorReport.is_current).is_(True),
        )
        query = (
            select(Member)
            .where(col(Member.active).is_(True), ~reported.exists())
            .order_by(col(Member.id))
        )
        return list(self.session.exec(query))

    def reminded(self, period: str, kind: str) -> set[int]:
        query = select(ReportReminder.member_id).where(
            ReportReminder.period == period, ReportReminder.kind == kind
        )
        return set(self.session.exec(query))

    def add(self, reminder: ReportReminder) -> ReportReminder:
        self.session.add(reminder)
        self.session.flush()
        return reminder

    def without_contact(self) -> list[tuple[ReportReminder, Member]]:
        query = (
            select(ReportReminder, Member)
            .join(Member, col(Member.id) == ReportReminder.member_id)
            .where(ReportReminder.status == "no_contact")
            .order_by(col(ReportReminder.created_at).desc())
        )
        return [(reminder, member) for reminder, member in self.session.exec(query)]

    def is_published(self, period: str) -> bool:
        query = select(Publication.id).where(Publication.period == period).limit(1)
        return self.session.exec(query).first() is not None
