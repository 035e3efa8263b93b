"""Tables of the audit trail: the chained events and the signed checkpoints.

Rows are only ever inserted. ``sequence`` is given by the service (last + 1 under the chain
lock), not by the database, so that a deleted row leaves a gap ``verify`` can name.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index
from sqlmodel import Field, SQLModel

from hub.db import UTCDateTime


class AuditEvent(SQLModel, table=True):
    """Something that happened: who, for which member, what, when, in which request."""

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_member_id", "member_id", "sequence"),
        Index("ix_audit_event_kind", "kind", "sequence"),
        Index("ix_audit_event_occurred_at", "occurred_at"),
    )

    sequence: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    occurred_at: datetime = Field(sa_type=UTCDateTime)
    actor_kind: str = Field(max_length=20)
    actor_id: int | None = None
    member_id: int | None = None
    kind: str = Field(max_length=40)
    request_id: str | None = Field(default=None, max_length=64)
    # Identifiers, counts and hashes only: never a secret or a personal field.
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AuditCheckpoint(SQLModel, table=True):
    """The hub's signature over the chain up to ``sequence``, whose event hash is ``hash``."""

    __tablename__ = "audit_checkpoint"

    id: int | None = Field(default=None, primary_key=True)
    sequence: int = Field(sa_column=Column(BigInteger, nullable=False, unique=True))
    hash: str = Field(max_length=64)
    signed_at: datetime = Field(sa_type=UTCDateTime)
    key_id: str = Field(max_length=32)
    signature: str = Field(max_length=128)
