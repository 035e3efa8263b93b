"""A mandate's monthly tasks: which the mandate sets, when each is due, and where it stands
given the payloads received (à faire, envoyé, reçu, déposé, accepté, rejeté, en retard)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from cae_contract.payroll import (
    Kind,
    Month,
    dsn_due,
    next_working_day,
    payslips_due,
    variables_due,
)
from cae_contract.periods import PARIS
from hub.delegations.models import Payload
from hub.delegations.schemas import TaskInfo

MONTHLY = (Kind.VARIABLES, Kind.BULLETINS, Kind.DSN, Kind.DSN_RETOUR)


def due_of(document: dict[str, Any], kind: Kind, month: Month) -> datetime:
    alsace = bool(document.get("alsace_moselle"))
    if kind is Kind.VARIABLES:
        return variables_due(month, int(document["jour_variables"]), alsace_moselle=alsace)
    if kind is Kind.BULLETINS:
        return payslips_due(month, alsace_moselle=alsace)
    due = dsn_due(month, int(document["jour_dsn"]), alsace_moselle=alsace)
    if kind is Kind.DSN_RETOUR:  # the return comes the working day after the filing
        later = next_working_day(due.date() + timedelta(days=1), alsace_moselle=alsace)
        return due.replace(year=later.year, month=later.month, day=later.day)
    return due


def status_of(kind: Kind, sent: list[Payload], due: datetime, now: datetime) -> str:
    if not sent:
        return "en retard" if now > due else "à faire"
    last = sent[-1]
    if kind is Kind.DSN:
        return "déposé"
    if kind is Kind.DSN_RETOUR:
        return {"accepte": "accepté", "rejete": "rejeté"}.get(last.verdict or "", "reçu")
    return "reçu" if last.acknowledged_at is not None else "envoyé"


def tasks_of(
    document: dict[str, Any], month: Month, payloads: list[Payload] | Any, *, now: datetime
) -> list[TaskInfo]:
    """The monthly tasks the mandate's document sets, with their deadlines and statuses."""
    tasks: list[TaskInfo] = []
    for kind in MONTHLY:
        if kind.task not in document.get("taches", []):
            continue
        due = due_of(document, kind, month)
        sent = [p for p in payloads if p.kind == kind.value]
        tasks.append(
            TaskInfo(
                kind=kind.value,
                label=kind.label,
                sender=kind.sender.value,
                due=due.astimezone(PARIS),
                status=status_of(kind, sent, due, now),
            )
        )
    return tasks
