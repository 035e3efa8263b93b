"""Migrations apply from an empty database and match the models, on every backend."""

from __future__ import annotations

import json
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

import hub.models  # noqa: F401 - registers every table
from hub.migrate import current_revision, head_revision, upgrade
from tests.databases import fresh_database


def test_upgrade_from_empty_reaches_head(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path, migrate=False) as engine:
        assert current_revision(engine) is None
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        tables = set(inspect(engine).get_table_names())
        assert set(SQLModel.metadata.tables) <= tables
        upgrade(engine)  # a second run changes nothing
        assert current_revision(engine) == head_revision()


def test_migrations_match_the_models(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as engine, engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_breakdowns_of_existing_revisions_are_read_from_their_cells(
    backend: str, tmp_path: Path
) -> None:
    with fresh_database(backend, tmp_path, migrate=False) as engine:
        upgrade(engine, "0004")
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO member (id, name, siren, region, departements, trades, "
                    "contact_email, consents_raw_access, active, created_at, updated_at) "
                    "VALUES (1, 'CAE', '732829320', '75', '[]', '[]', 'a@b.example', "
                    "false, true, :now, :now)"
                ),
                {"now": "2026-01-01 00:00:00+00:00"},
            )
            connection.execute(
                text(
                    "INSERT INTO indicator_report (id, member_id, period, revision, is_current, "
                    "schema_version, content_hash, cell_count, received_at, last_received_at) "
                    "VALUES (7, 1, '2025-S2', 1, true, '1.0.0', 'h', 4, :now, :now)"
                ),
                {"now": "2026-01-01 00:00:00+00:00"},
            )
            for indicator, dim_set, sex, trade in [
                ("entrepreneurs", "", None, None),
                ("entrepreneurs", "sex", "F", None),
                ("entrepreneurs", "sex", "M", None),
                ("revenue_eur", "trade", None, "43.21A"),
            ]:
                connection.execute(
                    text(
                        "INSERT INTO indicator_cell (report_id, indicator, dim_set, sex, trade, "
                        "value_centi) VALUES (7, :indicator, :dim_set, :sex, :trade, 100)"
                    ),
                    {"indicator": indicator, "dim_set": dim_set, "sex": sex, "trade": trade},
                )
        upgrade(engine)
        with engine.connect() as connection:
            stored = connection.execute(
                text("SELECT breakdowns FROM indicator_report WHERE id = 7")
            ).scalar_one()
    if isinstance(stored, str):
        stored = json.loads(stored)
    assert stored == {"entrepreneurs": ["", "sex"], "revenue_eur": ["trade"]}
