"""Publications: frozen report revisions per period.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import hub.db

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "publication",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", sqlmodel.sql.sqltypes.AutoString(length=7), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("published_at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("published_by", sa.Integer(), nullable=False),
        sa.Column("rules", sa.JSON(), nullable=False),
        sa.Column("report_count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["published_by"],
            ["staff_account.id"],
            name=op.f("fk_publication_published_by_staff_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publication")),
        sa.UniqueConstraint("period", "number", name=op.f("uq_publication_period")),
    )
    with op.batch_alter_table("publication", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_publication_period"), ["period"], unique=False)

    op.create_table(
        "publication_report",
        sa.Column("publication_id", sa.Integer(), nullable=False),
        sa.Column("report_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["publication_id"],
            ["publication.id"],
            name=op.f("fk_publication_report_publication_id_publication"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["report_id"],
            ["indicator_report.id"],
            name=op.f("fk_publication_report_report_id_indicator_report"),
        ),
        sa.PrimaryKeyConstraint("publication_id", "report_id", name=op.f("pk_publication_report")),
    )


def downgrade() -> None:
    op.drop_table("publication_report")
    with op.batch_alter_table("publication", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_publication_period"))

    op.drop_table("publication")
