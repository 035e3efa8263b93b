"""Tables of the members domain: member CAEs, staff accounts and API tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, Integer, String
from sqlmodel import Field, SQLModel

from hub.db import UTCDateTime, utcnow


class StaffRole(StrEnum):
    STAFF = "staff"
    ADMIN = "admin"


class Scope(StrEnum):
    """What a token may do, within what its owner may do."""

    REPORTS_READ = "reports:read"
    REPORTS_WRITE = "reports:write"
    STATS_READ = "stats:read"
    STATS_PUBLISH = "stats:publish"
    TRAININGS_READ = "trainings:read"
    TRAININGS_WRITE = "trainings:write"
    DELEGATIONS_READ = "delegations:read"
    DELEGATIONS_WRITE = "delegations:write"
    ADMIN = "admin"


MEMBER_SCOPES = frozenset(
    {
        Scope.REPORTS_READ,
        Scope.REPORTS_WRITE,
        Scope.STATS_READ,
        Scope.TRAININGS_READ,
        Scope.TRAININGS_WRITE,
        Scope.DELEGATIONS_READ,
        Scope.DELEGATIONS_WRITE,
    }
)
STAFF_SCOPES = frozenset(
    {Scope.REPORTS_READ, Scope.STATS_READ, Scope.STATS_PUBLISH, Scope.TRAININGS_READ}
)
ADMIN_SCOPES = STAFF_SCOPES | {Scope.ADMIN}


class MemberBase(SQLModel):
    """What a member CAE is, as an administrator describes it."""

    name: str = Field(min_length=2, max_length=200)
    siren: str = Field(min_length=9, max_length=9, unique=True, index=True)
    region: str = Field(max_length=2)
    departements: list[str] = Field(sa_type=JSON)
    trades: list[str] = Field(sa_type=JSON)
    contact_email: str = Field(max_length=254)
    consents_raw_access: bool = False


class Member(MemberBase, table=True):
    """A member CAE. Never deleted: deactivated, so that its history stays readable."""

    __tablename__ = "member"

    id: int | None = Field(default=None, primary_key=True)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StaffBase(SQLModel):
    """A person of the federation's staff."""

    email: str = Field(max_length=254, unique=True, index=True)
    display_name: str = Field(min_length=1, max_length=200)
    role: StaffRole = Field(sa_type=String(16), default=StaffRole.STAFF)


class StaffAccount(StaffBase, table=True):
    """A staff account. The password is stored as an Argon2 hash only."""

    __tablename__ = "staff_account"

    id: int | None = Field(default=None, primary_key=True)
    password_hash: str = Field(max_length=255)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ApiToken(SQLModel, table=True):
    """A bearer token of a member or of a staff account; only its SHA-256 is kept."""

    __tablename__ = "api_token"
    __table_args__ = (
        CheckConstraint("(member_id IS NULL) <> (staff_id IS NULL)", name="one_owner"),
    )

    id: int | None = Field(default=None, primary_key=True)
    prefix: str = Field(max_length=16)
    token_hash: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    label: str = Field(max_length=100)
    member_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("member.id"), nullable=True, index=True),
    )
    staff_id: int | None = Field(
        default=None,
        sa_column=Column(Integer, ForeignKey("staff_account.id"), nullable=True, index=True),
    )
    scopes: list[str] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class MemberUserBase(SQLModel):
    """A person of a member CAE's support team who reads the dashboard."""

    email: str = Field(max_length=254, unique=True, index=True)
    display_name: str = Field(min_length=1, max_length=200)


class MemberUser(MemberUserBase, table=True):
    """A web account tied to a member CAE. The password is stored as an Argon2 hash only."""

    __tablename__ = "member_user"

    id: int | None = Field(default=None, primary_key=True)
    member_id: int = Field(
        sa_column=Column(Integer, ForeignKey("member.id"), nullable=False, index=True)
    )
    password_hash: str = Field(max_length=255)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
