"""Tables of the indicators domain: report revisions and their cells."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

from hub.db import UTCDateTime, utcnow


class IndicatorReport(SQLModel, table=True):
    """One revision of what a member said about a period. Revisions are never changed;
    the newest is ``is_current``."""

    __tablename__ = "indicator_report"
    __table_args__ = (
        UniqueConstraint("member_id", "period", "revision"),
        UniqueConstraint("member_id", "idempotency_key", name="uq_indicator_report_idempotency"),
        Index("ix_indicator_report_current", "period", "is_current", "member_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id"), nullable=False))
    period: str = Field(max_length=7)
    revision: int
    is_current: bool = True
    schema_version: str = Field(max_length=20)
    content_hash: str = Field(max_length=64)
    cell_count: int
    connector: str | None = Field(default=None, max_length=100)
    connector_version: str | None = Field(default=None, max_length=50)
    idempotency_key: str | None = Field(default=None, max_length=100)
    # Which breakdowns (sorted dimension names, "" for the total) each indicator was sent
    # with; statistics read a member's figures from the coarsest one a table needs.
    breakdowns: dict[str, list[str]] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True)
    )
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class IndicatorCell(SQLModel, table=True):
    """One cell of one revision. Values are exact, in hundredths of a unit."""

    __tablename__ = "indicator_cell"
    __table_args__ = (Index("ix_indicator_cell_report_indicator", "report_id", "indicator"),)

    id: int | None = Field(default=None, primary_key=True)
    report_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("indicator_report.id", ondelete="CASCADE"), nullable=False
        )
    )
    indicator: str = Field(max_length=40)
    dim_set: str = Field(max_length=100, description="Dimensions présentes, triées : sex,trade")
    contract: str | None = Field(default=None, sa_type=String(10))
    trade: str | None = Field(default=None, sa_type=String(10))
    sex: str | None = Field(default=None, sa_type=String(1))
    age_band: str | None = Field(default=None, sa_type=String(10))
    departement: str | None = Field(default=None, sa_type=String(3))
    exit_reason: str | None = Field(default=None, sa_type=String(20))
    value_centi: int = Field(sa_column=Column(BigInteger, nullable=False))


class ReportReminder(SQLModel, table=True):
    """A reminder that a member's report for a period is missing: one per (member, period,
    kind) ever, so that running the reminder job again never reminds twice.

    ``status`` is ``queued`` when an e-mail went to the outbox, ``no_contact`` when the member
    has no contact address (staff see it on the jobs page).
    """

    __tablename__ = "report_reminder"
    __table_args__ = (
        UniqueConstraint("member_id", "period", "kind", name="uq_report_reminder_member_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id"), nullable=False))
    period: str = Field(max_length=7)
    kind: str = Field(max_length=20)
    status: str = Field(max_length=20)
    outbox_id: int | None = Field(
        default=None, sa_column=Column(Integer, ForeignKey("outbox.id"), nullable=True)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
