"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from hub.config import Settings
from hub.demo.server import free_port


@dataclass
class Received:
    sender: str
    recipients: list[str]
    message: EmailMessage


@dataclass
class Inbox:
    messages: list[Received] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(Received(envelope.mail_from, list(envelope.rcpt_tos), parsed))
        return "250 Message accepted for delivery"


def _refuse_everyone(*_: Any) -> AuthResult:
    return AuthResult(success=False, handled=False)


@contextmanager
def smtp_server(
    port: int | None = None, *, refuse_login: bool = False
) -> Iterator[tuple[Inbox, int]]:
    """A server on loopback; with ``refuse_login`` it offers AUTH and refuses every login."""
    inbox = Inbox()
    port = port or free_port()
    options: dict[str, Any] = (
        {"auth_require_tls": False, "authenticator": _refuse_everyone} if refuse_login else {}
    )
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield inbox, port
    finally:
        controller.stop()


def mail_settings(base: Settings, port: int) -> Settings:
    """``base`` sending through the loopback server on ``port`` (no TLS: it is loopback)."""
    return base.model_copy(
        update={
            "smtp_host": "127.0.0.1",
            "smtp_port": port,
            "smtp_starttls": False,
            "smtp_timeout_s": 10,
            "mail_from": "cae-hub <hub@federation.example>",
            "public_url": "https://hub.federation.example",
        }
    )
