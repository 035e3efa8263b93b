"""Tables of the web domain: dashboard sessions and login-throttle counters.

Both live in the database so that any hub process can answer any request.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Integer, String
from sqlmodel import Field, SQLModel

from hub.db import UTCDateTime, utcnow


class WebSession(SQLModel, table=True):
    """A logged-in browser. Only the SHA-256 of the cookie's random identifier is kept."""

    __tablename__ = "web_session"
    __table_args__ = (
        CheckConstraint("(staff_id IS NULL) <> (member_user_id IS NULL)", name="one_owner"),
    )

    id: int | None = Field(default=None, primary_key=True)
    id_hash: str = Field(sa_column=Column(String(64), unique=True, nullable=False))
    staff_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("staff_account.id", ondelete="CASCADE"), nullable=True, index=True
        ),
    )
    member_user_id: int | None = Field(
        default=None,
        sa_column=Column(
            Integer, ForeignKey("member_user.id", ondelete="CASCADE"), nullable=True, index=True
        ),
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    last_seen_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime, index=True)


class LoginThrottle(SQLModel, table=True):
    """One login-throttle counter: attempts counted against a key since ``window_start``.

    ``key_hash`` is a keyed hash (HMAC under ``HUB_SECRET_KEY``) of what is counted — an
    account and a client address, an account, or a client address: what people type in the
    login form is never stored. A counter whose window has ended starts again from zero.
    """

    __tablename__ = "login_throttle"

    key_hash: str = Field(sa_column=Column(String(64), primary_key=True))
    attempts: int = Field(sa_column=Column(Integer, nullable=False))
    window_start: datetime = Field(sa_type=UTCDateTime, index=True)
