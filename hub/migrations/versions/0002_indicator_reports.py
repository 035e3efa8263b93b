"""Indicator reports: revisions and cells.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import hub.db

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "indicator_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("schema_version", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("cell_count", sa.Integer(), nullable=False),
        sa.Column("connector", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("connector_version", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
        sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("received_at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_received_at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_indicator_report_member_id_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_report")),
        sa.UniqueConstraint(
            "member_id", "period", "revision", name=op.f("uq_indicator_report_member_id")
        ),
    )
    with op.batch_alter_table("indicator_report", schema=None) as batch_op:
        batch_op.create_index(
            "ix_indicator_report_current", ["period", "is_current", "member_id"], unique=False
        )

    op.create_table(
        "indicator_cell",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.Column("indicator", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("dim_set", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("contract", sa.String(length=10), nullable=True),
        sa.Column("trade", sa.String(length=10), nullable=True),
        sa.Column("sex", sa.String(length=1), nullable=True),
        sa.Column("age_band", sa.String(length=10), nullable=True),
        sa.Column("departement", sa.String(length=3), nullable=True),
        sa.Column("exit_reason", sa.String(length=20), nullable=True),
        sa.Column("value_centi", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["indicator_report.id"],
            name=op.f("fk_indicator_cell_report_id_indicator_report"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_cell")),
    )
    with op.batch_alter_table("indicator_cell", schema=None) as batch_op:
        batch_op.create_index(
            "ix_indicator_cell_report_indicator", ["report_id", "indicator"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("indicator_cell", schema=None) as batch_op:
        batch_op.drop_index("ix_indicator_cell_report_indicator")

    op.drop_table("indicator_cell")
    with op.batch_alter_table("indicator_report", schema=None) as batch_op:
        batch_op.drop_index("ix_indicator_report_current")

    op.drop_table("indicator_report")
