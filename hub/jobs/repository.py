"""Every query on job runs."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from hub.db import utcnow
from hub.jobs.models import JobRun, RunOutcome


class JobRunRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def claim(self, job: str, slot: datetime, process: str) -> JobRun | None:
        """The new run of ``job`` for ``slot``, or None when a run already holds that slot."""
        run = JobRun(job=job, slot=slot, process=process, started_at=utcnow())
        try:
            with self.session.begin_nested():
                self.session.add(run)
        except IntegrityError:
            return None
        return run

    def finish(self, run_id: int, outcome: RunOutcome, message: str) -> None:
        run = self.session.get(JobRun, run_id)
        if run is None:
            return
        run.outcome = outcome
        run.message = message[:500]
        run.ended_at = utcnow()
        self.session.add(run)
        self.session.flush()

    def latest(self, jobs: Sequence[str]) -> dict[str, JobRun]:
        """The most recent run of each of ``jobs`` that has one."""
        newest = (
            select(col(JobRun.job), func.max(col(JobRun.slot)).label("slot"))
            .where(col(JobRun.job).in_(jobs))
            .group_by(col(JobRun.job))
            .subquery()
        )
        query = select(JobRun).join(
            newest, (col(JobRun.job) == newest.c.job) & (col(JobRun.slot) == newest.c.slot)
        )
        return {run.job: run for run in self.session.exec(query)}

    def runs(self, job: str, *, limit: int = 100) -> list[JobRun]:
        query = (
            select(JobRun).where(JobRun.job == job).order_by(col(JobRun.slot).desc()).limit(limit)
        )
        return list(self.session.exec(query))

    def count(self, job: str, outcome: RunOutcome | None = None) -> int:
        query = select(func.count()).select_from(JobRun).where(JobRun.job == job)
        if outcome is not None:
            query = query.where(JobRun.outcome == outcome)
        return int(self.session.exec(query).one())
