"""What the dashboard shows of payroll delegation: a CAE's own mandates with their calendar
and history; the federation's activity as counts only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from cae_contract.payroll import Month
from cae_contract.periods import PARIS
from hub.db import utcnow
from hub.delegations.calendar import tasks_of
from hub.delegations.exchange import exchange_service
from hub.delegations.repository import MandateRepository, PayloadRepository
from hub.delegations.schemas import MandateInfo, PayloadInfo, TaskInfo
from hub.delegations.service import ACTIVE, SUSPENDED, mandate_service
from hub.members.models import Member
from hub.members.repository import MemberRepository


@dataclass(frozen=True)
class MandateView:
    """What a CAE's page shows of one of its mandates."""

    mandate: MandateInfo
    partner: str
    months: list[tuple[str, list[TaskInfo]]]
    history: list[PayloadInfo]


@dataclass(frozen=True)
class Activity:
    """The federation's view: counts only, never a payload's metadata."""

    by_status: dict[str, int]
    tasks_done: int
    tasks_due: int
    tasks_late: int


DONE = {"envoyé", "reçu", "déposé", "accepté", "rejeté"}


def _recent_months(now: datetime) -> list[Month]:
    this = Month.of(now.astimezone(PARIS).date())
    previous = Month(this.year - 1, 12) if this.month == 1 else Month(this.year, this.month - 1)
    return [previous, this]


def member_view(
    session: Session, caller: Member, *, now: datetime | None = None
) -> list[MandateView]:
    """Each of the caller's mandates with the tasks of last and this month, and its history."""
    now = now or utcnow()
    views = []
    for info in mandate_service.mandates_of(session, caller):
        partner_siren = info.delegataire if info.role == "delegante" else info.delegante
        partner = MemberRepository(session).get_by_siren(partner_siren)
        months = []
        if info.status in (ACTIVE, SUSPENDED):
            for month in _recent_months(now):
                tasks = exchange_service.month_tasks(session, caller, info.uid, month, now=now)
                if tasks:
                    months.append((str(month), tasks))
        history = exchange_service.payloads_of(session, caller, info.uid)
        views.append(
            MandateView(info, partner.name if partner else partner_siren, months, history[::-1])
        )
    return views


def federation_activity(session: Session, *, now: datetime | None = None) -> Activity:
    """Active mandates, and their tasks of last and this month: done, still due, late."""
    now = now or utcnow()
    mandates = MandateRepository(session)
    done = due = late = 0
    for mandate in mandates.all():
        if mandate.status != ACTIVE:
            continue
        document = mandate_service.in_force(session, mandate)
        if document is None:
            continue
        for month in _recent_months(now):
            if not mandate_service.covers(document, month):
                continue
            payloads = PayloadRepository(session).of_mandate(mandate.id or 0, month=str(month))
            for task in tasks_of(document, month, payloads, now=now):
                if task.status in DONE:
                    done += 1
                elif task.status == "en retard":
                    late += 1
                else:
                    due += 1
    return Activity(mandates.count_by_status(), done, due, late)
