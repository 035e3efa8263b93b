"""Read load: open-loop ``GET /v1/stats`` (a published table, member token) on PostgreSQL.

The hub runs on a throwaway PostgreSQL database holding one published semester of the
150 bench CAEs, first as one ``cae-hub serve`` process, then as
``uvicorn hub.main:create_app --factory --workers 2``. Requests are scheduled at a fixed
rate (50, 100 then 200 per second, ``SECONDS`` each) whatever the answers do (open loop):
each latency runs from the request's scheduled send time, so a queue in front of the hub, or
in the client, counts. The client is asyncio streams over keep-alive HTTP/1.1 connections
(a new one opened only when none is idle); its own lateness is printed to show it keeps up.

Then the service time of ``/healthz`` (one request at a time, one connection) against a bare
Starlette app answering the same JSON under the same uvicorn, in the same run.

Targets: p99 < 100 ms at 200 requests/s with 2 workers; ``/healthz`` ≤ 3× the bare app.
Run with ``python -m bench.readload``.
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import select

from bench.burst import uploads
from bench.federation import generate_federation
from bench.support import (
    Connection,
    add_members,
    bench_settings,
    heading,
    machine,
    percentile,
    postgres_reachable,
    ratio,
    seconds,
    serve,
    staff_token,
    throwaway_database,
)
from hub.db import make_engine, session_scope
from hub.members.models import StaffAccount
from hub.stats.service import stats_service

RATES = (50, 100, 200)
SECONDS = 10.0
TIMEOUT_S = 10.0
MAX_CONNECTIONS = 256
STALE_S = 3.0
HEALTH_REQUESTS = 400
PERIOD = "2024-S1"
QUERY = f"/v1/stats?indicator=entrepreneurs&period={PERIOD}"
TARGET_P99 = 0.100
TARGET_HEALTH = 3.0


@dataclass
class Load:
    rate: int
    latencies: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    lateness: list[float] = field(default_factory=list)
    connections: int = 0
    client_cpu: float = 0.0
    wall: float = 0.0

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


async def open_loop(port: int, token: str, rate: int, duration: float) -> Load:
    load = Load(rate)
    idle: list[Connection] = []
    headers = {"Authorization": f"Bearer {token}"}
    tasks: set[asyncio.Task[None]] = set()
    # A first connection, warm.
    first = Connection(port)
    await first.request("GET", QUERY, headers)
    idle.append(first)
    load.connections = 1

    async def one(scheduled: float) -> None:
        connection = idle.pop() if idle else None
        if connection is not None and time.perf_counter() - connection.last_used > STALE_S:
            # uvicorn closes a keep-alive connection idle for 5 s: never reuse one that old.
            await connection.close()
        if connection is None:
            connection = Connection(port)
            load.connections += 1
        load.lateness.append(time.perf_counter() - scheduled)
        try:
            answer = await asyncio.wait_for(connection.request("GET", QUERY, headers), TIMEOUT_S)
        except (TimeoutError, OSError, asyncio.IncompleteReadError) as exc:
            load.error(type(exc).__name__)
            await connection.close()
            return
        load.latencies.append(time.perf_counter() - scheduled)
        if answer.status != 200:
            load.error(str(answer.status))
        idle.append(connection)

    count = int(rate * duration)
    cpu = time.process_time()
    start = time.perf_counter()
    for number in range(count):
        scheduled = start + number / rate
        delay = scheduled - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if len(tasks) >= MAX_CONNECTIONS:
            load.error(f"not sent, {MAX_CONNECTIONS} requests already waiting")
            continue
        task = asyncio.create_task(one(scheduled))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    if tasks:
        await asyncio.wait(tasks)
    load.wall = time.perf_counter() - start
    load.client_cpu = time.process_time() - cpu
    for connection in idle:
        await connection.close()
    return load


async def service_time(
    port: int, path: str, count: int, headers: dict[str, str] | None = None
) -> list[float]:
    """Latencies of ``count`` requests one after the other on one connection (20 warm-up)."""
    connection = Connection(port)
    out = []
    for number in range(count + 20):
        start = time.perf_counter()
        answer = await connection.request("GET", path, headers)
        if answer.status != 200:
            raise RuntimeError(f"GET {path}: {answer.status}")
        if number >= 20:
            out.append(time.perf_counter() - start)
    await connection.close()
    return out


def prepare(url: str, port: int) -> str:
    """Reports of the 150 CAEs for PERIOD, published; a member token."""
    federation = generate_federation(caes=150, first=PERIOD, semesters=1)
    tokens = add_members(url, [cae.profile() for cae in federation.caes])

    async def send() -> None:
        connection = Connection(port)
        for upload in uploads(federation, tokens):
            headers = {"Authorization": f"Bearer {upload.token}"}
            headers["Content-Type"] = "application/json"
            answer = await connection.request("PUT", upload.path, headers, upload.body)
            if answer.status != 200:
                raise RuntimeError(f"PUT {upload.path}: {answer.status} {answer.body[:200]!r}")
        await connection.close()

    asyncio.run(send())
    settings = bench_settings(url)
    engine = make_engine(settings)
    try:
        staff_token(engine)  # the staff account that publishes
        with session_scope(engine) as session:
            staff = session.exec(select(StaffAccount)).one()
            stats_service.publish(session, period_text=PERIOD, staff=staff, settings=settings)
    finally:
        engine.dispose()
    return tokens[0]


def describe(load: Load) -> str:
    errors = sum(load.errors.values())
    detail = f" ({', '.join(f'{n} × {k}' for k, n in load.errors.items())})" if errors else ""
    return (
        f"{load.rate:>3}/s  p50 {seconds(percentile(load.latencies, 0.5)):>8}  "
        f"p99 {seconds(percentile(load.latencies, 0.99)):>8}  "
        f"max {seconds(max(load.latencies, default=float('nan'))):>8}  "
        f"errors {errors}/{int(load.rate * SECONDS)}{detail}; "
        f"client: lateness p99 {seconds(percentile(load.lateness, 0.99))}, "
        f"{load.connections} connections, CPU {100 * load.client_cpu / load.wall:.0f} % of a core"
    )


def main() -> None:
    heading("Read load: GET /v1/stats (a published table, member token), open loop")
    print(
        f"PostgreSQL, 150 CAEs' reports for {PERIOD} published; {SECONDS:g} s at each rate; "
        "latency from the scheduled send time. Client: asyncio streams, keep-alive "
        "HTTP/1.1 (no third-party client)."
    )
    print(f"Machine: {machine()}.")
    with tempfile.TemporaryDirectory(prefix="cae-hub-bench-") as name:
        folder = Path(name)
        health: dict[str, list[float]] = {}
        if not postgres_reachable():
            print("PostgreSQL on 127.0.0.1:5432 does not answer: read load skipped.")
        else:
            with throwaway_database("postgresql", folder) as url:
                with serve(url, folder) as served:
                    token = prepare(url, served.port)
                results: dict[str, list[float | None]] = {}
                for label, workers in (("cae-hub serve, 1 process", 1), ("uvicorn --workers 2", 2)):
                    with serve(url, folder, workers=workers) as served:
                        print(f"\n{label}:")
                        for rate in RATES:
                            load = asyncio.run(open_loop(served.port, token, rate, SECONDS))
                            print("  " + describe(load))
                            results.setdefault(label, []).append(
                                percentile(load.latencies, 0.99) if not load.errors else None
                            )
                        if workers == 1:
                            health["hub"] = asyncio.run(
                                service_time(served.port, "/healthz", HEALTH_REQUESTS)
                            )
                            alone = asyncio.run(
                                service_time(
                                    served.port, QUERY, 200, {"Authorization": f"Bearer {token}"}
                                )
                            )
                            print(
                                f"  one at a time: median {seconds(statistics.median(alone))}, "
                                f"p99 {seconds(percentile(alone, 0.99))} "
                                f"(at most ~{1 / statistics.median(alone):.0f} requests/s "
                                "per process)"
                            )
                p99 = results["uvicorn --workers 2"][-1]
                met = p99 is not None and p99 < TARGET_P99
                print(
                    f"Verdict: 2 workers at {RATES[-1]}/s, p99 "
                    f"{seconds(p99) if p99 is not None else 'with errors'} "
                    f"(target < {seconds(TARGET_P99)}: {'met' if met else 'MISSED'})"
                )
        if "hub" not in health:
            with throwaway_database("sqlite", folder) as url, serve(url, folder) as served:
                health["hub"] = asyncio.run(service_time(served.port, "/healthz", HEALTH_REQUESTS))
        with serve(None, folder, app="bench.bare:app") as served:
            health["bare"] = asyncio.run(service_time(served.port, "/healthz", HEALTH_REQUESTS))
    hub, bare = statistics.median(health["hub"]), statistics.median(health["bare"])
    print(
        f"\n/healthz service time, {HEALTH_REQUESTS} sequential requests on one connection: "
        f"hub median {seconds(hub)} (p99 {seconds(percentile(health['hub'], 0.99))}), "
        f"bare Starlette median {seconds(bare)} (p99 {seconds(percentile(health['bare'], 0.99))})"
    )
    print(
        f"hub / bare Starlette   {ratio(hub, bare)} (target ≤ {TARGET_HEALTH:g}×: "
        f"{'met' if hub / bare <= TARGET_HEALTH else 'MISSED'}); the hub's /healthz also "
        "pings its database (at most once a second), the bare app does not."
    )


if __name__ == "__main__":
    main()
