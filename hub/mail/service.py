"""Queueing e-mails in the outbox and delivering them: the rules of the mail domain."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import structlog
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from sqlmodel import Session

from hub.config import Settings
from hub.db import utcnow
from hub.mail.models import OutboxMessage, OutboxStatus
from hub.mail.repository import OutboxCounts, OutboxRepository
from hub.mail.transport import compose, describe_error, smtp_connection

log = structlog.get_logger("hub.mail")

TEMPLATES = Path(__file__).resolve().parent / "templates"
MAIL_OFF = "envoi d'e-mails désactivé : aucun serveur SMTP configuré (HUB_SMTP_HOST)"
BATCH = 200


@lru_cache
def environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


@dataclass(frozen=True)
class Delivery:
    """What one delivery run did."""

    sent: int
    failed: int
    enabled: bool

    def line(self) -> str:
        if not self.enabled:
            return MAIL_OFF
        if not self.sent and not self.failed:
            return "aucun e-mail en attente"
        plural = "s" if self.sent > 1 else ""
        parts = [f"{self.sent} e-mail{plural} envoyé{plural}"]
        if self.failed:
            plural = "s" if self.failed > 1 else ""
            parts.append(f"{self.failed} en échec, réessayé{plural} au prochain passage")
        return ", ".join(parts)


class MailService:
    def queue(
        self,
        session: Session,
        *,
        recipient: str,
        subject: str,
        template: str,
        context: dict[str, Any],
    ) -> OutboxMessage:
        """Queue an e-mail (``template``.txt and ``template``.html) in the caller's transaction:
        it goes out only if what caused it is committed."""
        templates = environment()
        text = templates.get_template(f"{template}.txt").render(**context)
        html = templates.get_template(f"{template}.html").render(**context)
        message = OutboxMessage(
            recipient=recipient, subject=subject, body_text=text, body_html=html
        )
        return OutboxRepository(session).add(message)

    def deliver(self, session: Session, settings: Settings, *, limit: int = BATCH) -> Delivery:
        """Send the pending messages; each failure is kept on its message for the next run.

        In one transaction; the ``send-mail`` job does the same in three steps so as not to
        hold the database (SQLite's write lock) while the SMTP server answers.
        """
        if not settings.mail_enabled:
            return Delivery(0, 0, enabled=False)
        return self.record(session, self.send(settings, self.pending(session, limit=limit)))

    def pending(self, session: Session, *, limit: int = BATCH) -> list[OutboxMessage]:
        return OutboxRepository(session).pending(limit=limit)

    def send(
        self, settings: Settings, messages: list[OutboxMessage]
    ) -> list[tuple[OutboxMessage, str | None]]:
        """Hand ``messages`` to the SMTP server, touching no database: each with the reason
        it failed, or None when it went out."""
        if not messages:
            return []
        outcomes: list[tuple[OutboxMessage, str | None]] = []
        try:
            with smtp_connection(settings) as client:
                for message in messages:
                    try:
                        client.send_message(self._email(settings, message))
                    except Exception as error:
                        outcomes.append((message, describe_error(error, settings)))
                    else:
                        outcomes.append((message, None))
        except Exception as error:
            # The connection failed (or broke): what was not handed over waits for next time.
            reason = describe_error(error, settings)
            log.warning("smtp delivery failed", reason=reason)
            done = {id(message) for message, _ in outcomes}
            outcomes += [(message, reason) for message in messages if id(message) not in done]
        return outcomes

    def record(
        self, session: Session, outcomes: list[tuple[OutboxMessage, str | None]]
    ) -> Delivery:
        """Mark what ``send`` did on the messages (in the caller's transaction)."""
        outbox = OutboxRepository(session)
        for message, reason in outcomes:
            if reason is None:
                self._sent(outbox, message)
            else:
                self._failed(outbox, message, reason)
        failed = sum(1 for _, reason in outcomes if reason is not None)
        return Delivery(len(outcomes) - failed, failed, enabled=True)

    @staticmethod
    def _email(settings: Settings, message: OutboxMessage) -> Any:
        return compose(
            settings,
            recipient=message.recipient,
            subject=message.subject,
            text=message.body_text,
            html=message.body_html,
        )

    @staticmethod
    def _sent(outbox: OutboxRepository, message: OutboxMessage) -> None:
        message.status = OutboxStatus.SENT
        message.attempts += 1
        message.sent_at = message.last_attempt_at = utcnow()
        message.last_error = None
        outbox.save(message)

    @staticmethod
    def _failed(outbox: OutboxRepository, message: OutboxMessage, reason: str) -> None:
        message.attempts += 1
        message.last_attempt_at = utcnow()
        message.last_error = reason
        outbox.save(message)

    def counts(self, session: Session) -> OutboxCounts:
        return OutboxRepository(session).counts()


mail_service = MailService()
