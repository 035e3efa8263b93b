"""Running ``cae-hub`` in-process as its console script would, and what it printed."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine

from cae_contract.cli import main


@dataclass
class Result:
    code: int
    out: str
    err: str


Cli = Callable[..., Result]


def cli_runner(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *command: str,
    engine: Engine | None = None,
) -> Cli:
    """``run(*args)`` types ``cae-hub *command *args`` (on ``engine``'s database when given)
    and returns its exit code and output."""
    if engine is not None:
        monkeypatch.setenv("HUB_DATABASE_URL", engine.url.render_as_string(hide_password=False))
        monkeypatch.setenv("HUB_LOG_LEVEL", "WARNING")

    def run(*args: str) -> Result:
        capsys.readouterr()
        monkeypatch.setattr(sys, "argv", ["cae-hub", *command, *args])
        try:
            main()
            code = 0
        except SystemExit as exc:
            code = int(exc.code or 0)
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run
