"""Each report revision records which breakdowns it carries.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("indicator_report") as batch:
        batch.add_column(sa.Column("breakdowns", sa.JSON(), nullable=True))
    # Existing revisions: read their breakdowns from their cells (revisions never change).
    bind = op.get_bind()
    found: dict[int, dict[str, set[str]]] = {}
    rows = bind.execute(
        sa.text("SELECT DISTINCT report_id, indicator, dim_set FROM indicator_cell")
    )
    for report_id, indicator, dim_set in rows:
        found.setdefault(report_id, {}).setdefault(indicator, set()).add(dim_set)
    report = sa.table("indicator_report", sa.column("id"), sa.column("breakdowns", sa.JSON()))
    for report_id, by_indicator in found.items():
        value = {name: sorted(sets) for name, sets in sorted(by_indicator.items())}
        bind.execute(report.update().where(report.c.id == report_id).values(breakdowns=value))


def downgrade() -> None:
    with op.batch_alter_table("indicator_report") as batch:
        batch.drop_column("breakdowns")
