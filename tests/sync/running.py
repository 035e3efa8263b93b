"""``cae-hub sync`` as a process of its own, with the test connector installed."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.served import cae_hub_command
from tests.sync.connector import install_entry_point


def sync_environment(folder: Path) -> dict[str, str]:
    """The caller's environment, no proxy, the ``jsonreports`` connector on PYTHONPATH."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("HUB_") and "proxy" not in key.lower()
    }
    env["PYTHONPATH"] = install_entry_point(folder / "site")
    env["PYTHONUNBUFFERED"] = "1"
    return env


def start_sync(folder: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 - our own console script, fixed arguments
        [*cae_hub_command(), "sync", *args],
        env=sync_environment(folder),
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_sync_command(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [*cae_hub_command(), "sync", *args],
        env=sync_environment(folder),
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
