"""The nightly burst: 150 CAEs sending their two semesters at once to a real hub process.

For SQLite and PostgreSQL (a throwaway database, dropped after), each on a fresh hub:

1. the peer: the same 300 reports sent one by one on one connection;
2. the burst: 300 connections opened, then every PUT released at once, no retry (a 503,
   with or without Retry-After, counts as failed); afterwards the database is read:
   revisions per member and period (stored, duplicated);
3. the real sync client (``connectors.sync.run_sync``, retries and Retry-After honoured) for
   the same 150 CAEs, all at once, on another fresh hub: documents accepted out of 300;
4. PostgreSQL only: 20 concurrent PUTs of one report under the same Idempotency-Key.

Targets: 0 failed, 0 duplicated, burst total ≤ 1.5× the sequential time; 300 / 300 accepted
by the sync client; one revision for the 20 same-key PUTs. Run with ``python -m bench.burst``.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import text

from bench.federation import Federation, SyntheticCae, generate_federation, report_for
from bench.support import (
    Answer,
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
    throwaway_database,
)
from cae_contract.periods import Period
from connectors.sdk.base import Connector, extractor
from hub.db import make_engine

CAES = 150
SEMESTERS = 2
FIRST = "2024-S1"
SAME_KEY_PUTS = 20
TARGET_RATIO = 1.5


@dataclass
class Upload:
    path: str
    body: bytes
    token: str


@dataclass
class Outcome:
    statuses: Counter[int] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    retry_after: int = 0
    latencies: list[float] = field(default_factory=list)
    total: float = 0.0
    answers: list[Answer] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return sum(n for status, n in self.statuses.items() if status != 200) + sum(
            self.errors.values()
        )

    def note(self, answer: Answer | None, error: str | None, latency: float) -> None:
        self.latencies.append(latency)
        if answer is None:
            self.errors[error or "?"] += 1
            return
        self.answers.append(answer)
        self.statuses[answer.status] += 1
        if answer.status == 503 and "retry-after" in answer.headers:
            self.retry_after += 1


def uploads(federation: Federation, tokens: list[str]) -> list[Upload]:
    out = []
    for cae, token in zip(federation.caes, tokens, strict=True):
        for period in federation.periods:
            body = json.dumps(report_for(cae, period)).encode()
            out.append(Upload(f"/v1/indicators/reports/{period}", body, token))
    return out


def headers(upload: Upload, key: str | None = None) -> dict[str, str]:
    out = {"Authorization": f"Bearer {upload.token}", "Content-Type": "application/json"}
    if key:
        out["Idempotency-Key"] = key
    return out


async def _send(
    connection: Connection, upload: Upload, key: str | None = None
) -> tuple[Answer | None, str | None]:
    try:
        answer = await asyncio.wait_for(
            connection.request("PUT", upload.path, headers(upload, key), upload.body), 180
        )
        return answer, None
    except (TimeoutError, OSError, asyncio.IncompleteReadError) as exc:
        await connection.close()
        return None, type(exc).__name__


async def _sequential(port: int, items: list[Upload]) -> Outcome:
    outcome = Outcome()
    connection = Connection(port)
    start = time.perf_counter()
    for upload in items:
        sent = time.perf_counter()
        answer, error = await _send(connection, upload)
        outcome.note(answer, error, time.perf_counter() - sent)
    outcome.total = time.perf_counter() - start
    await connection.close()
    return outcome


async def _together(port: int, items: list[Upload], keys: list[str | None]) -> Outcome:
    """Every upload on a connection of its own, opened first, then all released at once."""
    outcome = Outcome()
    connections = [Connection(port) for _ in items]
    await asyncio.gather(*(c.open() for c in connections))
    start = time.perf_counter()

    async def one(connection: Connection, upload: Upload, key: str | None) -> None:
        answer, error = await _send(connection, upload, key)
        outcome.note(answer, error, time.perf_counter() - start)

    await asyncio.gather(*(one(c, u, k) for c, u, k in zip(connections, items, keys, strict=True)))
    outcome.total = time.perf_counter() - start
    await asyncio.gather(*(c.close() for c in connections))
    return outcome


def revisions(url: str) -> tuple[int, int, int]:
    """(member+period pairs stored, pairs with more than one revision, reports in all)."""
    engine = make_engine(bench_settings(url))
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT member_id, period, COUNT(*) FROM indicator_report GROUP BY 1, 2")
            ).all()
    finally:
        engine.dispose()
    return len(rows), sum(1 for r in rows if r[2] > 1), sum(r[2] for r in rows)


def describe(outcome: Outcome) -> str:
    statuses = ", ".join(f"{n} × {s}" for s, n in sorted(outcome.statuses.items()))
    errors = ", ".join(f"{n} × {e}" for e, n in sorted(outcome.errors.items()))
    return "; ".join(part for part in (statuses, errors) if part)


class BenchConnector(Connector):
    """A connector that reads one synthetic CAE of the bench federation."""

    name: ClassVar[str] = "bench"
    version: ClassVar[str] = "1.0.0"
    title: ClassVar[str] = "CAE synthétique des mesures"
    config_schema: ClassVar[dict[str, Any]] = {"type": "object"}
    cae: SyntheticCae

    def check(self) -> None:
        return None

    @extractor("indicator-report")
    def report(self, period: Period) -> dict[str, Any]:
        return report_for(self.cae, period)


def sync_all(port: int, federation: Federation, tokens: list[str], folder: Path) -> Counter[str]:
    """``run_sync`` for every CAE in a thread of its own, released together."""
    from connectors.sync import run_sync
    from connectors.sync.config import ConnectorSettings, HubSettings, SyncConfig

    barrier = threading.Barrier(len(federation.caes))
    periods = tuple(str(p) for p in federation.periods)

    def one(number: int) -> Counter[str]:
        cae, token = federation.caes[number], tokens[number]
        base = folder / f"cae-{number}"
        base.mkdir(parents=True)
        config = SyncConfig(
            hub=HubSettings(url=f"http://127.0.0.1:{port}", token=token),
            connector=ConnectorSettings("bench"),
            data_dir=base / "data",
            base_dir=base,
            periods=periods,
        )
        connector = BenchConnector({}, base_dir=base)
        connector.cae = cae
        barrier.wait()
        try:
            report = run_sync(config, connector=connector)
        except Exception as exc:
            return Counter({f"run stopped: {type(exc).__name__}: {str(exc)[:120]}": 2})
        return Counter(outcome.status.name.lower() for outcome in report.outcomes)

    total: Counter[str] = Counter()
    with ThreadPoolExecutor(max_workers=len(federation.caes)) as pool:
        for counts in pool.map(one, range(len(federation.caes))):
            total.update(counts)
    return total


def run_kind(kind: str, federation: Federation, folder: Path) -> dict[str, Any]:
    profiles = [cae.profile() for cae in federation.caes]
    result: dict[str, Any] = {}
    with throwaway_database(kind, folder) as url:
        items = uploads(federation, add_members(url, profiles))
        with serve(url, folder) as served:
            result["sequential"] = asyncio.run(_sequential(served.port, items))
        result["sequential_db"] = revisions(url)
    with throwaway_database(kind, folder) as url:
        items = uploads(federation, add_members(url, profiles))
        with serve(url, folder) as served:
            result["burst"] = asyncio.run(_together(served.port, items, [None] * len(items)))
            result["burst_db"] = revisions(url)
            if kind == "postgresql":
                # One more semester of the first CAE, 20 times under one key, together.
                period = federation.periods[-1].following()
                body = json.dumps(report_for(federation.caes[0], period)).encode()
                same = Upload(f"/v1/indicators/reports/{period}", body, items[0].token)
                same_key = asyncio.run(
                    _together(
                        served.port, [same] * SAME_KEY_PUTS, ["bench-same-key"] * SAME_KEY_PUTS
                    )
                )
                result["same_key"] = same_key
                result["same_key_revisions"] = Counter(
                    json.loads(a.body).get("revision") if a.status == 200 else a.status
                    for a in same_key.answers
                )
                result["same_key_stored"] = revisions(url)[2] - result["burst_db"][2]
    with throwaway_database(kind, folder) as url:
        tokens = add_members(url, profiles)
        with serve(url, folder) as served:
            start = time.perf_counter()
            result["sync"] = sync_all(served.port, federation, tokens, folder / f"sync-{kind}")
            result["sync_time"] = time.perf_counter() - start
        result["sync_db"] = revisions(url)
    return result


def report(kind: str, result: dict[str, Any]) -> None:
    sequential, burst = result["sequential"], result["burst"]
    count = len(burst.latencies)
    stored, duplicated, reports = result["burst_db"]
    print(f"\n{kind}:")
    print(
        f"  sequential, one by one   {count} PUTs in {seconds(sequential.total)}: "
        f"{describe(sequential)}; p50 {seconds(percentile(sequential.latencies, 0.5))}, "
        f"p99 {seconds(percentile(sequential.latencies, 0.99))}"
    )
    print(f"  burst, all at once       {count} PUTs in {seconds(burst.total)}: {describe(burst)}")
    print(
        f"                           failed {burst.failed} / {count} "
        f"(of which 503 with Retry-After: {burst.retry_after}), "
        f"stored {stored} member+period, duplicated {duplicated} ({reports} reports in all)"
    )
    print(
        f"                           latency from the release: "
        f"p50 {seconds(percentile(burst.latencies, 0.5))}, "
        f"p99 {seconds(percentile(burst.latencies, 0.99))}, "
        f"max {seconds(max(burst.latencies))}"
    )
    total_ratio = burst.total / sequential.total
    print(
        f"  burst / sequential       total time {ratio(burst.total, sequential.total)} "
        f"(target ≤ {TARGET_RATIO}×: {'met' if total_ratio <= TARGET_RATIO else 'MISSED'})"
    )
    sync = result["sync"]
    accepted = sync.get("accepted", 0)
    stored_sync, duplicated_sync, _ = result["sync_db"]
    print(
        f"  sync client, all at once {accepted} / {2 * CAES} accepted in "
        f"{seconds(result['sync_time'])} ({', '.join(f'{n} {s}' for s, n in sync.items())}); "
        f"hub holds {stored_sync} member+period, duplicated {duplicated_sync} "
        f"(target {2 * CAES} / {2 * CAES}: {'met' if accepted == 2 * CAES else 'MISSED'})"
    )
    if "same_key" in result:
        same = result["same_key"]
        print(
            f"  same Idempotency-Key     {SAME_KEY_PUTS} PUTs together: {describe(same)}; "
            f"answers by revision (or status) {dict(result['same_key_revisions'])}; "
            f"reports stored: {result['same_key_stored']} (target 1)"
        )


def main() -> None:
    heading(f"Burst: {CAES} CAEs × {SEMESTERS} semesters at once, against a real hub process")
    print(
        "cae-hub serve (one process) on a fresh database; client: asyncio streams, one "
        "keep-alive HTTP/1.1 connection per PUT, opened before the release; no retry. "
        "The sync client: connectors.sync.run_sync in one thread per CAE, released together."
    )
    print(f"Machine: {machine()}.")
    federation = generate_federation(caes=CAES, first=FIRST, semesters=SEMESTERS)
    sizes = [len(report_for(c, p)["cells"]) for c in federation.caes for p in federation.periods]
    print(
        f"Reports: {len(sizes)}, {min(sizes)} to {max(sizes)} cells "
        f"(median {sorted(sizes)[len(sizes) // 2]})."
    )
    kinds = ["sqlite"] + (["postgresql"] if postgres_reachable() else [])
    if len(kinds) == 1:
        print("PostgreSQL on 127.0.0.1:5432 does not answer: SQLite only.")
    with tempfile.TemporaryDirectory(prefix="cae-hub-bench-") as folder:
        for kind in kinds:
            started = time.perf_counter()
            result = run_kind(kind, federation, Path(folder))
            report(kind, result)
            print(f"  ({kind} part: {seconds(time.perf_counter() - started)})")


if __name__ == "__main__":
    main()
