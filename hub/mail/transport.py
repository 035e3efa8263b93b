"""Delivering messages to the SMTP server of the settings (the only network edge of mail)."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from hub.config import Settings


def compose(
    settings: Settings, *, recipient: str, subject: str, text: str, html: str
) -> EmailMessage:
    """A French e-mail with a plain-text part and its HTML alternative."""
    message = EmailMessage()
    message["From"] = settings.mail_from or ""
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False, usegmt=True)
    message["Message-ID"] = make_msgid(domain=_domain(settings.mail_from or ""))
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    message["Content-Language"] = "fr"  # after the parts: set_content clears Content-* headers
    return message


def _domain(address: str) -> str | None:
    address = address.rsplit("<", 1)[-1].rstrip(">").strip()
    return address.rsplit("@", 1)[1] if "@" in address else None


@contextmanager
def smtp_connection(settings: Settings) -> Iterator[smtplib.SMTP]:
    """An open, authenticated SMTP connection; closed on exit."""
    assert settings.smtp_host is not None
    port, timeout = settings.smtp_effective_port, settings.smtp_timeout_s
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if settings.smtp_ssl:
        client = smtplib.SMTP_SSL(settings.smtp_host, port, timeout=timeout, context=context)
    else:
        client = smtplib.SMTP(settings.smtp_host, port, timeout=timeout)
    try:
        if settings.smtp_starttls and not settings.smtp_ssl:
            client.starttls(context=context)
        if settings.smtp_username and settings.smtp_password is not None:
            client.login(settings.smtp_username, settings.smtp_password.get_secret_value())
        yield client
    finally:
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()


def describe_error(error: BaseException, settings: Settings) -> str:
    """A French line for staff saying why a send failed, with no secret in it."""
    if isinstance(error, smtplib.SMTPAuthenticationError):
        text = "le serveur SMTP a refusé l'identification (HUB_SMTP_USERNAME, HUB_SMTP_PASSWORD)"
    elif isinstance(error, smtplib.SMTPRecipientsRefused):
        text = "adresse refusée par le serveur SMTP"
    elif isinstance(error, smtplib.SMTPResponseException):
        text = f"le serveur SMTP a répondu {error.smtp_code}"
    elif isinstance(error, OSError | smtplib.SMTPServerDisconnected):
        reason = getattr(error, "strerror", None) or type(error).__name__
        text = (
            f"serveur SMTP {settings.smtp_host}:{settings.smtp_effective_port} injoignable "
            f"({reason})"
        )
    else:
        text = f"échec de l'envoi ({type(error).__name__})"
    if settings.smtp_password is not None:
        text = text.replace(settings.smtp_password.get_secret_value(), "***")
    return text[:500]
