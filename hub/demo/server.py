"""A hub of its own for the demonstration: ``cae-hub serve`` on a free local port.

The server runs in a child process, on the configured database, so that the sync clients
talk to it over HTTP exactly as the CAEs would, and the two use both cores.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

STARTUP_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 20.0
_SERVE = "import sys; from cae_contract.cli import main; sys.exit(main())"


class HubDidNotStart(Exception):
    """The temporary hub stopped or stayed silent; the message says where its log is."""


def free_port() -> int:
    """A local TCP port nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def temporary_hub(log: Path) -> Iterator[str]:
    """The base URL of a hub serving the configured database until the block ends."""
    port = free_port()
    command = [sys.executable, "-c", _SERVE, "serve", "--no-migrate", "--host", "127.0.0.1"]
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
            [*command, "--port", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(process, url, log)
        yield url
    finally:
        stop_server(process)


def wait_until_healthy(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    """Once ``/healthz`` answers 200; HubDidNotStart if the server stops or stays silent."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    with requests.Session() as http:
        http.trust_env = False  # no proxy between us and 127.0.0.1
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise HubDidNotStart(
                    f"le hub temporaire s'est arrêté au démarrage (code {process.returncode}) ; "
                    f"voir son journal : {log}"
                )
            try:
                if http.get(f"{url}/healthz", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.2)
    raise HubDidNotStart(
        f"le hub temporaire ne répond pas après {STARTUP_TIMEOUT_S:.0f} s ; "
        f"voir son journal : {log}"
    )


def stop_server(process: subprocess.Popen[bytes]) -> int:
    """SIGTERM, then SIGKILL if the server does not stop in time; the exit code."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT_S)
    return int(process.returncode)
