"""Deadline e-mails of payroll delegation: J-5 and J-2 before each monthly task's due date, and
an alert once it is late, to both CAEs of the mandate (their contact addresses). Each (mandate,
month, task, step) is sent once ever, queued in the job's transaction.

Kept apart from :mod:`hub.delegations.exchange`, which is about the exchanges themselves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from cae_contract.payroll import Kind, Month, Role
from cae_contract.periods import PARIS
from hub.config import Settings
from hub.delegations.calendar import MONTHLY, due_of
from hub.delegations.models import DeadlineReminder, Mandate
from hub.delegations.repository import MandateRepository, PayloadRepository, ReminderRepository
from hub.delegations.service import ACTIVE, mandate_service, parties
from hub.mail.service import mail_service

STEPS = (("j5", 5), ("j2", 2))


@dataclass(frozen=True)
class ReminderRound:
    reminders: int = 0
    messages: int = 0

    def line(self) -> str:
        if not self.reminders:
            return "aucune échéance de paie à rappeler"
        return (
            f"{self.reminders} échéance(s) de paie rappelée(s), {self.messages} e-mail(s) en file"
        )


def step_due(due: datetime, now: datetime) -> tuple[str, int] | None:
    """Which e-mail a task due at ``due`` calls for at ``now``: late, J-2, J-5 or none."""
    if now > due:
        return ("retard", 0)
    days_left = (due.astimezone(PARIS).date() - now.astimezone(PARIS).date()).days
    for step, days in reversed(STEPS):  # J-2 takes over from J-5
        if days_left <= days:
            return (step, days_left)
    return None


class ReminderService:
    def remind(self, session: Session, settings: Settings, *, now: datetime) -> ReminderRound:
        """Queue the deadline e-mails due at ``now`` that were never sent: for the current
        payroll month and the one before (its DSN falls in this month)."""
        this_month = Month.of(now.astimezone(PARIS).date())
        previous = (
            Month(this_month.year - 1, 12)
            if this_month.month == 1
            else Month(this_month.year, this_month.month - 1)
        )
        reminders = ReminderRepository(session)
        count = messages = 0
        for mandate in MandateRepository(session).all():
            if mandate.status != ACTIVE:
                continue
            document = mandate_service.in_force(session, mandate)
            if document is None:
                continue
            for month in (previous, this_month):
                if not mandate_service.covers(document, month):
                    continue
                sent = {
                    p.kind
                    for p in PayloadRepository(session).of_mandate(
                        mandate.id or 0, month=str(month)
                    )
                }
                for kind in MONTHLY:
                    if kind.task not in document["taches"] or kind.value in sent:
                        continue
                    due = due_of(document, kind, month)
                    step = step_due(due, now)
                    if step is None or reminders.done(
                        mandate.id or 0, str(month), kind.value, step[0]
                    ):
                        continue
                    queued = self._queue(session, settings, mandate, month, kind, due, step)
                    reminders.add(
                        DeadlineReminder(
                            mandate_id=mandate.id or 0,
                            month=str(month),
                            kind=kind.value,
                            step=step[0],
                            messages=queued,
                        )
                    )
                    count += 1
                    messages += queued
        return ReminderRound(count, messages)

    @staticmethod
    def _queue(
        session: Session,
        settings: Settings,
        mandate: Mandate,
        month: Month,
        kind: Kind,
        due: datetime,
        step: tuple[str, int],
    ) -> int:
        delegante, delegataire = parties(session, mandate)
        late = step[0] == "retard"
        who = (
            "à envoyer par la délégante"
            if kind.sender is Role.DELEGANTE
            else ("à envoyer par la délégataire")
        )
        subject = (
            f"{'En retard' if late else 'Rappel'} : {kind.label} de {month} — "
            f"{delegante.name} / {delegataire.name}"
        )
        queued = 0
        for member in (delegante, delegataire):
            if not member.contact_email.strip():
                continue
            mail_service.queue(
                session,
                recipient=member.contact_email,
                subject=subject,
                template="payroll_deadline",
                context={
                    "late": late,
                    "task": kind.label[0].upper() + kind.label[1:],
                    "plural": kind.label.split()[0].endswith("s"),
                    "month": str(month),
                    "role": who,
                    "due": due.astimezone(PARIS).strftime("%d/%m/%Y à %Hh%M"),
                    "days_left": step[1],
                    "mandate": mandate.uid,
                    "kind": kind.value,
                    "step": step[0],
                    "delegante": delegante.name,
                    "delegataire": delegataire.name,
                    "dashboard_url": settings.public_url.rstrip("/") + "/tableau-de-bord",
                },
            )
            queued += 1
        return queued


reminder_service = ReminderService()
