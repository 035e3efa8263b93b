"""The real hub: ``cae-hub serve`` in a process of its own, called over a socket.

The server runs on a fresh SQLite file; it must migrate it, answer /healthz, serve the
registry, accept an admin token issued by the command line, and stop cleanly on SIGTERM.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine

from hub.demo.server import stop_server
from hub.migrate import current_revision, head_revision
from tests.served import RunningHub, plain_session, start_hub


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with plain_session() as session:
        yield session


@pytest.fixture
def hub_server(tmp_path: Path) -> Iterator[RunningHub]:
    """``cae-hub serve`` on a database file that does not exist yet; always stopped."""
    with start_hub(tmp_path) as hub:
        yield hub


def test_serve_migrates_answers_and_stops_cleanly(
    hub_server: RunningHub, http: requests.Session
) -> None:
    health = http.get(f"{hub_server.base_url}/healthz", timeout=10)
    assert health.status_code == 200, health.text
    assert health.json()["status"] == "ok"
    assert health.json()["database"] == "ok"

    # serve created the database and brought it to the latest migration.
    engine = create_engine(f"sqlite:///{hub_server.database}")
    try:
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()

    schemas = http.get(f"{hub_server.base_url}/v1/schemas", timeout=10)
    assert schemas.status_code == 200, schemas.text
    assert any(item["name"] == "indicator-report" for item in schemas.json())

    admin_token = hub_server.admin_token()

    me = http.get(
        f"{hub_server.base_url}/v1/me",
        headers={"Authorization": f"Bearer {admin_token}"},
        timeout=10,
    )
    assert me.status_code == 200, me.text
    assert me.json()["role"] == "admin"
    assert me.json()["staff"]["email"] == "admin@tests.cae-hub.fr"

    refused = http.get(f"{hub_server.base_url}/v1/me", timeout=10)
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/problem+json")

    # uvicorn shuts down gracefully, then re-raises SIGTERM: the status says "ended by SIGTERM",
    # which service managers count as a clean stop.
    assert stop_server(hub_server.process) in {0, -signal.SIGTERM}, hub_server.log_tail()
    log = hub_server.log_tail()
    assert "Application shutdown complete" in log, log
    assert admin_token not in log
    assert "Traceback" not in log, log
