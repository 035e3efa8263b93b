"""What the benchmarks share: timing by median, a throwaway hub on SQLite, members and tokens."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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
