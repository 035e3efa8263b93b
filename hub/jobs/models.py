"""The runs of the hub's jobs: one row per (job, slot), the lease that makes a slot run once."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import String, UniqueConstraint
from sqlmodel import Field, SQLModel

from hub.db import UTCDateTime, utcnow


class RunOutcome(StrEnum):
    RUNNING = "running"
    OK = "ok"
    FAILED = "failed"


class JobRun(SQLModel, table=True):
    """One run of a job for one slot.

    The unique (job, slot) pair is the lease: the hub process whose insert succeeds runs the
    job; the others, and any process after a restart, find the row and skip the slot.
    """

    __tablename__ = "job_run"
    __table_args__ = (UniqueConstraint("job", "slot", name="uq_job_run_job_slot"),)

    id: int | None = Field(default=None, primary_key=True)
    job: str = Field(max_length=100)
    slot: datetime = Field(sa_type=UTCDateTime)
    started_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    ended_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    outcome: RunOutcome = Field(default=RunOutcome.RUNNING, sa_type=String(10))
    message: str = Field(default="", max_length=500)
    process: str = Field(max_length=100, description="host:pid of the process that ran it")
