"""Running a job for a slot, once across every hub process, and what staff see of the jobs."""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

import structlog
from sqlalchemy import Engine
from sqlmodel import Session

from hub.config import Settings
from hub.db import session_scope, utcnow
from hub.jobs.models import JobRun, RunOutcome
from hub.jobs.registry import JobSpec
from hub.jobs.repository import JobRunRepository

log = structlog.get_logger("hub.jobs")

# How far back the scheduler may be late and still run a slot (see ``latest_slot``).
MISFIRE_GRACE = timedelta(minutes=5)


def process_name() -> str:
    return f"{socket.gethostname()[:80]}:{os.getpid()}"


@dataclass(frozen=True)
class RunResult:
    """What a run did: ``ran`` is False when another run already held the slot."""

    job: str
    slot: datetime
    ran: bool
    outcome: RunOutcome | None = None
    message: str = ""

    def line(self) -> str:
        """The outcome in one French line, as ``cae-hub jobs run`` prints it."""
        if not self.ran:
            return f"{self.job} : déjà exécutée pour ce créneau, rien à faire"
        label = "réussie" if self.outcome == RunOutcome.OK else "échec"
        return f"{self.job} : {label} — {self.message}"


def _failure_message(error: BaseException) -> str:
    # The exception's type and first line: enough for staff to know where to look, without
    # a traceback (which goes to the log).
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"erreur inattendue ({type(error).__name__}{' : ' + text[:300] if text else ''})"


def run_job(engine: Engine, spec: JobSpec, slot: datetime, settings: Settings) -> RunResult:
    """Run ``spec`` for ``slot`` unless a run (in any process, before any restart) holds it.

    Three transactions: the claim (committed at once, so that the other processes see it),
    the job's own work (committed or rolled back as a whole), then the outcome. Never raises
    for the job's failure: it is logged and recorded.
    """
    with session_scope(engine) as session:
        claimed = JobRunRepository(session).claim(spec.name, slot, process_name())
        run_id = claimed.id if claimed is not None else None
    if run_id is None:
        log.info("job slot already taken", job=spec.name, slot=slot.isoformat())
        return RunResult(spec.name, slot, ran=False)
    try:
        with session_scope(engine) as session:
            message = spec.function(session, slot, settings)
        outcome = RunOutcome.OK
    except Exception as error:
        log.exception("job failed", job=spec.name, slot=slot.isoformat())
        outcome, message = RunOutcome.FAILED, _failure_message(error)
    else:
        log.info("job ran", job=spec.name, slot=slot.isoformat(), outcome=message)
    try:
        with session_scope(engine) as session:
            JobRunRepository(session).finish(run_id, outcome, message)
    except Exception:
        log.exception("job outcome not recorded", job=spec.name, slot=slot.isoformat())
    return RunResult(spec.name, slot, ran=True, outcome=outcome, message=message)


def latest_slot(spec: JobSpec, now: datetime) -> datetime | None:
    """The last fire time of ``spec`` at or before ``now`` (within the misfire grace).

    APScheduler 3 does not hand the scheduled time to the function it fires; it fires at
    that time, so the slot is found again from the trigger. Every process finds the same
    one, which is what the lease needs.
    """
    trigger = spec.trigger()
    candidate = trigger.get_next_fire_time(None, now - MISFIRE_GRACE)
    slot = None
    while candidate is not None and candidate <= now:
        slot = candidate
        candidate = trigger.get_next_fire_time(candidate, candidate + timedelta(seconds=1))
    return slot


# A run still "running" after this long lost its process (stopped or killed mid-run): its
# slot stays spent, and staff are told.
STALE_RUN = timedelta(hours=1)


@dataclass(frozen=True)
class JobStatus:
    """A job as staff see it."""

    spec: JobSpec
    last: JobRun | None
    next_run: datetime | None
    now: datetime

    @property
    def outcome_label(self) -> str:
        if self.last is None:
            return "—"
        if self.last.outcome == RunOutcome.RUNNING and self.last.started_at < self.now - STALE_RUN:
            return "interrompue (processus arrêté pendant l'exécution)"
        return OUTCOME_LABELS[RunOutcome(self.last.outcome)]


def job_statuses(
    session: Session, specs: Mapping[str, JobSpec], *, now: datetime | None = None
) -> list[JobStatus]:
    now = now or utcnow()
    latest = JobRunRepository(session).latest(list(specs))
    return [
        JobStatus(spec, latest.get(name), spec.trigger().get_next_fire_time(None, now), now)
        for name, spec in specs.items()
    ]


OUTCOME_LABELS = {
    RunOutcome.RUNNING: "en cours",
    RunOutcome.OK: "réussie",
    RunOutcome.FAILED: "échec",
}
