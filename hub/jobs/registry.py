"""Registering a job beside its function, and the explicit list of task modules.

A domain declares its jobs in its own ``tasks.py``::

    @job("purge-sessions", cron="17 3 * * *", title="Purge des sessions expirées")
    def purge_sessions(session: Session, slot: datetime, settings: Settings) -> str:
        ...
        return "3 sessions supprimées"

The function gets a session whose transaction the runner owns (committed when the function
returns, rolled back when it raises), the slot it runs for (the scheduled fire time, in UTC)
and the settings; it returns a short French outcome shown to staff. Jobs must be idempotent
per slot.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TypeAlias

from apscheduler.triggers.cron import CronTrigger  # type: ignore[import-untyped]
from sqlmodel import Session

from cae_contract.periods import PARIS
from hub.config import Settings

JobFunction: TypeAlias = Callable[[Session, datetime, Settings], str]

# Every module that declares jobs, in one place: discovery never scans imports.
TASK_MODULES = (
    "hub.members.tasks",
    "hub.indicators.tasks",
    "hub.jobs.tasks",
    "hub.mail.tasks",
    "hub.audit.tasks",
    "hub.trainings.tasks",
    "hub.seminars.tasks",
    "hub.delegations.tasks",
)

_REGISTRY: dict[str, JobSpec] = {}


class UnknownJob(LookupError):
    """No job of that name; ``known`` lists the names there are."""

    def __init__(self, name: str, known: list[str]) -> None:
        super().__init__(name)
        self.name = name
        self.known = known


class InvalidSchedule(ValueError):
    """A cron expression APScheduler cannot read."""


def cron_trigger(cron: str) -> CronTrigger:
    """The trigger of ``cron``: five fields (minute first), or six with the seconds first.

    Times are those of France, where the federation's staff reads them.
    """
    fields = cron.split()
    try:
        if len(fields) == 5:
            return CronTrigger.from_crontab(cron, timezone=PARIS)
        if len(fields) == 6:
            second, minute, hour, day, month, day_of_week = fields
            return CronTrigger(
                second=second,
                minute=minute,
                hour=hour,
                day=day,
                month=month,
                day_of_week=day_of_week,
                timezone=PARIS,
            )
    except ValueError as exc:
        raise InvalidSchedule(
            f"planification « {cron[:60]} » illisible : une valeur sort de son champ "
            "(minute 0-59, heure 0-23, jour 1-31, mois 1-12, jour de la semaine 0-6)"
        ) from exc
    raise InvalidSchedule(
        f"planification « {cron[:60]} » illisible : 5 champs attendus (minute heure jour mois "
        "jour-de-la-semaine), ou 6 avec les secondes en tête"
    )


@dataclass(frozen=True)
class JobSpec:
    """A job: its name (what ``cae-hub jobs run`` takes), French title, cron and function."""

    name: str
    cron: str
    title: str
    function: JobFunction

    def trigger(self) -> CronTrigger:
        return cron_trigger(self.cron)

    def scheduled(self, overrides: Mapping[str, str]) -> JobSpec:
        """This job with the cron the settings give it, if they do."""
        cron = overrides.get(self.name)
        if cron is None or cron == self.cron:
            return self
        return JobSpec(self.name, cron, self.title, self.function)


def job(name: str, *, cron: str, title: str) -> Callable[[JobFunction], JobFunction]:
    """Register the decorated function as the job ``name``, fired on ``cron``."""
    cron_trigger(cron)  # a typo in a schedule fails at import, not at 3 a.m.

    def register(function: JobFunction) -> JobFunction:
        if name in _REGISTRY and _REGISTRY[name].function is not function:
            raise ValueError(f"job {name!r} registered twice")
        _REGISTRY[name] = JobSpec(name, cron, title, function)
        return function

    return register


def load_jobs(settings: Settings) -> dict[str, JobSpec]:
    """Every job of the hub by name, with the schedules of the settings applied."""
    for module in TASK_MODULES:
        importlib.import_module(module)
    unknown = sorted(set(settings.job_schedules) - set(_REGISTRY))
    if unknown:
        raise InvalidSchedule(
            "HUB_JOB_SCHEDULES nomme des tâches inconnues : " + ", ".join(unknown)
        )
    specs = [spec.scheduled(settings.job_schedules) for spec in _REGISTRY.values()]
    for spec in specs:
        try:
            spec.trigger()
        except InvalidSchedule as exc:
            raise InvalidSchedule(f"HUB_JOB_SCHEDULES, tâche {spec.name} : {exc}") from None
    return {spec.name: spec for spec in sorted(specs, key=lambda s: s.name)}


def find_job(specs: Mapping[str, JobSpec], name: str) -> JobSpec:
    try:
        return specs[name]
    except KeyError:
        raise UnknownJob(name, sorted(specs)) from None
