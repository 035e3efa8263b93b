"""The platform's own job: purge old temporary files and exports."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from hub.config import Settings
from hub.jobs.files import purge_old_files
from hub.jobs.registry import job


@job("purge-temp-files", cron="42 3 * * *", title="Purge des fichiers temporaires et des exports")
def purge_temp_files(session: Session, slot: datetime, settings: Settings) -> str:
    removed = purge_old_files(
        settings.temp_dir, slot - timedelta(days=settings.temp_retention_days)
    )
    plural = "s" if removed > 1 else ""
    days = settings.temp_retention_days
    return f"{removed} fichier{plural} de plus de {days} jours supprimé{plural}"
