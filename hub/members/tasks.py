"""The members domain's job: forget expired dashboard sessions and old login failures."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from hub.config import Settings
from hub.jobs.registry import job
from hub.web.service import web_auth_service


@job(
    "purge-sessions",
    cron="17 3 * * *",
    title="Purge des sessions expirées et des échecs de connexion anciens",
)
def purge_sessions(session: Session, slot: datetime, settings: Settings) -> str:
    sessions, counters = web_auth_service.purge_stale(session, settings, slot)
    return (
        f"{sessions} session{'s' if sessions > 1 else ''} expirée{'s' if sessions > 1 else ''}, "
        f"{counters} compteur{'s' if counters > 1 else ''} d'échecs de connexion supprimé"
        f"{'s' if counters > 1 else ''}"
    )
