"""Training catalogues: catalogue revisions, the sessions they offer and their search tags.

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import hub.db

revision: str = "0012"
down_revision = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "training_catalogue",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("is_current", sa.Boolean(), nullable=False),
        sa.Column("schema_version", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("session_count", sa.Integer(), nullable=False),
        sa.Column("connector", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("connector_version", sqlmodel.sql.sqltypes.AutoString(length=50), nullable=True),
        sa.Column("idempotency_key", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("received_at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_received_at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_training_catalogue_member_id_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_catalogue")),
        sa.UniqueConstraint(
            "member_id", "idempotency_key", name="uq_training_catalogue_idempotency"
        ),
        sa.UniqueConstraint("member_id", "revision", name=op.f("uq_training_catalogue_member_id")),
    )
    with op.batch_alter_table("training_catalogue", schema=None) as batch_op:
        batch_op.create_index(
            "ix_training_catalogue_current", ["member_id", "is_current"], unique=False
        )

    op.create_table(
        "training_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("numero", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("formation_numero", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("action_numero", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
        sa.Column("search_text", sa.String(length=10000), nullable=False),
        sa.Column("teaching_mode", sa.Integer(), nullable=False),
        sa.Column("start_day", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("end_day", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.Column("seats_offered", sa.Integer(), nullable=False),
        sa.Column("member_price_centi", sa.BigInteger(), nullable=True),
        sa.Column(
            "registration_deadline", sqlmodel.sql.sqltypes.AutoString(length=8), nullable=True
        ),
        sa.Column("content_hash", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("formation", sa.JSON(), nullable=False),
        sa.Column("action", sa.JSON(), nullable=False),
        sa.Column("session", sa.JSON(), nullable=False),
        sa.Column("first_revision", sa.Integer(), nullable=False),
        sa.Column("last_revision", sa.Integer(), nullable=False),
        sa.Column("withdrawn_at", hub.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_training_session_member_id_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_session")),
        sa.UniqueConstraint("member_id", "numero", name=op.f("uq_training_session_member_id")),
    )
    with op.batch_alter_table("training_session", schema=None) as batch_op:
        batch_op.create_index(
            "ix_training_session_browse",
            ["withdrawn_at", "seats_offered", "start_day"],
            unique=False,
        )

    op.create_table(
        "training_session_tag",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("value", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_session.id"],
            name=op.f("fk_training_session_tag_session_id_training_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_training_session_tag")),
    )
    with op.batch_alter_table("training_session_tag", schema=None) as batch_op:
        batch_op.create_index(
            "ix_training_session_tag_kind_value", ["kind", "value", "session_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("training_session_tag", schema=None) as batch_op:
        batch_op.drop_index("ix_training_session_tag_kind_value")

    op.drop_table("training_session_tag")
    with op.batch_alter_table("training_session", schema=None) as batch_op:
        batch_op.drop_index("ix_training_session_browse")

    op.drop_table("training_session")
    with op.batch_alter_table("training_catalogue", schema=None) as batch_op:
        batch_op.drop_index("ix_training_catalogue_current")

    op.drop_table("training_catalogue")
