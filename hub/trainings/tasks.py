"""The trainings domain's job: reminders of seat requests before registration deadlines and
session starts."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from cae_contract.periods import PARIS
from hub.config import Settings
from hub.jobs.registry import job
from hub.trainings.pooling import pooling_service


@job(
    "remind-seat-requests",
    cron="30 7 * * *",
    title="Rappels de la mutualisation des places (date limite d'inscription, début de session)",
)
def remind_seat_requests(session: Session, slot: datetime, settings: Settings) -> str:
    return pooling_service.remind(session, settings, on=slot.astimezone(PARIS).date()).line()
