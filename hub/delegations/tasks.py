"""The jobs of payroll delegation: deadline e-mails, and the retention purge of ciphertexts."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from hub.audit.service import SYSTEM, record
from hub.config import Settings
from hub.delegations.exchange import exchange_service
from hub.delegations.reminders import reminder_service
from hub.jobs.registry import job


@job("remind-payroll-deadlines", cron="0 7 * * *", title="Rappels des échéances de paie déléguée")
def remind_payroll_deadlines(session: Session, slot: datetime, settings: Settings) -> str:
    return reminder_service.remind(session, settings, now=slot).line()


@job(
    "purge-payroll-payloads",
    cron="30 3 * * *",
    title="Purge des contenus de paie chiffrés après leur durée de conservation",
)
def purge_payroll_payloads(session: Session, slot: datetime, settings: Settings) -> str:
    days = settings.delegation_retention_days
    purged = exchange_service.purge_expired(session, retention_days=days, now=slot)
    if purged:
        record(
            session,
            kind="payload.purged",
            actor=SYSTEM,
            details={"purged": purged, "retention_days": days},
        )
    return f"{purged} contenu(s) chiffré(s) purgé(s), métadonnées gardées ({days} jours)"
