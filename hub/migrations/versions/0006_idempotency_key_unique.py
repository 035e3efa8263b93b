"""An idempotency key names one report revision of a member, at most.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Before this constraint a key could repeat across periods: keep it on the first revision
    # that used it (the one a replay would answer) and forget it on the others.
    op.execute(
        sa.text(
            "UPDATE indicator_report SET idempotency_key = NULL "
            "WHERE idempotency_key IS NOT NULL AND id NOT IN ("
            "  SELECT min(id) FROM indicator_report WHERE idempotency_key IS NOT NULL"
            "  GROUP BY member_id, idempotency_key)"
        )
    )
    with op.batch_alter_table("indicator_report") as batch:
        batch.create_unique_constraint(
            "uq_indicator_report_idempotency", ["member_id", "idempotency_key"]
        )


def downgrade() -> None:
    with op.batch_alter_table("indicator_report") as batch:
        batch.drop_constraint("uq_indicator_report_idempotency", type_="unique")
