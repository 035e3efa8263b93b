"""Member web accounts, dashboard sessions and failed logins.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import hub.db

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "member_user",
        sa.Column("email", sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
        sa.Column("display_name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_member_user_member_id_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_member_user")),
    )
    with op.batch_alter_table("member_user", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_member_user_email"), ["email"], unique=True)
        batch_op.create_index(batch_op.f("ix_member_user_member_id"), ["member_id"], unique=False)

    op.create_table(
        "web_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=True),
        sa.Column("member_user_id", sa.Integer(), nullable=True),
        sa.Column("created_at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(staff_id IS NULL) <> (member_user_id IS NULL)",
            name=op.f("ck_web_session_one_owner"),
        ),
        sa.ForeignKeyConstraint(
            ["member_user_id"],
            ["member_user.id"],
            name=op.f("fk_web_session_member_user_id_member_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["staff_id"],
            ["staff_account.id"],
            name=op.f("fk_web_session_staff_id_staff_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_session")),
        sa.UniqueConstraint("id_hash", name=op.f("uq_web_session_id_hash")),
    )
    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_web_session_expires_at"), ["expires_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_web_session_member_user_id"), ["member_user_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_web_session_staff_id"), ["staff_id"], unique=False)

    op.create_table(
        "login_failure",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("failed_at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failure")),
    )
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_failure_failed_at"), ["failed_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_login_failure_key_hash"), ["key_hash"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_failure_key_hash"))
        batch_op.drop_index(batch_op.f("ix_login_failure_failed_at"))
    op.drop_table("login_failure")

    with op.batch_alter_table("web_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_web_session_staff_id"))
        batch_op.drop_index(batch_op.f("ix_web_session_member_user_id"))
        batch_op.drop_index(batch_op.f("ix_web_session_expires_at"))
    op.drop_table("web_session")

    with op.batch_alter_table("member_user", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_member_user_member_id"))
        batch_op.drop_index(batch_op.f("ix_member_user_email"))
    op.drop_table("member_user")
