"""The real hub: ``cae-hub serve`` in a process of its own, called over a socket.

The server runs on a fresh SQLite file; it must migrate it, answer /healthz, serve the
registry, accept the admin token printed by ``cae-hub demo``, and stop cleanly on SIGTERM.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine

from hub.migrate import current_revision, head_revision

STARTUP_TIMEOUT_S = 60
STOP_TIMEOUT_S = 20


def cae_hub_command() -> list[str]:
    """The ``cae-hub`` console script next to this interpreter, else its entry point."""
    script = Path(sys.executable).with_name("cae-hub")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from hub.cli import main; sys.exit(main())"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class RunningHub:
    process: subprocess.Popen[bytes]
    base_url: str
    env: dict[str, str]
    workdir: Path
    log: Path
    database: Path

    def log_tail(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``cae-hub ARGS`` on the same database as the server."""
        return subprocess.run(  # noqa: S603 - our own console script, fixed arguments
            [*cae_hub_command(), *args],
            env=self.env,
            cwd=self.workdir,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )


def _environment(database: Path) -> dict[str, str]:
    """The caller's environment without any HUB_* setting, pointed at ``database``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("HUB_")}
    env["HUB_DATABASE_URL"] = f"sqlite:///{database}"
    env["HUB_ENVIRONMENT"] = "development"
    env["PYTHONUNBUFFERED"] = "1"
    return env


def _stop(process: subprocess.Popen[bytes]) -> int:
    """SIGTERM, then SIGKILL if the server does not stop in time; the exit code."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT_S)
    return int(process.returncode)


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.trust_env = False  # no proxy between the test and 127.0.0.1
        yield session


@pytest.fixture
def hub_server(tmp_path: Path, http: requests.Session) -> Iterator[RunningHub]:
    """``cae-hub serve`` on a database file that does not exist yet; always stopped."""
    database = tmp_path / "var" / "hub.sqlite3"
    env = _environment(database)
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own console script, fixed arguments
            [*cae_hub_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=tmp_path,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    hub = RunningHub(process, f"http://127.0.0.1:{port}", env, tmp_path, log, database)
    try:
        _wait_until_healthy(hub, http)
        yield hub
    finally:
        _stop(process)


def _wait_until_healthy(hub: RunningHub, http: requests.Session) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if hub.process.poll() is not None:
            pytest.fail(
                f"le hub s'est arrêté au démarrage ({hub.process.returncode}) :\n{hub.log_tail()}"
            )
        try:
            if http.get(f"{hub.base_url}/healthz", timeout=2).status_code == 200:
                return
        except requests.ConnectionError:
            pass
        time.sleep(0.2)
    pytest.fail(f"/healthz ne répond pas 200 après {STARTUP_TIMEOUT_S} s :\n{hub.log_tail()}")


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

    demo = hub_server.cli("demo")
    assert demo.returncode == 0, demo.stderr
    found = re.search(r"jeton administrateur : (caeh_\S+)", demo.stdout)
    assert found, demo.stdout
    admin_token = found.group(1)

    me = http.get(
        f"{hub_server.base_url}/v1/me",
        headers={"Authorization": f"Bearer {admin_token}"},
        timeout=10,
    )
    assert me.status_code == 200, me.text
    assert me.json()["role"] == "admin"
    assert me.json()["staff"]["email"] == "admin@demo.cae-hub.fr"

    refused = http.get(f"{hub_server.base_url}/v1/me", timeout=10)
    assert refused.status_code == 401
    assert refused.headers["content-type"].startswith("application/problem+json")

    # uvicorn shuts down gracefully, then re-raises SIGTERM: the status says "ended by SIGTERM",
    # which service managers count as a clean stop.
    assert _stop(hub_server.process) in {0, -signal.SIGTERM}, hub_server.log_tail()
    log = hub_server.log_tail()
    assert "Application shutdown complete" in log, log
    assert admin_token not in log
    assert "Traceback" not in log, log
