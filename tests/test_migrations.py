"""Migrations apply from an empty database and match the models, on every backend."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect
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
