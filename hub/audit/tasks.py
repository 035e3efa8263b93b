"""Scheduled work of the audit trail: signing a checkpoint over the events since the last one.

A hub job (the runner owns the transaction); between runs, ``HUB_AUDIT_CHECKPOINT_EVERY``
still signs one every N events. Idempotent: a run with nothing new signs nothing.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from hub.audit.service import audit_service
from hub.config import Settings
from hub.jobs.registry import job

# Every hour, five minutes past: a quiet trail costs nothing (nothing new, nothing signed).
CHECKPOINT_CRON = "5 * * * *"
CHECKPOINT_TITLE = "Point de contrôle signé de la piste d'audit"


@job("audit-checkpoint", cron=CHECKPOINT_CRON, title=CHECKPOINT_TITLE)
def sign_checkpoint(session: Session, slot: datetime, settings: Settings) -> str:
    """Sign the chain up to its last event; what was done, in French."""
    audit_service.configure(settings)
    made = audit_service.checkpoint(session)
    if made is None:
        return "rien de neuf depuis le dernier point de contrôle"
    return f"point de contrôle signé sur l'événement n° {made.sequence}"
