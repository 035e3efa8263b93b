"""The seminars domain's job: build the packs of a coming seminar and tell the groups."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from cae_contract.periods import PARIS
from hub.config import Settings
from hub.errors import NotFound
from hub.jobs.registry import job
from hub.seminars.models import AUDIENCE_NAMES
from hub.seminars.packs import pack_service
from hub.seminars.repository import SeminarRepository


@job("build-seminar-packs", cron="30 6 * * *", title="Packs des séminaires à venir")
def build_seminar_packs(session: Session, slot: datetime, settings: Settings) -> str:
    """On the day ``seminar_pack_days_before`` days ahead of a seminar (or later, up to it,
    if that day was missed), build each pack that has no version yet, and e-mail its link."""
    day = slot.astimezone(PARIS).date()
    repository = SeminarRepository(session)
    due = repository.due_seminars(day, day + timedelta(days=settings.seminar_pack_days_before))
    built = 0
    skipped = []
    for seminar in due:
        assert seminar.id is not None
        for audience in AUDIENCE_NAMES:
            if repository.last_version(seminar.id, audience):
                continue
            try:
                pack_service.build(session, settings, seminar_id=seminar.id, audience=audience)
            except NotFound:
                skipped.append(seminar.period)
                break
            built += 1
    if not due:
        return "aucun séminaire dans la période de préparation"
    line = f"{built} pack{'s' if built > 1 else ''} produit{'s' if built > 1 else ''}"
    if skipped:
        line += f" ; sans semestre publié avant le séminaire : {', '.join(skipped)}"
    return line
