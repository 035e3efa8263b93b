"""The databases the tests run on: SQLite always, PostgreSQL when it is reachable.

``HUB_TEST_DATABASE_URL`` names a PostgreSQL server to use (its database is only used to
create and drop throwaway databases). Without it, 127.0.0.1:5432 is tried. Under CI
(``CI=true``) a PostgreSQL that cannot be reached is a failure, not a skip.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from hub.config import Settings
from hub.db import make_engine
from hub.migrate import upgrade

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_url() -> str | None:
    """The PostgreSQL URL to test against, or None to test on SQLite only."""
    url = os.environ.get("HUB_TEST_DATABASE_URL")
    if url:
        return url
    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
    except OSError:
        return None
    return DEFAULT_POSTGRES


def backends() -> list[str]:
    return ["sqlite", "postgresql"] if postgres_url() else ["sqlite"]


def settings_for(url: str) -> Settings:
    return Settings(environment="test", database_url=url, log_level="WARNING")


@contextmanager
def fresh_database(backend: str, workdir: Path, *, migrate: bool = True) -> Iterator[Engine]:
    """A new, empty database (migrated unless told otherwise), dropped afterwards."""
    if backend == "sqlite":
        url = f"sqlite:///{workdir / f'hub-{uuid.uuid4().hex[:8]}.sqlite3'}"
        engine = make_engine(settings_for(url))
        if migrate:
            upgrade(engine)
        try:
            yield engine
        finally:
            engine.dispose()
        return

    server = postgres_url()
    assert server is not None
    name = f"cae_hub_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(settings_for(url))
    try:
        if migrate:
            upgrade(engine)
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
