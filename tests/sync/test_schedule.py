"""Cron schedules: read as cron reads them, jittered, and actually run by the scheduler."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger  # type: ignore[import-untyped]

from cae_contract.periods import PARIS
from connectors.sync.schedule import build_scheduler, cron_trigger


def test_days_of_the_week_are_counted_as_cron_counts_them() -> None:
    saturday = datetime(2026, 1, 10, 12, 0, tzinfo=PARIS)
    weekdays = cron_trigger("0 2 * * 1-5")
    assert weekdays.get_next_fire_time(None, saturday) == datetime(2026, 1, 12, 2, 0, tzinfo=PARIS)
    sunday = cron_trigger("30 3 * * 0")
    assert sunday.get_next_fire_time(None, saturday) == datetime(2026, 1, 11, 3, 30, tzinfo=PARIS)
    assert cron_trigger("0 */6 * * */2").fields[4].expressions[0].step == 2


def test_jitter_spreads_runs_after_the_scheduled_time() -> None:
    start = datetime(2026, 1, 10, 12, 0, tzinfo=PARIS)
    nightly = datetime(2026, 1, 11, 2, 0, tzinfo=PARIS)
    trigger = cron_trigger("0 2 * * *", jitter=900)
    draws = {trigger.get_next_fire_time(None, start) for _ in range(50)}
    assert all(timedelta(0) <= d - nightly <= timedelta(seconds=900) for d in draws)
    assert len(draws) > 40  # not all CAEs at the same second


def test_the_scheduler_runs_the_job_on_its_trigger() -> None:
    runs: list[datetime] = []
    notes: list[str] = []
    enough = threading.Event()

    def job() -> None:
        runs.append(datetime.now(PARIS))
        if len(runs) == 2:
            enough.set()

    scheduler = build_scheduler(job, CronTrigger(second="*", timezone=PARIS), log=notes.append)
    worker = threading.Thread(target=scheduler.start, daemon=True)
    worker.start()
    try:
        assert enough.wait(10)
    finally:
        scheduler.shutdown(wait=True)
        worker.join(10)
    assert len(runs) >= 2
    assert notes[0].startswith("prochaine synchronisation : ")
    assert not scheduler.running
