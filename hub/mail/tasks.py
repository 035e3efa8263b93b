"""The mail domain's job: deliver what the outbox holds."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from hub.config import Settings
from hub.jobs.registry import job
from hub.mail.service import mail_service


@job("send-mail", cron="*/5 * * * *", title="Envoi des e-mails en attente")
def send_mail(session: Session, slot: datetime, settings: Settings) -> str:
    return mail_service.deliver(session, settings).line()
