"""What the benchmarks share: timing by median, a throwaway hub on SQLite, members and tokens."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from fastapi import FastAPI
from sqlalchemy import Engine

from hub.config import Settings
from hub.db import make_engine, session_scope
from hub.main import create_app
from hub.members.models import Member, StaffRole
from hub.members.schemas import MemberCreate, StaffCreate, TokenIssue
from hub.members.service import member_service, staff_service, token_service
from hub.migrate import upgrade

T = TypeVar("T")


@dataclass(frozen=True)
class Timing:
    """Wall times (``time.perf_counter``) of the measured repetitions, warm-up runs excluded,
    in seconds, and the CPU time of the whole process (``time.process_time``, every thread)
    over the same repetitions."""

    samples: tuple[float, ...]
    cpu_samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def cpu_median(self) -> float:
        return statistics.median(self.cpu_samples)

    def describe(self) -> str:
        runs = len(self.samples)
        if runs == 1:
            return f"{seconds(self.samples[0])} (1 run; CPU {seconds(self.cpu_samples[0])})"
        return (
            f"median {seconds(self.median)} over {runs} runs "
            f"(min {seconds(min(self.samples))}, max {seconds(max(self.samples))}; "
            f"CPU {seconds(self.cpu_median)})"
        )


def measure(run: Callable[[int], Any], *, repeat: int = 5, warmup: int = 1) -> Timing:
    """Call ``run(0)`` … ``run(warmup + repeat - 1)`` and time the last ``repeat`` calls.

    ``run`` receives the number of its call, so that each call can work on fresh input
    (a new period, a new object) prepared by the caller outside the timed region when needed.
    """
    return measure_together({"run": run}, repeat=repeat, warmup=warmup)["run"]


def measure_together(
    runs: dict[str, Callable[[int], Any]], *, repeat: int = 5, warmup: int = 1
) -> dict[str, Timing]:
    """:func:`measure` for several contenders, taking turns within each repetition, so that
    a change in the machine's load during the measure weighs on all of them alike."""
    samples: dict[str, list[float]] = {name: [] for name in runs}
    cpu_samples: dict[str, list[float]] = {name: [] for name in runs}
    for number in range(warmup + repeat):
        for name, run in runs.items():
            cpu = time.process_time()
            start = time.perf_counter()
            run(number)
            elapsed = time.perf_counter() - start
            cpu = time.process_time() - cpu
            if number >= warmup:
                samples[name].append(elapsed)
                cpu_samples[name].append(cpu)
    return {name: Timing(tuple(samples[name]), tuple(cpu_samples[name])) for name in runs}


def once(call: Callable[[], T]) -> tuple[T, Timing]:
    """The result of ``call()`` and the time it took, for what is measured a single time."""
    cpu = time.process_time()
    start = time.perf_counter()
    result = call()
    return result, Timing((time.perf_counter() - start,), (time.process_time() - cpu,))


def machine() -> str:
    """The context of the timings: cores and load when the measure starts."""
    load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
    return f"{os.cpu_count()} cores, load average {load} (1, 5, 15 min)"


def seconds(value: float) -> str:
    """A duration with a unit that keeps three significant figures."""
    if value >= 1:
        return f"{value:.2f} s"
    if value >= 0.001:
        return f"{value * 1000:.1f} ms"
    return f"{value * 1_000_000:.0f} µs"


def ratio(numerator: float, denominator: float) -> str:
    """``numerator / denominator`` with three significant figures."""
    return f"{numerator / denominator:.3g}×" if denominator else "n/a"


def heading(title: str) -> None:
    print()
    print(title)
    print("=" * len(title))


@dataclass
class Hub:
    """A hub on a fresh, migrated SQLite database in a temporary folder."""

    settings: Settings
    engine: Engine
    app: FastAPI


@contextmanager
def temporary_hub() -> Iterator[Hub]:
    with tempfile.TemporaryDirectory(prefix="cae-hub-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'hub.sqlite3'}"
        settings = Settings(environment="test", database_url=url, log_level="WARNING")
        engine = make_engine(settings)
        try:
            upgrade(engine)
            yield Hub(settings, engine, create_app(settings, engine=engine))
        finally:
            engine.dispose()


def add_member(engine: Engine, profile: dict[str, Any]) -> Member:
    with session_scope(engine) as session:
        return member_service.create(session, MemberCreate(**profile))


def member_token(engine: Engine, siren: str) -> str:
    with session_scope(engine) as session:
        _, secret = token_service.issue(
            session, TokenIssue(member_siren=siren, label="mesures de performance")
        )
    return secret


def staff_token(engine: Engine) -> str:
    """A token of a new staff account (reads statistics, publishes periods)."""
    with session_scope(engine) as session:
        account, _ = staff_service.create(
            session,
            StaffCreate(
                email="mesures@federation.example",
                display_name="Mesures de performance",
                role=StaffRole.STAFF,
                password=None,  # the hub draws one; only the token is used
            ),
        )
        _, secret = token_service.issue(
            session, TokenIssue(staff_email=account.email, label="mesures de performance")
        )
    return secret


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# -- real hub processes, throwaway databases and a small HTTP client --------------------------

POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def postgres_reachable() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 5432), timeout=1).close()
    except OSError:
        return False
    return True


