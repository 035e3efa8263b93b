"""Tables of the stats domain: publications and the report revisions they freeze."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Column, ForeignKey, Integer, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from hub.db import UTCDateTime, utcnow


class Publication(SQLModel, table=True):
    """A period's statistics frozen by staff: which revisions they use, under which rules."""

    __tablename__ = "publication"
    __table_args__ = (UniqueConstraint("period", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    period: str = Field(max_length=7, index=True)
    number: int
    published_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    published_by: int = Field(
        sa_column=Column(Integer, ForeignKey("staff_account.id"), nullable=False)
    )
    rules: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    report_count: int
    provisional: bool = Field(
        default=False,
        sa_column=Column(Boolean, nullable=False, default=False, server_default=false()),
    )
    """Published before the period ended, on staff's explicit confirmation: labelled
    « provisoire » wherever its figures appear."""


class PublicationReport(SQLModel, table=True):
    """One report revision included in a publication."""

    __tablename__ = "publication_report"

    publication_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("publication.id", ondelete="CASCADE"), primary_key=True
        )
    )
    report_id: int = Field(
        sa_column=Column(Integer, ForeignKey("indicator_report.id"), primary_key=True)
    )


class PublicationPattern(SQLModel, table=True):
    """The protected cells of one indicator in a publication, every table of it at once
    (:mod:`hub.stats.patterns`), computed when staff publish and served as stored.

    ``cells`` maps a cell (``trade=43.21A|sex=F``, ``""`` for the total) to ``[value,
    contributors, reason, kept_from]``: value and contributors are null when the cell is
    hidden, ``kept_from`` is the number of the earlier publication whose value is repeated.
    Cells with no contributor are left out (published zeros). ``codes`` lists each
    dimension's categories, ``recode`` the grouping of rare categories applied."""

    __tablename__ = "publication_pattern"
    __table_args__ = (UniqueConstraint("publication_id", "indicator"),)

    id: int | None = Field(default=None, primary_key=True)
    publication_id: int = Field(
        sa_column=Column(Integer, ForeignKey("publication.id", ondelete="CASCADE"), nullable=False)
    )
    indicator: str = Field(max_length=40)
    codes: dict[str, list[str]] = Field(sa_column=Column(JSON, nullable=False))
    recode: dict[str, dict[str, str]] = Field(sa_column=Column(JSON, nullable=False))
    cells: dict[str, list[Any]] = Field(sa_column=Column(JSON, nullable=False))
