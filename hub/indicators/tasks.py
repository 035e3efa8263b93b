"""The indicators domain's job: remind members whose semester report is missing."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from cae_contract.periods import PARIS
from hub.config import Settings
from hub.indicators.reminders import reminder_service
from hub.jobs.registry import job


@job("remind-missing-reports", cron="0 8 * * *", title="Rappel des rapports semestriels manquants")
def remind_missing_reports(session: Session, slot: datetime, settings: Settings) -> str:
    return reminder_service.remind(session, settings, on=slot.astimezone(PARIS).date()).line()
