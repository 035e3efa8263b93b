"""Scheduled work of the audit trail: signing a checkpoint over the events since the last one.

The hub's job runner registers ``sign_checkpoint`` with ``CHECKPOINT_TRIGGER``; between runs,
``HUB_AUDIT_CHECKPOINT_EVERY`` still signs one every N events. Idempotent: a run with nothing
new signs nothing.
"""

from __future__ import annotations

from typing import Any

from apscheduler.triggers.cron import CronTrigger  # type: ignore[import-untyped]
from sqlalchemy import Engine

from hub.audit.service import audit_service
from hub.db import session_scope

# Every hour, five minutes past: a quiet trail costs nothing (nothing new, nothing signed).
CHECKPOINT_TRIGGER: Any = CronTrigger(minute=5)


def sign_checkpoint(engine: Engine) -> int | None:
    """Sign the chain up to its last event; the sequence signed, or None when nothing was new."""
    with session_scope(engine) as session:
        made = audit_service.checkpoint(session)
        return made.sequence if made is not None else None
