"""Fixtures: every database test runs once per backend, in a transaction rolled back after it."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine
from sqlmodel import Session

from hub.db import session_factory
from hub.main import create_app
from hub.stats.answers import published_answers
from tests.databases import backends, fresh_database, postgres_url, settings_for


def pytest_sessionstart(session: pytest.Session) -> None:
    if os.environ.get("CI") == "true" and postgres_url() is None:
        raise pytest.UsageError("CI : PostgreSQL est obligatoire (HUB_TEST_DATABASE_URL).")


@pytest.fixture(autouse=True)
def _forget_published_answers() -> None:
    """Each test rolls its publications back: the latest publication of a period that one
    test's requests kept in memory is not the next test's."""
    published_answers.clear()


@pytest.fixture(scope="session", params=backends())
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def engine(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """One migrated database per backend for the whole run."""
    with fresh_database(backend, tmp_path_factory.mktemp(backend)) as engine:
        yield engine


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            yield connection
        finally:
            transaction.rollback()


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    """A session whose commits are savepoints inside the test's transaction."""
    factory = session_factory(connection, join_transaction_mode="create_savepoint")
    with factory() as session:
        yield session


@pytest.fixture
def app(engine: Engine, connection: Connection, session: Session) -> FastAPI:
    application = create_app(settings_for(str(engine.url)), engine=engine)
    application.state.session_factory = session_factory(
        connection, join_transaction_mode="create_savepoint"
    )
    return application


@pytest.fixture
def client(app: FastAPI, session: Session) -> Iterator[TestClient]:
    session.flush()
    with TestClient(app) as test_client:
        yield test_client


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    return tmp_path
