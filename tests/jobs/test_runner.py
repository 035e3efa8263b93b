"""Running a job for a slot: once per slot across processes and restarts, failures recorded."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from hub.config import Settings
from hub.db import make_engine
from hub.jobs.models import JobRun, RunOutcome
from hub.jobs.registry import (
    TASK_MODULES,
    InvalidSchedule,
    JobSpec,
    UnknownJob,
    cron_trigger,
    find_job,
    load_jobs,
)
from hub.jobs.scheduler import fire, start_scheduler, stop_scheduler
from hub.jobs.service import latest_slot, run_job
from tests.databases import settings_for

SLOT = datetime(2026, 7, 15, 6, 0, tzinfo=UTC)


def _name() -> str:
    return f"essai-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def settings(engine: Engine) -> Settings:
    return settings_for(engine.url.render_as_string(hide_password=False))


def _runs(engine: Engine, job: str) -> list[JobRun]:
    with Session(engine) as session:
        query = select(JobRun).where(JobRun.job == job).order_by(JobRun.slot)  # type: ignore[arg-type]
        return list(session.exec(query))


class Counting:
    """A job that counts its runs, and can be told to fail."""

    def __init__(self, *, fail_on: set[datetime] | None = None) -> None:
        self.slots: list[datetime] = []
        self.fail_on = fail_on or set()
        self.lock = threading.Lock()

    def __call__(self, session: Session, slot: datetime, settings: Settings) -> str:
        with self.lock:
            self.slots.append(slot)
        if slot in self.fail_on:
            raise RuntimeError("le service tiers ne répond pas")
        return f"créneau {slot:%H:%M:%S} traité"


def test_a_slot_runs_once_and_records_its_outcome(engine: Engine, settings: Settings) -> None:
    job = Counting()
    spec = JobSpec(_name(), "0 8 * * *", "Essai", job)

    first = run_job(engine, spec, SLOT, settings)
    again = run_job(engine, spec, SLOT, settings)

    assert first.ran and first.outcome == RunOutcome.OK
    assert first.line() == f"{spec.name} : réussie — créneau 06:00:00 traité"
    assert not again.ran
    assert again.line() == f"{spec.name} : déjà exécutée pour ce créneau, rien à faire"
    assert job.slots == [SLOT]
    [run] = _runs(engine, spec.name)
    assert run.slot == SLOT and run.outcome == RunOutcome.OK
    assert run.message == "créneau 06:00:00 traité"
    assert run.ended_at is not None and run.ended_at >= run.started_at
    assert run.process.endswith(f":{os.getpid()}")


def test_a_restarted_hub_does_not_run_a_slot_again(engine: Engine, settings: Settings) -> None:
    job = Counting()
    spec = JobSpec(_name(), "0 8 * * *", "Essai", job)
    assert run_job(engine, spec, SLOT, settings).ran

    # A new process: its own engine and pool, the same database.
    restarted = make_engine(settings)
    try:
        assert not run_job(restarted, spec, SLOT, settings).ran
        assert run_job(restarted, spec, SLOT + timedelta(days=1), settings).ran
    finally:
        restarted.dispose()
    assert job.slots == [SLOT, SLOT + timedelta(days=1)]


def test_concurrent_runners_run_a_slot_once(engine: Engine, settings: Settings) -> None:
    job = Counting()
    spec = JobSpec(_name(), "0 8 * * *", "Essai", job)
    engines = [make_engine(settings) for _ in range(4)]
    barrier = threading.Barrier(len(engines))
    results = []

    def runner(own: Engine) -> None:
        barrier.wait()
        results.append(run_job(own, spec, SLOT, settings))

    threads = [threading.Thread(target=runner, args=(own,)) for own in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for own in engines:
        own.dispose()
    assert sum(result.ran for result in results) == 1
    assert job.slots == [SLOT]
    assert len(_runs(engine, spec.name)) == 1


def test_a_failing_job_is_recorded_and_the_next_slot_still_runs(
    engine: Engine, settings: Settings
) -> None:
    job = Counting(fail_on={SLOT})
    spec = JobSpec(_name(), "0 8 * * *", "Essai", job)

    failed = run_job(engine, spec, SLOT, settings)
    following = run_job(engine, spec, SLOT + timedelta(days=1), settings)

    assert failed.ran and failed.outcome == RunOutcome.FAILED
    assert failed.line() == (
        f"{spec.name} : échec — erreur inattendue (RuntimeError : le service tiers ne répond pas)"
    )
    assert following.outcome == RunOutcome.OK
    runs = _runs(engine, spec.name)
    assert [run.outcome for run in runs] == [RunOutcome.FAILED, RunOutcome.OK]
    # The failed run is not retried for its slot: the slot is spent.
    assert not run_job(engine, spec, SLOT, settings).ran


def test_a_failing_job_rolls_back_its_work(engine: Engine, settings: Settings) -> None:
    name = _name()

    def half_done(session: Session, slot: datetime, settings: Settings) -> str:
        session.add(JobRun(job=f"{name}-trace", slot=slot, process="essai"))
        session.flush()
        raise ValueError("à mi-chemin")

    run_job(engine, JobSpec(name, "0 8 * * *", "Essai", half_done), SLOT, settings)
    assert _runs(engine, f"{name}-trace") == []
    assert _runs(engine, name)[0].outcome == RunOutcome.FAILED


def test_the_slot_is_the_last_fire_time_reached() -> None:
    spec = JobSpec("essai", "17 3 * * *", "Essai", Counting())
    # 03:17 in Paris is 01:17 UTC in summer.
    fired = datetime(2026, 7, 15, 1, 17, 0, 4000, tzinfo=UTC)
    assert latest_slot(spec, fired) == datetime(2026, 7, 15, 1, 17, tzinfo=UTC)
    assert latest_slot(spec, fired + timedelta(minutes=2)) == datetime(
        2026, 7, 15, 1, 17, tzinfo=UTC
    )
    # Far past the misfire grace, the scheduler would not fire it: no slot.
    assert latest_slot(spec, fired + timedelta(hours=1)) is None
    every_second = JobSpec("essai", "* * * * * *", "Essai", Counting())
    assert latest_slot(every_second, fired) == datetime(2026, 7, 15, 1, 17, tzinfo=UTC)


def test_fire_never_raises_into_the_scheduler(settings: Settings) -> None:
    def broken(session: Session, slot: datetime, settings: Settings) -> str:
        raise AssertionError("jamais appelée : la base est injoignable")

    unreachable = make_engine(settings, url="postgresql+psycopg://nobody@127.0.0.1:1/none")
    try:
        fire(unreachable, JobSpec("essai", "* * * * * *", "Essai", broken), settings)
    finally:
        unreachable.dispose()


@pytest.fixture
def every_second(engine: Engine, settings: Settings) -> Iterator[tuple[JobSpec, Counting]]:
    job = Counting()
    spec = JobSpec(_name(), "* * * * * *", "Chaque seconde", job)
    scheduler = start_scheduler(engine, settings, specs=[spec])
    try:
        yield spec, job
    finally:
        stop_scheduler(scheduler)


def test_the_scheduler_fires_jobs_on_their_schedule(
    engine: Engine, every_second: tuple[JobSpec, Counting]
) -> None:
    spec, job = every_second
    done = threading.Event()
    deadline = datetime.now(UTC) + timedelta(seconds=30)
    while len(job.slots) < 3 and datetime.now(UTC) < deadline:
        done.wait(0.2)
    assert len(job.slots) >= 3
    slots = sorted(job.slots)
    assert all(slot.microsecond == 0 for slot in slots)
    assert len(set(slots)) == len(slots)
    recorded = [run.slot for run in _runs(engine, spec.name)]
    assert set(slots) <= set(recorded)


def test_every_registered_job_is_found_by_name() -> None:
    settings = Settings(environment="test")
    specs = load_jobs(settings)
    assert set(specs) >= {
        "purge-sessions",
        "remind-missing-reports",
        "purge-temp-files",
        "send-mail",
    }
    assert len(TASK_MODULES) == len(set(TASK_MODULES))
    with pytest.raises(UnknownJob) as raised:
        find_job(specs, "purge-tout")
    assert raised.value.known == sorted(specs)


def test_settings_replace_a_schedule_and_refuse_a_bad_one() -> None:
    specs = load_jobs(Settings(environment="test", job_schedules={"send-mail": "*/10 * * * *"}))
    assert specs["send-mail"].cron == "*/10 * * * *"
    with pytest.raises(InvalidSchedule, match="tâches inconnues : envoi"):
        load_jobs(Settings(environment="test", job_schedules={"envoi": "* * * * *"}))
    with pytest.raises(InvalidSchedule, match="tâche send-mail : planification « 61 "):
        load_jobs(Settings(environment="test", job_schedules={"send-mail": "61 * * * *"}))
    with pytest.raises(InvalidSchedule, match="illisible : 5 champs attendus"):
        cron_trigger("tous les jours")
    with pytest.raises(InvalidSchedule, match="illisible"):
        cron_trigger("99 3 * * *")


def test_jobs_run_by_default_except_in_tests() -> None:
    assert Settings(environment="development").jobs_active
    assert Settings(environment="test").jobs_active is False
    assert Settings(environment="test", jobs_enabled=True).jobs_active
