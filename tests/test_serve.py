"""The real hub: ``cae-hub serve`` in a process of its own, called over a socket.

The server runs on a fresh SQLite file; it must migrate it, answer /healthz, serve the
registry, accept an admin token issued by the command line, and stop cleanly on SIGTERM.
"""

from __future__ import annotations

import re
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy import create_engine

from hub.demo.server import free_port, stop_server
from hub.migrate import current_revision, head_revision
from tests.databases import fresh_database, postgres_url
from tests.served import (
    RunningHub,
    cae_hub_command,
    hub_environment,
    plain_session,
    run_cae_hub,
    start_hub,
)


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


def _serve(env: dict[str, str], workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cae_hub(env, workdir, "serve", *args)


def test_serve_on_a_taken_port_says_how_to_choose_another(tmp_path: Path) -> None:
    env = hub_environment(tmp_path / "hub.sqlite3")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        for args in (["--port", str(port)], ["--port", str(port), "--check-port"]):
            refused = _serve(env, tmp_path, "--host", "127.0.0.1", *args)
            assert refused.returncode == 1, refused
            lines = refused.stderr.strip().splitlines()
            assert len(lines) == 1, refused.stderr
            assert f"le port {port} est déjà pris" in lines[0]
            assert "HUB_PORT=" in lines[0] and "make run" in lines[0]
            assert "Traceback" not in refused.stderr and "error" not in refused.stderr.lower()
        # HUB_PORT is the setting `make run` passes on.
        refused = _serve({**env, "HUB_PORT": str(port)}, tmp_path, "--check-port")
        assert refused.returncode == 1 and f"le port {port}" in refused.stderr
    # Nothing was served nor migrated: the database file was never created.
    assert not (tmp_path / "hub.sqlite3").exists()


def test_check_port_on_a_free_port_succeeds_without_serving(tmp_path: Path) -> None:
    env = hub_environment(tmp_path / "hub.sqlite3")
    checked = _serve(
        env, tmp_path, "--host", "127.0.0.1", "--port", str(free_port()), "--check-port"
    )
    assert checked.returncode == 0, checked.stderr
    assert checked.stdout == "" and checked.stderr == ""


def test_several_workers_are_refused_on_sqlite(tmp_path: Path) -> None:
    env = hub_environment(tmp_path / "hub.sqlite3")
    refused = _serve(env, tmp_path, "--workers", "2", "--port", str(free_port()))
    assert refused.returncode == 1
    assert refused.stderr.startswith("erreur : --workers 2 refusé sur SQLite"), refused.stderr
    assert "PostgreSQL" in refused.stderr and "Traceback" not in refused.stderr


@pytest.mark.postgres
@pytest.mark.skipif(postgres_url() is None, reason="PostgreSQL injoignable")
def test_two_workers_on_postgresql_serve_members(tmp_path: Path, http: requests.Session) -> None:
    with fresh_database("postgresql", tmp_path, migrate=False) as engine:
        url = engine.url.render_as_string(hide_password=False)
        engine.dispose()
        with start_hub(tmp_path, database_url=url, serve_args=["--workers", "2"]) as hub:
            added = hub.cli(
                "members", "add", "--name", "Coop'Bâtir", "--siren", "832451967",
                "--region", "75", "--departements", "33", "--trades", "43.21A",
                "--email", "contact@coop.example",
            )  # fmt: skip
            assert added.returncode == 0, added.stderr
            issued = hub.cli("tokens", "issue", "--member", "832451967", "--label", "tests")
            assert issued.returncode == 0, issued.stderr
            found = re.search(r"conservez-le\) : (caeh_\S+)", issued.stdout)
            assert found, issued.stdout
            token = found.group(1)

            # Both workers started, each its own process building its own app.
            # The whole log: each worker's start-up (its scheduled jobs) outgrows the tail.
            def started() -> set[str]:
                log = hub.log.read_text(encoding="utf-8", errors="replace")
                return set(re.findall(r"Started server process \[(\d+)\]", log))

            pids = started()
            for _ in range(60):
                if len(pids) == 2:
                    break
                time.sleep(0.5)
                pids = started()
            assert len(pids) == 2, hub.log_tail()
            assert str(hub.process.pid) not in pids

            # Fresh connections, spread by the kernel over the two processes: all answered.
            for _ in range(20):
                with plain_session() as fresh:
                    health = fresh.get(f"{hub.base_url}/healthz", timeout=10)
                    assert health.status_code == 200, health.text
                    me = fresh.get(
                        f"{hub.base_url}/v1/me",
                        headers={"Authorization": f"Bearer {token}"},
                        timeout=10,
                    )
                    assert me.status_code == 200, me.text
                    assert me.json()["role"] == "member"
        assert hub.process.returncode in {0, -signal.SIGTERM}, hub.log_tail()
        assert "Traceback" not in hub.log_tail(), hub.log_tail()
        assert token not in hub.log.read_text(encoding="utf-8", errors="replace")


def test_make_run_on_a_taken_port_stops_before_the_demo(tmp_path: Path) -> None:
    """`make run` checks the port first: a French line, a non-zero exit, no demo loaded."""
    make = shutil.which("make")
    if make is None:
        pytest.skip("make absent")
    repository = Path(__file__).resolve().parents[1]
    stamp = tmp_path / "installed"
    stamp.touch()  # newer than pyproject.toml: make installs nothing
    database = tmp_path / "var" / "hub.sqlite3"
    env = hub_environment(database)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env["HUB_PORT"] = str(port)
        env["HUB_DEMO_DIR"] = str(tmp_path / "demo")
        ran = subprocess.run(  # noqa: S603 - make with fixed arguments
            [
                make,
                "-s",
                "-C",
                str(repository),
                "run",
                f"STAMP={stamp}",
                f"BIN={Path(cae_hub_command()[0]).parent}",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert ran.returncode != 0, ran
    assert f"erreur : le port {port} est déjà pris" in ran.stderr
    assert "make run" in ran.stderr and "HUB_PORT=" in ran.stderr
    assert "Traceback" not in ran.stderr
    assert not database.exists() and not (tmp_path / "demo").exists()
