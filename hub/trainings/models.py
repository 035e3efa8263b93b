"""Tables of the trainings domain: catalogue revisions and the sessions they offer."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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


class CatalogueRevision(SQLModel, table=True):
    """One snapshot of a member's whole catalogue, as received. Never changed; the newest is
    ``is_current``. ``changes`` keeps what it changed, to answer a replayed request alike."""

    __tablename__ = "training_catalogue"
    __table_args__ = (
        UniqueConstraint("member_id", "revision"),
        UniqueConstraint("member_id", "idempotency_key", name="uq_training_catalogue_idempotency"),
        Index("ix_training_catalogue_current", "member_id", "is_current"),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id"), nullable=False))
    revision: int
    is_current: bool = True
    schema_version: str = Field(max_length=20)
    content_hash: str = Field(max_length=64)
    session_count: int
    connector: str | None = Field(default=None, max_length=100)
    connector_version: str | None = Field(default=None, max_length=50)
    idempotency_key: str | None = Field(default=None, max_length=100)
    document: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    changes: dict[str, list[str]] = Field(sa_column=Column(JSON, nullable=False))
    received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_received_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


SEARCH_INDEX_COLUMNS = (
    "withdrawn_at",
    "start_day",
    "member_id",
    "seats_offered",
    "teaching_mode",
    "numero",
    "id",
)


class TrainingSession(SQLModel, table=True):
    """A session as the member's latest catalogue describes it, one row per (member, session
    numero) ever received. A session absent from a newer catalogue is withdrawn
    (``withdrawn_at``), never deleted: requests and history keep pointing at it.

    ``formation``, ``action`` and ``session`` hold the three LHÉO levels as sent (the first
    two without their children), to answer searches and write the pooled LHÉO export.
    """

    __tablename__ = "training_session"
    __table_args__ = (
        UniqueConstraint("member_id", "numero"),
        Index("ix_training_session_browse", "withdrawn_at", "seats_offered", "start_day"),
        # Covers the search's filters and order, so that counting and paging read no row.
        Index("ix_training_session_search", *SEARCH_INDEX_COLUMNS),
    )

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id"), nullable=False))
    numero: str = Field(max_length=64)
    formation_numero: str = Field(max_length=64)
    action_numero: str = Field(max_length=64)
    title: str = Field(max_length=255)
    search_text: str = Field(sa_type=String(10000))
    teaching_mode: int
    start_day: str = Field(max_length=8, description="AAAAMMJJ, 00000000 inconnu")
    end_day: str = Field(max_length=8, description="AAAAMMJJ, 99999999 inconnu")
    seats_offered: int = 0
    member_price_centi: int | None = Field(default=None, sa_column=Column(BigInteger))
    registration_deadline: str | None = Field(default=None, max_length=8)
    content_hash: str = Field(max_length=64)
    formation: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    action: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    session: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    first_revision: int
    last_revision: int
    withdrawn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SessionTag(SQLModel, table=True):
    """What a session is searched by: its trades, Formacodes, départements and regions."""

    __tablename__ = "training_session_tag"
    __table_args__ = (Index("ix_training_session_tag_kind_value", "kind", "value", "session_id"),)

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(
        sa_column=Column(
            Integer, ForeignKey("training_session.id", ondelete="CASCADE"), nullable=False
        )
    )
    kind: str = Field(max_length=20)
    value: str = Field(max_length=20)
