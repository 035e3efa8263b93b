"""A real hub for tests: ``cae-hub serve`` in a process of its own, reached over a socket.

``start_hub`` runs the server on a fresh SQLite file and waits for /healthz; ``RunningHub.cli``
runs other ``cae-hub`` commands on the same database. Used by tests/test_serve.py and by the
sync client's tests.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
import uvicorn
from fastapi import FastAPI

from hub.demo.server import HubDidNotStart, free_port, stop_server, wait_until_healthy


def cae_hub_command() -> list[str]:
    """The ``cae-hub`` console script next to this interpreter, else its entry point."""
    script = Path(sys.executable).with_name("cae-hub")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "import sys; from cae_contract.cli import main; sys.exit(main())"]


def run_cae_hub(
    env: dict[str, str], workdir: Path, *args: str, command: Sequence[str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``cae-hub ARGS`` in a process of its own, in ``workdir`` with ``env``; its output."""
    return subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [*(command or cae_hub_command()), *args],
        env=env,
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def plain_session() -> requests.Session:
    session = requests.Session()
    session.trust_env = False  # no proxy between the test and 127.0.0.1
    return session


@dataclass
class RunningHub:
    process: subprocess.Popen[bytes]
    base_url: str
    env: dict[str, str]
    workdir: Path
    log: Path
    database: Path
    command: Sequence[str]

    def log_tail(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]

    def cli(self, *args: str) -> subprocess.CompletedProcess[str]:
        """``cae-hub ARGS`` on the same database as the server."""
        return run_cae_hub(self.env, self.workdir, *args, command=self.command)

    def admin_token(self, email: str = "admin@tests.cae-hub.fr") -> str:
        """An administrator account and its token, made with the command line."""
        added = self.cli("staff", "add", email, "--name", "Administration", "--role", "admin")
        assert added.returncode == 0, added.stderr
        issued = self.cli("tokens", "issue", "--staff", email, "--label", "tests")
        assert issued.returncode == 0, issued.stderr
        found = re.search(r"conservez-le\) : (caeh_\S+)", issued.stdout)
        assert found, issued.stdout
        return found.group(1)


def register_member(
    hub: RunningHub,
    http: requests.Session,
    *,
    admin_token: str,
    siren: str,
    name: str,
    label: str = "synchronisation",
) -> str:
    """A member CAE created through the admin API, and the secret of a token issued for it."""
    admin = {"Authorization": f"Bearer {admin_token}"}
    created = http.post(
        f"{hub.base_url}/v1/admin/members",
        headers=admin,
        json={
            "name": name,
            "siren": siren,
            "region": "75",
            "departements": ["33"],
            "trades": ["43.21A"],
            "contact_email": "contact@cae-test.example",
        },
        timeout=30,
    )
    assert created.status_code == 201, created.text
    issued = http.post(
        f"{hub.base_url}/v1/admin/tokens",
        headers=admin,
        json={"member_siren": siren, "label": label},
        timeout=30,
    )
    assert issued.status_code == 201, issued.text
    return str(issued.json()["token"])


def hub_environment(database: Path) -> dict[str, str]:
    """The caller's environment without any HUB_* setting, pointed at ``database``."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("HUB_")}
    env["HUB_DATABASE_URL"] = f"sqlite:///{database}"
    env["HUB_ENVIRONMENT"] = "development"
    env["PYTHONUNBUFFERED"] = "1"
    return env


@contextmanager
def start_hub(
    workdir: Path,
    *,
    database_url: str | None = None,
    serve_args: Sequence[str] = (),
    command: Sequence[str] | None = None,
) -> Iterator[RunningHub]:
    """``cae-hub serve`` on a database file under ``workdir`` that does not exist yet (or on
    ``database_url``), with ``serve_args`` added to its command line; ``command`` is the
    ``cae-hub`` script to run (by default, the one beside this interpreter)."""
    command = list(command or cae_hub_command())
    database = workdir / "var" / "hub.sqlite3"
    env = hub_environment(database)
    if database_url is not None:
        env["HUB_DATABASE_URL"] = database_url
    port = free_port()
    log = workdir / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - our own console script, fixed arguments
            [
                *command,
                *("serve", "--host", "127.0.0.1", "--port", str(port), *serve_args),
            ],
            env=env,
            cwd=workdir,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    hub = RunningHub(process, f"http://127.0.0.1:{port}", env, workdir, log, database, command)
    try:
        try:
            wait_until_healthy(process, hub.base_url, log)
        except HubDidNotStart as exc:
            pytest.fail(f"{exc}\n{hub.log_tail()}")
        yield hub
    finally:
        stop_server(process)


@contextmanager
def serve_in_thread(app: FastAPI) -> Iterator[str]:
    """``app`` served by uvicorn on a real socket, in a thread of this process."""
    config = uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_config=None)
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(1000):
            if server.started:
                break
            thread.join(0.01)
        assert server.started, "le hub de test n'a pas démarré"
        yield f"http://127.0.0.1:{config.port}"
    finally:
        server.should_exit = True
        thread.join(30)
