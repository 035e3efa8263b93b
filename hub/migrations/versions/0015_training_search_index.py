"""Training session search: an index covering the search's filters and order.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = [
    "withdrawn_at",
    "start_day",
    "member_id",
    "seats_offered",
    "teaching_mode",
    "numero",
    "id",
]


def upgrade() -> None:
    with op.batch_alter_table("training_session", schema=None) as batch_op:
        batch_op.create_index("ix_training_session_search", COLUMNS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table("training_session", schema=None) as batch_op:
        batch_op.drop_index("ix_training_session_search")
