"""Tables of payroll delegation: mandates and their versions, the CAEs' public keys, the
mandates' wrapped data keys and the payloads (ciphertext and metadata only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, ForeignKey, Index, Integer, LargeBinary, UniqueConstraint
from sqlmodel import Field, SQLModel

from hub.db import UTCDateTime, utcnow


class Mandate(SQLModel, table=True):
    """A delegation between two member CAEs. ``status``: proposed (its first version awaits
    the other side), active, suspended, ended. ``version`` is the version in force (0 while
    none was accepted)."""

    __tablename__ = "delegation_mandate"
    __table_args__ = (
        Index("ix_delegation_mandate_delegante", "delegante_id"),
        Index("ix_delegation_mandate_delegataire", "delegataire_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(max_length=32, unique=True)
    delegante_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id"), nullable=False))
    delegataire_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id"), nullable=False))
    status: str = Field(max_length=20)
    version: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    shredded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class MandateVersion(SQLModel, table=True):
    """One version of a mandate's contract, as proposed. ``status``: proposed, accepted,
    superseded (a later version was accepted), declined, withdrawn."""

    __tablename__ = "delegation_mandate_version"
    __table_args__ = (UniqueConstraint("mandate_id", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    mandate_id: int = Field(
        sa_column=Column(Integer, ForeignKey("delegation_mandate.id"), nullable=False)
    )
    version: int
    schema_version: str = Field(max_length=20)
    document: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    content_hash: str = Field(max_length=64)
    status: str = Field(max_length=20)
    proposed_by_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id"), nullable=False))
    proposed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class MemberKey(SQLModel, table=True):
    """A CAE's public keys: X25519 to receive, Ed25519 to sign. The newest unrevoked one is in
    force; a replaced one still verifies what it signed before, a revoked one nothing new."""

    __tablename__ = "delegation_member_key"
    __table_args__ = (Index("ix_delegation_member_key_member", "member_id", "created_at"),)

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id"), nullable=False))
    encryption_public: str = Field(max_length=64, description="X25519, base64")
    signing_public: str = Field(max_length=64, description="Ed25519, base64")
    fingerprint: str = Field(max_length=40, unique=True)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    replaced_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class MandateKey(SQLModel, table=True):
    """The mandate's data key pair as the hub holds it: the public half, and the private half
    wrapped for one party's key per row. Rows are deleted when the mandate is shredded."""

    __tablename__ = "delegation_mandate_key"
    __table_args__ = (UniqueConstraint("mandate_id", "member_key_id"),)

    id: int | None = Field(default=None, primary_key=True)
    mandate_id: int = Field(
        sa_column=Column(Integer, ForeignKey("delegation_mandate.id"), nullable=False)
    )
    member_key_id: int = Field(
        sa_column=Column(Integer, ForeignKey("delegation_member_key.id"), nullable=False)
    )
    data_public: str = Field(max_length=64, description="X25519, base64")
    wrapped: str = Field(max_length=200, description="HPKE, base64")
    signature: str = Field(max_length=100, description="Ed25519 of the creator, base64")
    signer_key_id: int = Field(
        sa_column=Column(Integer, ForeignKey("delegation_member_key.id"), nullable=False)
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Payload(SQLModel, table=True):
    """One encrypted payload of a mandate: what the hub may know of it, and the ciphertext
    until it is purged. ``status``: envoye, recu (the recipient acknowledged it)."""

    __tablename__ = "delegation_payload"
    __table_args__ = (Index("ix_delegation_payload_mandate_month", "mandate_id", "month", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    uid: str = Field(max_length=32, unique=True)
    mandate_id: int = Field(
        sa_column=Column(Integer, ForeignKey("delegation_mandate.id"), nullable=False)
    )
    month: str = Field(max_length=7)
    kind: str = Field(max_length=20)
    sender_id: int = Field(sa_column=Column(Integer, ForeignKey("member.id"), nullable=False))
    sender_key_id: int = Field(
        sa_column=Column(Integer, ForeignKey("delegation_member_key.id"), nullable=False)
    )
    size: int
    sha256: str = Field(max_length=64)
    signature: str = Field(max_length=100)
    verdict: str | None = Field(default=None, max_length=10, description="accepte / rejete")
    status: str = Field(max_length=20)
    ciphertext: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    sent_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    purged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class DeadlineReminder(SQLModel, table=True):
    """A deadline e-mail sent for one task of one mandate's month: J-5, J-2 or late, once."""

    __tablename__ = "delegation_reminder"
    __table_args__ = (UniqueConstraint("mandate_id", "month", "kind", "step"),)

    id: int | None = Field(default=None, primary_key=True)
    mandate_id: int = Field(
        sa_column=Column(Integer, ForeignKey("delegation_mandate.id"), nullable=False)
    )
    month: str = Field(max_length=7)
    kind: str = Field(max_length=20)
    step: str = Field(max_length=10)
    messages: int = 0
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
