"""Tables of the trainings domain: catalogue revisions and the sessions they offer."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
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
    seats_accepted: int = Field(
        default=0, description="Places accordées à d'autres CAE (demandes acceptées)"
    )
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


class SeatRequestStatus(StrEnum):
    """Where a seat request stands; the values are those of the API."""

    PENDING = "en_attente"
    ACCEPTED = "acceptee"
    DECLINED = "refusee"
    WAITLISTED = "liste_attente"
    WITHDRAWN = "session_retiree"


OPEN_STATUSES = (SeatRequestStatus.PENDING, SeatRequestStatus.WAITLISTED)


class SeatRequest(SQLModel, table=True):
    """A CAE asking seats on another CAE's session: counts only, never a trainee's name.

    ``reference`` is the requesting CAE's own label for the request, which it maps to its
    trainees locally. ``seats_accepted`` may be fewer than ``seats_requested`` (a partial
    acceptance); the accepted seats of a session are also counted on the session
    (``TrainingSession.seats_accepted``), changed by one conditional UPDATE.
    """

    __tablename__ = "training_seat_request"
    __table_args__ = (
        UniqueConstraint("requester_id", "idempotency_key", name="uq_training_seat_request_key"),
        Index("ix_training_seat_request_session", "session_id", "status"),
        Index("ix_training_seat_request_requester", "requester_id", "created_at"),
        Index("ix_training_seat_request_offerer", "offerer_id", "created_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    session_id: int = Field(
        sa_column=Column(Integer, ForeignKey("training_session.id"), nullable=False)
    )
    requester_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id"), nullable=False))
    offerer_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id"), nullable=False))
    reference: str = Field(max_length=40)
    seats_requested: int
    seats_accepted: int = 0
    headcount: int | None = Field(
        default=None, description="Effectif salarié de la CAE demandeuse (tranche OPCO)"
    )
    status: str = Field(max_length=20, default=SeatRequestStatus.PENDING)
    idempotency_key: str | None = Field(default=None, max_length=100)
    content_hash: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    deadline_reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    start_reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