@contextmanager
def throwaway_database(kind: str, folder: Path) -> Iterator[str]:
    """The URL of a new, migrated database (``sqlite`` file in ``folder`` or a PostgreSQL
    database on 127.0.0.1:5432, dropped afterwards)."""
    import uuid

    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    if kind == "sqlite":
        url = f"sqlite:///{folder / f'hub-{uuid.uuid4().hex[:8]}.sqlite3'}"
    else:
        name = f"cae_hub_bench_{uuid.uuid4().hex[:12]}"
        admin = create_engine(POSTGRES_SERVER, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(POSTGRES_SERVER).set(database=name).render_as_string(hide_password=False)
    try:
        engine = make_engine(bench_settings(url))
        try:
            upgrade(engine)
        finally:
            engine.dispose()
        yield url
    finally:
        if kind != "sqlite":
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()


def bench_settings(url: str) -> Settings:
    return Settings(environment="test", database_url=url, log_level="WARNING")


@dataclass
class Served:
    """A hub (or a peer app) answering on ``port`` in processes of its own."""

    port: int
    log: Path


@contextmanager
def serve(
    url: str | None,
    folder: Path,
    *,
    workers: int = 1,
    app: str | None = None,
    extra_env: dict[str, str] | None = None,
) -> Iterator[Served]:
    """``cae-hub serve`` (one process) or ``uvicorn hub.main:create_app --factory --workers N``
    on the database ``url``; ``app`` serves another ASGI application (``module:attribute``)
    with uvicorn instead. Stopped (SIGTERM) when the block ends."""
    import subprocess
    import sys

    from hub.demo.server import free_port, stop_server, wait_until_healthy

    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("HUB_")}
    env.update(PYTHONUNBUFFERED="1", HUB_ENVIRONMENT="development", HUB_LOG_LEVEL="WARNING")
    if url is not None:
        env["HUB_DATABASE_URL"] = url
    env.update(extra_env or {})
    address = ["--host", "127.0.0.1", "--port", str(port)]
    if app is not None:
        command = [sys.executable, "-m", "uvicorn", app, *address, "--no-access-log"]
    elif workers == 1:
        serve_hub = "import sys; from cae_contract.cli import main; sys.exit(main())"
        command = [sys.executable, "-c", serve_hub, "serve", "--no-migrate", *address]
    else:
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "hub.main:create_app",
            "--factory",
            "--workers",
            str(workers),
            "--no-access-log",
            *address,
        ]
    log = folder / f"serve-{port}.log"
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - this interpreter, fixed arguments
            command, env=env, stdout=output, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
    try:
        wait_until_healthy(process, f"http://127.0.0.1:{port}", log)
        yield Served(port, log)
    finally:
        stop_server(process)


def add_members(url: str, profiles: list[dict[str, Any]]) -> list[str]:
    """Members made directly in the database, and one token each (same order)."""
    engine = make_engine(bench_settings(url))
    try:
        tokens = []
        for profile in profiles:
            member = add_member(engine, profile)
            tokens.append(member_token(engine, member.siren))
        return tokens
    finally:
        engine.dispose()


def percentile(values: list[float], share: float) -> float:
    """The ``share`` quantile (nearest rank) of ``values``; nan when there are none."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return ordered[rank]


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


class Connection:
    """One keep-alive HTTP/1.1 connection to 127.0.0.1 over asyncio streams: a client with
    almost no per-request cost, so that the load generator is not what is measured."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: Any = None
        self.writer: Any = None
        self.last_used = 0.0

    async def open(self) -> None:
        import asyncio

        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with suppress(OSError):
                await self.writer.wait_closed()
            self.writer = None

    async def request(
        self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
    ) -> Answer:
        if self.writer is None:
            await self.open()
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        if body or method in ("PUT", "POST"):
            lines.append(f"Content-Length: {len(body)}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)
        await self.writer.drain()
        head = await self.reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        answer_headers = {}
        for line in header_lines:
            if ":" in line:
                name, _, value = line.partition(":")
                answer_headers[name.strip().lower()] = value.strip()
        length = int(answer_headers.get("content-length", "0"))
        content = await self.reader.readexactly(length) if length else b""
        self.last_used = time.perf_counter()
        if answer_headers.get("connection", "").lower() == "close":
            await self.close()
        return Answer(int(status_line.split(" ", 2)[1]), answer_headers, content)
