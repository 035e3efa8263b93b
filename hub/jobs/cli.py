"""``cae-hub jobs list|run``: the hub's scheduled jobs from the shell."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Annotated

import typer

from cae_contract.cli import fail
from cae_contract.periods import PARIS
from hub.cli import load_settings, migrated_engine, unit_of_work
from hub.db import utcnow
from hub.jobs.models import RunOutcome
from hub.jobs.registry import InvalidSchedule, JobSpec, UnknownJob, find_job, load_jobs
from hub.jobs.service import job_statuses, run_job
from hub.logs import configure_logging

jobs_app = typer.Typer(help="Tâches planifiées du hub.", no_args_is_help=True)

NEVER = "jamais"


def local_time(moment: datetime | None) -> str:
    """``03/12/2026 03:17`` in France's time, or « jamais »."""
    return moment.astimezone(PARIS).strftime("%d/%m/%Y %H:%M") if moment else NEVER


def _specs() -> dict[str, JobSpec]:
    try:
        return load_jobs(load_settings())
    except InvalidSchedule as exc:
        fail(str(exc))


@jobs_app.command("list")
def jobs_list() -> None:
    """Lister les tâches : planification, dernière exécution, résultat, prochaine exécution."""
    specs = _specs()
    with unit_of_work() as session:
        statuses = job_statuses(session, specs)
    header = ("Nom", "Intitulé", "Planification", "Dernière exécution", "Résultat", "Prochaine")
    rows = [
        (
            status.spec.name,
            status.spec.title,
            status.spec.cron,
            local_time(status.last.slot if status.last else None),
            status.outcome_label,
            local_time(status.next_run),
        )
        for status in statuses
    ]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        typer.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


@jobs_app.command("run")
def jobs_run(
    name: Annotated[str, typer.Argument(help="Nom de la tâche (voir « jobs list »)")],
) -> None:
    """Exécuter une tâche tout de suite (créneau : maintenant) et afficher son résultat."""
    specs = _specs()
    try:
        spec = find_job(specs, name)
    except UnknownJob as exc:
        fail(f"tâche inconnue : « {exc.name[:60]} » ; tâches connues : {', '.join(exc.known)}")
    settings = load_settings()
    # The outcome line says what happened; the log (and a failure's traceback) is the
    # server's business, not the shell's.
    configure_logging(settings.model_copy(update={"log_level": "WARNING"}))
    logging.getLogger("hub.jobs").setLevel(logging.CRITICAL)
    with migrated_engine(settings) as engine:
        result = run_job(engine, spec, utcnow(), settings)
    typer.echo(result.line())
    if result.outcome == RunOutcome.FAILED:
        raise typer.Exit(1)
