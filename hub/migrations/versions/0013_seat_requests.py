"""Seat pooling: seat requests between member CAEs, and the seats accepted on each session.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import hub.db

revision: str = "0013"
down_revision = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("training_session", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("seats_accepted", sa.Integer(), nullable=False, server_default="0")
        )

    op.create_table(
        "training_seat_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=False),
        sa.Column("offerer_id", sa.Integer(), nullable=False),
        sa.Column("reference", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("seats_requested", sa.Integer(), nullable=False),
        sa.Column("seats_accepted", sa.Integer(), nullable=False),
        sa.Column("headcount", sa.Integer(), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("created_at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("decided_at", hub.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("updated_at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("deadline_reminded_at", hub.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("start_reminded_at", hub.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["offerer_id"], ["member.id"], name=op.f("fk_training_seat_request_offerer_id_member")
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["member.id"],
            name=op.f("fk_training_seat_request_requester_id_member"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_session.id"],
            name=op.f("fk_training_seat_request_session_id_training_session"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_seat_request")),
        sa.UniqueConstraint("requester_id", "idempotency_key", name="uq_training_seat_request_key"),
    )
    with op.batch_alter_table("training_seat_request", schema=None) as batch_op:
        batch_op.create_index(
            "ix_training_seat_request_offerer", ["offerer_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_training_seat_request_requester", ["requester_id", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_training_seat_request_session", ["session_id", "status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("training_seat_request", schema=None) as batch_op:
        batch_op.drop_index("ix_training_seat_request_session")
        batch_op.drop_index("ix_training_seat_request_requester")
        batch_op.drop_index("ix_training_seat_request_offerer")
    op.drop_table("training_seat_request")
    with op.batch_alter_table("training_session", schema=None) as batch_op:
        batch_op.drop_column("seats_accepted")
