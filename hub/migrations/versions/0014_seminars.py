"""Working groups and seminars: groups, members and contacts, seminars and their items,
roadmap goals, the skills register
and its matches, seminar packs.

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

revision: str = "0014"
down_revision = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

S = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "working_group",
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("facilitator_staff_id", sa.Integer(), nullable=True),
        sa.Column("facilitator_user_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["facilitator_staff_id"],
            ["staff_account.id"],
            name=op.f("fk_working_group_facilitator_staff_id_staff_account"),
        ),
        sa.ForeignKeyConstraint(
            ["facilitator_user_id"],
            ["member_user.id"],
            name=op.f("fk_working_group_facilitator_user_id_member_user"),
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_working_group")),
    )
    op.create_table(
        "working_group_member",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_code", S(length=20), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("created_at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_working_group_member_member_id_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_working_group_member")),
        sa.UniqueConstraint(
            "group_code", "member_id", name=op.f("uq_working_group_member_group_code")
        ),
    )
    op.create_index(
        op.f("ix_working_group_member_group_code"), "working_group_member", ["group_code"]
    )
    op.create_table(
        "working_group_contact",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("group_code", S(length=20), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["member_user.id"],
            name=op.f("fk_working_group_contact_user_id_member_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_working_group_contact")),
        sa.UniqueConstraint(
            "group_code", "user_id", name=op.f("uq_working_group_contact_group_code")
        ),
    )
    op.create_index(
        op.f("ix_working_group_contact_group_code"), "working_group_contact", ["group_code"]
    )
    op.create_table(
        "seminar",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period", S(length=7), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("place", S(length=200), nullable=False),
        sa.Column("created_at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seminar")),
        sa.UniqueConstraint("period", name=op.f("uq_seminar_period")),
    )
    op.create_table(
        "seminar_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seminar_id", sa.Integer(), nullable=False),
        sa.Column("audience", S(length=20), nullable=False),
        sa.Column("kind", S(length=20), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.ForeignKeyConstraint(
            ["seminar_id"],
            ["seminar.id"],
            name=op.f("fk_seminar_item_seminar_id_seminar"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seminar_item")),
    )
    op.create_table(
        "roadmap_goal",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("indicator", S(length=40), nullable=False),
        sa.Column("target_value", sa.Float(), nullable=False),
        sa.Column("target_day", sa.Date(), nullable=False),
        sa.Column("baseline_period", S(length=7), nullable=True),
        sa.Column("baseline_value", sa.Float(), nullable=True),
        sa.Column("shared", sa.Boolean(), nullable=False),
        sa.Column("created_at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_roadmap_goal_member_id_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roadmap_goal")),
        sa.UniqueConstraint("member_id", "indicator", name=op.f("uq_roadmap_goal_member_id")),
    )
    op.create_table(
        "skill_declaration",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("skill", S(length=40), nullable=False),
        sa.Column("direction", S(length=10), nullable=False),
        sa.Column("days_per_month", sa.Float(), nullable=False),
        sa.Column("departement", S(length=3), nullable=False),
        sa.Column("updated_at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["member.id"], name=op.f("fk_skill_declaration_member_id_member")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skill_declaration")),
        sa.UniqueConstraint(
            "member_id", "skill", "direction", name=op.f("uq_skill_declaration_member_id")
        ),
    )
    op.create_table(
        "skill_match",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("need_id", sa.Integer(), nullable=False),
        sa.Column("offer_id", sa.Integer(), nullable=False),
        sa.Column("mandate_ref", S(length=64), nullable=True),
        sa.Column("created_at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["need_id"],
            ["skill_declaration.id"],
            name=op.f("fk_skill_match_need_id_skill_declaration"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"],
            ["skill_declaration.id"],
            name=op.f("fk_skill_match_offer_id_skill_declaration"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_skill_match")),
        sa.UniqueConstraint("need_id", "offer_id", name=op.f("uq_skill_match_need_id")),
    )
    op.create_table(
        "seminar_pack",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seminar_id", sa.Integer(), nullable=False),
        sa.Column("audience", S(length=20), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("period", S(length=7), nullable=False),
        sa.Column("publication_number", sa.Integer(), nullable=False),
        sa.Column("html", sa.Text(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.Column("html_sha256", S(length=64), nullable=False),
        sa.Column("pdf_sha256", S(length=64), nullable=False),
        sa.Column("built_by_staff_id", sa.Integer(), nullable=True),
        sa.Column("built_at", hub.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["seminar_id"],
            ["seminar.id"],
            name=op.f("fk_seminar_pack_seminar_id_seminar"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["built_by_staff_id"],
            ["staff_account.id"],
            name=op.f("fk_seminar_pack_built_by_staff_id_staff_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_seminar_pack")),
        sa.UniqueConstraint(
            "seminar_id", "audience", "version", name=op.f("uq_seminar_pack_seminar_id")
        ),
    )


def downgrade() -> None:
    op.drop_table("seminar_pack")
    op.drop_table("skill_match")
    op.drop_table("skill_declaration")
    op.drop_table("roadmap_goal")
    op.drop_table("seminar_item")
    op.drop_table("seminar")
    op.drop_index(op.f("ix_working_group_contact_group_code"), table_name="working_group_contact")
    op.drop_table("working_group_contact")
    op.drop_index(op.f("ix_working_group_member_group_code"), table_name="working_group_member")
    op.drop_table("working_group_member")
    op.drop_table("working_group")
