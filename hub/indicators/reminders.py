"""Reminding member CAEs whose report for the last closed semester is missing.

Two reminders per semester: ``after_close`` some days after the semester ends
(``HUB_REMINDER_AFTER_CLOSE_DAYS``), and ``before_publication`` some days before its planned
publication (``HUB_REMINDER_BEFORE_PUBLICATION_DAYS``). The hub keeps no planned date per
semester: it is the end of the semester plus ``HUB_PUBLICATION_DAY_AFTER_CLOSE`` days. Each
(member, semester, kind) is reminded once ever; the e-mail is queued in the same transaction
as the reminder, so that one exists exactly when the other does.

Kept apart from :mod:`hub.indicators.service`, which is about receiving reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from sqlmodel import Session

from cae_contract.format import fr_period
from cae_contract.periods import Period
from hub.config import Settings
from hub.indicators.models import ReportReminder
from hub.indicators.repository import ReminderRepository
from hub.mail.service import mail_service
from hub.members.models import Member


class ReminderKind(StrEnum):
    AFTER_CLOSE = "after_close"
    BEFORE_PUBLICATION = "before_publication"


QUEUED = "queued"
NO_CONTACT = "no_contact"
NO_CONTACT_LABEL = "pas d'adresse de contact"


@dataclass(frozen=True)
class ReminderRound:
    """What one run of the reminders did."""

    period: Period
    kind: ReminderKind | None
    queued: int = 0
    no_contact: int = 0

    def line(self) -> str:
        label = fr_period(str(self.period))
        if self.kind is None:
            return f"aucun rappel dû aujourd'hui pour le {label}"
        what = "après la clôture" if self.kind == ReminderKind.AFTER_CLOSE else "avant publication"
        line = (
            f"{label}, rappel {what} : {self.queued} e-mail{'s' if self.queued > 1 else ''} en file"
        )
        if self.no_contact:
            line += f", {self.no_contact} CAE sans adresse de contact"
        return line


def planned_publication(period: Period, settings: Settings) -> date:
    return period.end + timedelta(days=settings.publication_day_after_close)


def due_kind(period: Period, day: date, settings: Settings) -> ReminderKind | None:
    """Which reminder of ``period`` is due on ``day``, if any.

    The one before publication takes over from the one after the close: a hub that was down
    on the first date does not send both at once.
    """
    publication = planned_publication(period, settings)
    if day >= publication - timedelta(days=settings.reminder_before_publication_days):
        return ReminderKind.BEFORE_PUBLICATION
    if day >= period.end + timedelta(days=settings.reminder_after_close_days):
        return ReminderKind.AFTER_CLOSE
    return None


class ReminderService:
    def remind(self, session: Session, settings: Settings, *, on: date) -> ReminderRound:
        """Queue the reminders due on ``on`` (a date in France) that were never made."""
        period = Period.last_closed_semester(on)
        kind = due_kind(period, on, settings)
        reminders = ReminderRepository(session)
        if kind is None or (
            kind == ReminderKind.BEFORE_PUBLICATION and reminders.is_published(str(period))
        ):
            return ReminderRound(period, None)
        done = reminders.reminded(str(period), kind)
        queued = no_contact = 0
        for member in reminders.members_without_report(str(period)):
            if member.id in done:
                continue
            outbox_id = None
            if member.contact_email.strip():
                outbox_id = self._queue(session, settings, member, period, kind, on)
                queued += 1
            else:
                no_contact += 1
            assert member.id is not None
            reminders.add(
                ReportReminder(
                    member_id=member.id,
                    period=str(period),
                    kind=kind,
                    status=QUEUED if outbox_id is not None else NO_CONTACT,
                    outbox_id=outbox_id,
                )
            )
        return ReminderRound(period, kind, queued, no_contact)

    @staticmethod
    def _queue(
        session: Session,
        settings: Settings,
        member: Member,
        period: Period,
        kind: ReminderKind,
        on: date,
    ) -> int | None:
        label = fr_period(str(period))
        publication = planned_publication(period, settings)
        message = mail_service.queue(
            session,
            recipient=member.contact_email,
            subject=f"Rapport du {label} attendu — {member.name}",
            template="report_reminder",
            context={
                "member": member.name,
                "period": label,
                "period_code": str(period),
                "before_publication": kind == ReminderKind.BEFORE_PUBLICATION,
                "publication": publication.strftime("%d/%m/%Y"),
                "days_left": max(0, (publication - on).days),
                "dashboard_url": settings.public_url.rstrip("/") + "/tableau-de-bord",
            },
        )
        return message.id

    def without_contact(self, session: Session) -> list[tuple[str, str]]:
        """(CAE name, period label) of every reminder that found no contact address."""
        return [
            (member.name, fr_period(reminder.period))
            for reminder, member in ReminderRepository(session).without_contact()
        ]


reminder_service = ReminderService()
