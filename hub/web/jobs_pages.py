"""Staff page: the hub's scheduled jobs, e-mail delivery and the outbox."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hub.db import SessionDep, app_settings
from hub.indicators.reminders import NO_CONTACT_LABEL, reminder_service
from hub.jobs.registry import load_jobs
from hub.jobs.service import job_statuses
from hub.mail.service import MAIL_OFF, mail_service
from hub.web.auth import StaffPage
from hub.web.rendering import PageRoute, render

router = APIRouter(route_class=PageRoute)

JOBS_PATH = "/taches"


@router.get(JOBS_PATH)
def jobs(request: Request, user: StaffPage, session: SessionDep) -> Response:
    settings = app_settings(request)
    return render(
        request,
        "jobs.html",
        user=user,
        title="Tâches planifiées",
        statuses=job_statuses(session, load_jobs(settings)),
        mail_enabled=settings.mail_enabled,
        mail_off=MAIL_OFF,
        smtp_server=f"{settings.smtp_host}:{settings.smtp_effective_port}",
        mail_from=settings.mail_from,
        jobs_active=settings.jobs_active,
        outbox=mail_service.counts(session),
        no_contact=reminder_service.without_contact(session),
        no_contact_label=NO_CONTACT_LABEL,
    )
