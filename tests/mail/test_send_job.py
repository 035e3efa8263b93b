"""The ``send-mail`` job, run as the scheduler runs it (its own committed transactions)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session, select

from hub.db import session_scope
from hub.demo.server import free_port
from hub.jobs.registry import load_jobs
from hub.jobs.service import run_job
from hub.mail.models import OutboxMessage, OutboxStatus
from tests.databases import fresh_database, settings_for
from tests.factories import create_member
from tests.mail.smtp import mail_settings, smtp_server

SLOT = datetime(2026, 1, 20, 7, 0, tzinfo=UTC)


@pytest.fixture
def database(backend: str, tmp_path: Path) -> Iterator[Engine]:
    with fresh_database(backend, tmp_path) as engine:
        yield engine


def test_the_job_sends_what_the_reminder_job_queued_and_retries_after_a_failure(
    database: Engine,
) -> None:
    port = free_port()
    settings = mail_settings(settings_for(database.url.render_as_string(hide_password=False)), port)
    specs = load_jobs(settings)
    with session_scope(database) as session:
        member = create_member(session, name="Coop'Bâtir Gironde")
    reminded = run_job(database, specs["remind-missing-reports"], SLOT, settings)
    assert reminded.line() == (
        "remind-missing-reports : réussie — 2e semestre 2025, rappel après la clôture : "
        "1 e-mail en file"
    )
    # Nothing listens yet: the message waits.
    down = run_job(database, specs["send-mail"], SLOT, settings)
    assert down.line() == (
        "send-mail : réussie — 0 e-mail envoyé, 1 en échec, réessayé au prochain passage"
    )
    with smtp_server(port) as (inbox, _):
        sent = run_job(database, specs["send-mail"], SLOT + timedelta(minutes=5), settings)
    assert sent.line() == "send-mail : réussie — 1 e-mail envoyé"
    [received] = inbox.messages
    assert received.recipients == [member.contact_email]
    with Session(database) as session:
        [message] = session.exec(select(OutboxMessage)).all()
    assert message.status == OutboxStatus.SENT and message.attempts == 2
    # Run again the next day: the reminder is not sent twice.
    assert (
        "0 e-mail en file"
        in run_job(
            database, specs["remind-missing-reports"], SLOT + timedelta(days=1), settings
        ).line()
    )
