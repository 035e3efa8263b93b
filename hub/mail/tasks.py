"""The mail domain's job: deliver what the outbox holds."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from hub.config import Settings
from hub.db import WRITE_INTENT
from hub.jobs.registry import job
from hub.mail.service import Delivery, mail_service


@job("send-mail", cron="*/5 * * * *", title="Envoi des e-mails en attente")
def send_mail(session: Session, slot: datetime, settings: Settings) -> str:
    if not settings.mail_enabled:
        return Delivery(0, 0, enabled=False).line()
    messages = mail_service.pending(session)
    # The job owns its transaction: it ends it before talking to the SMTP server, so that a
    # slow or unreachable server never holds the database (on SQLite, its only write lock).
    session.commit()
    outcomes = mail_service.send(settings, messages)
    session.connection(execution_options={WRITE_INTENT: True})
    return mail_service.record(session, outcomes).line()
