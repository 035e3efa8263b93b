"""The APScheduler of a hub process: started in the app's lifespan, one job per JobSpec.

Every hub process runs its own scheduler; the lease of :func:`hub.jobs.service.run_job`
lets one of them run each slot. A job's failure stays inside the job's run: nothing reaches
the scheduler, nor any request.
"""

from __future__ import annotations

from collections.abc import Iterable

import structlog
from apscheduler.schedulers.background import BackgroundScheduler  # type: ignore[import-untyped]
from sqlalchemy import Engine

from cae_contract.periods import PARIS
from hub.config import Settings
from hub.db import utcnow
from hub.jobs.registry import JobSpec, load_jobs
from hub.jobs.service import MISFIRE_GRACE, latest_slot, run_job

log = structlog.get_logger("hub.jobs")


def fire(engine: Engine, spec: JobSpec, settings: Settings) -> None:
    """What the scheduler calls: run the slot just reached, never raising."""
    try:
        slot = latest_slot(spec, utcnow())
        if slot is None:
            log.warning("job fired outside its schedule", job=spec.name)
            return
        run_job(engine, spec, slot, settings)
    except Exception:
        log.exception("job could not be run", job=spec.name)


def start_scheduler(
    engine: Engine, settings: Settings, *, specs: Iterable[JobSpec] | None = None
) -> BackgroundScheduler:
    """A started background scheduler firing ``specs`` (default: every job of the hub)."""
    chosen = list(specs) if specs is not None else list(load_jobs(settings).values())
    scheduler = BackgroundScheduler(
        timezone=PARIS,
        job_defaults={
            "coalesce": True,
            "max_instances": 1,
            "misfire_grace_time": int(MISFIRE_GRACE.total_seconds()),
        },
    )
    for spec in chosen:
        scheduler.add_job(
            fire,
            trigger=spec.trigger(),
            args=(engine, spec, settings),
            id=spec.name,
            name=spec.title,
        )
    scheduler.start()
    log.info("scheduler started", jobs=[spec.name for spec in chosen])
    return scheduler


def stop_scheduler(scheduler: BackgroundScheduler) -> None:
    """Stop firing; a job running now is waited for, so that its transaction ends."""
    if scheduler.running:
        scheduler.shutdown(wait=True)
