"""Running the sync on a cron schedule (APScheduler 3), with jitter.

The jitter spreads the federation's CAEs over a window: with « 0 2 * * * » and 900 s of
jitter, each run starts at a random moment between 02:00 and 02:15, so 150 clients do not
reach the hub in the same second.
"""

from __future__ import annotations

import logging
import re
import signal
import threading
from collections.abc import Callable
from datetime import tzinfo
from types import FrameType

from apscheduler.events import (  # type: ignore[import-untyped]
    EVENT_JOB_ERROR,
    EVENT_JOB_EXECUTED,
    EVENT_SCHEDULER_START,
    SchedulerEvent,
)
from apscheduler.schedulers.blocking import BlockingScheduler  # type: ignore[import-untyped]
from apscheduler.triggers.cron import CronTrigger  # type: ignore[import-untyped]

from cae_contract.periods import PARIS

JOB_ID = "cae-hub-sync"
_DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun"]
# A day number in a crontab day-of-week field, not a step (« */2 ») nor part of a bigger number.
_DAY_NUMBER = re.compile(r"(?<![/\d])([0-7])(?!\d)")


def cron_trigger(expression: str, *, jitter: int = 0, timezone: tzinfo = PARIS) -> CronTrigger:
    """A trigger for a 5-field crontab expression, read as cron reads it.

    APScheduler 3 counts days of the week from Monday = 0, cron from Sunday = 0: numbers in
    that field are turned into day names first, so « 1-5 » still means Monday to Friday.
    Raises ValueError for an expression that is not one.
    """
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(f"5 fields expected, got {len(fields)}")
    minute, hour, day, month, day_of_week = fields
    day_of_week = _DAY_NUMBER.sub(lambda m: _DAY_NAMES[int(m.group(1))], day_of_week)
    return CronTrigger(
        minute=minute,
        hour=hour,
        day=day,
        month=month,
        day_of_week=day_of_week,
        timezone=timezone,
        jitter=jitter or None,
    )


def build_scheduler(
    job: Callable[[], None], trigger: CronTrigger, *, log: Callable[[str], None]
) -> BlockingScheduler:
    """A scheduler running ``job`` on ``trigger``: one run at a time, missed runs merged."""
    # APScheduler's own messages are English and redundant with ours; keep only its errors.
    logging.getLogger("apscheduler").setLevel(logging.ERROR)
    scheduler = BlockingScheduler(
        timezone=PARIS,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    )
    scheduler.add_job(job, trigger, id=JOB_ID, name="synchronisation")

    def announce(event: SchedulerEvent) -> None:
        found = scheduler.get_job(JOB_ID)
        if found is not None and found.next_run_time is not None:
            log(f"prochaine synchronisation : {found.next_run_time.isoformat(timespec='seconds')}")

    scheduler.add_listener(announce, EVENT_SCHEDULER_START | EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)
    return scheduler


def run_on_schedule(
    job: Callable[[], None], *, cron: str, jitter: int, log: Callable[[str], None]
) -> None:
    """Block, running ``job`` on the schedule, until SIGTERM or SIGINT."""
    scheduler = build_scheduler(job, cron_trigger(cron, jitter=jitter), log=log)

    def stop(signum: int, frame: FrameType | None) -> None:
        log("arrêt demandé : la synchronisation planifiée s'arrête")
        scheduler.shutdown(wait=False)

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
    log(
        f"synchronisation planifiée « {cron} », départ tiré au hasard dans les {jitter} s suivantes"
    )
    scheduler.start()
