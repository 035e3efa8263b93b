"""Reminders of missing reports reach a real SMTP server on loopback, in French; a failed
send stays in the outbox and goes out on the next run."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import SecretStr
from sqlalchemy import Engine
from sqlmodel import Session, select

from cae_contract.periods import Period
from hub.config import Settings
from hub.demo.server import free_port
from hub.indicators.models import IndicatorReport, ReportReminder
from hub.indicators.reminders import ReminderKind, due_kind, reminder_service
from hub.mail.models import OutboxMessage, OutboxStatus
from hub.mail.service import MAIL_OFF, mail_service
from hub.members.models import Member
from hub.stats.models import Publication
from tests.databases import settings_for
from tests.factories import create_member, create_staff
from tests.mail.smtp import mail_settings, smtp_server

AFTER_CLOSE = date(2026, 1, 20)  # 2025-S2 closed on 31/12, reminded from 15/01
BEFORE_PUBLICATION = date(2026, 3, 10)  # planned publication 16/03, reminded from 09/03


@pytest.fixture
def settings(engine: Engine) -> Settings:
    return settings_for(engine.url.render_as_string(hide_password=False))


def _outbox(session: Session, member: Member) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.recipient == member.contact_email)
    return list(session.exec(query))


def _reminders(session: Session, member: Member) -> list[ReportReminder]:
    query = select(ReportReminder).where(ReportReminder.member_id == member.id)
    return list(session.exec(query))


def _deliver_all(session: Session, settings: Settings) -> None:
    # Other tests' committed messages may be waiting too: deliver until nothing is left.
    while mail_service.deliver(session, settings).sent:
        pass


def test_a_reminder_arrives_in_french_with_both_parts(session: Session, settings: Settings) -> None:
    member = create_member(session, name="Coop'Bâtir Gironde")
    with smtp_server() as (inbox, port):
        configured = mail_settings(settings, port)
        done = reminder_service.remind(session, configured, on=AFTER_CLOSE)
        assert done.kind == ReminderKind.AFTER_CLOSE
        assert done.queued >= 1
        assert "2e semestre 2025, rappel après la clôture" in done.line()
        _deliver_all(session, configured)

    [received] = [r for r in inbox.messages if member.contact_email in r.recipients]
    assert received.recipients == [member.contact_email]
    assert received.sender == "hub@federation.example"
    message = received.message
    assert message["Subject"] == "Rapport du 2e semestre 2025 attendu — Coop'Bâtir Gironde"
    assert message["To"] == member.contact_email
    assert message["Content-Language"] == "fr"
    plain = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    text, markup = plain.get_content(), html.get_content()
    for body in (text, markup):
        assert "Coop'Bâtir Gironde" in body or "Coop&#39;Bâtir Gironde" in body
        assert "2e semestre 2025" in body
        assert "cae-hub sync --once" in body
        assert "https://hub.federation.example/tableau-de-bord" in body
    assert text.startswith("Bonjour,") and "est clos" in text
    assert '<html lang="fr">' in markup

    [queued] = _outbox(session, member)
    assert queued.status == OutboxStatus.SENT and queued.attempts == 1
    [reminder] = _reminders(session, member)
    assert (reminder.period, reminder.kind, reminder.status) == ("2025-S2", "after_close", "queued")
    assert reminder.outbox_id == queued.id


def test_a_member_is_reminded_once_per_semester_and_kind(
    session: Session, settings: Settings
) -> None:
    member = create_member(session)
    reminder_service.remind(session, settings, on=AFTER_CLOSE)
    reminder_service.remind(session, settings, on=date(2026, 1, 21))
    assert len(_outbox(session, member)) == 1

    reminder_service.remind(session, settings, on=BEFORE_PUBLICATION)
    reminder_service.remind(session, settings, on=BEFORE_PUBLICATION)
    kinds = sorted(r.kind for r in _reminders(session, member))
    assert kinds == ["after_close", "before_publication"]
    [second] = [m for m in _outbox(session, member) if "publiera" in m.body_text]
    assert "le 16/03/2026 (dans 6 jours)" in second.body_text


def test_members_with_a_report_or_inactive_are_not_reminded(
    session: Session, settings: Settings
) -> None:
    reported = create_member(session)
    assert reported.id is not None
    session.add(
        IndicatorReport(
            member_id=reported.id,
            period="2025-S2",
            revision=1,
            schema_version="1.0.0",
            content_hash="0" * 64,
            cell_count=0,
        )
    )
    inactive = create_member(session)
    inactive.active = False
    session.add(inactive)
    session.flush()

    reminder_service.remind(session, settings, on=AFTER_CLOSE)

    assert _reminders(session, reported) == [] and _reminders(session, inactive) == []


def test_a_member_without_contact_address_is_shown_not_skipped(
    session: Session, settings: Settings
) -> None:
    member = create_member(session, name="CAE sans adresse")
    member.contact_email = ""
    session.add(member)
    session.flush()

    done = reminder_service.remind(session, settings, on=AFTER_CLOSE)

    [reminder] = _reminders(session, member)
    assert reminder.status == "no_contact" and reminder.outbox_id is None
    assert done.no_contact >= 1 and "CAE sans adresse de contact" in done.line()
    assert ("CAE sans adresse", "2e semestre 2025") in reminder_service.without_contact(session)


def test_reminders_fall_due_on_their_dates(settings: Settings) -> None:
    semester = Period(2025, 2)
    assert due_kind(semester, date(2026, 1, 14), settings) is None
    assert due_kind(semester, date(2026, 1, 15), settings) == ReminderKind.AFTER_CLOSE
    assert due_kind(semester, date(2026, 3, 8), settings) == ReminderKind.AFTER_CLOSE
    assert due_kind(semester, date(2026, 3, 9), settings) == ReminderKind.BEFORE_PUBLICATION
    later = settings.model_copy(update={"publication_day_after_close": 90})
    assert due_kind(semester, date(2026, 3, 9), later) == ReminderKind.AFTER_CLOSE


def test_no_reminder_before_publication_once_the_semester_is_published(
    session: Session, settings: Settings
) -> None:
    member = create_member(session)
    staff = create_staff(session)
    assert staff.id is not None
    session.add(
        Publication(period="2025-S2", number=1, published_by=staff.id, rules={}, report_count=0)
    )
    session.flush()

    done = reminder_service.remind(session, settings, on=BEFORE_PUBLICATION)

    assert done.kind is None and _reminders(session, member) == []
    assert done.line() == "aucun rappel dû aujourd'hui pour le 2e semestre 2025"


def test_a_failed_send_stays_pending_and_the_next_run_sends_it(
    session: Session, settings: Settings
) -> None:
    member = create_member(session)
    reminder_service.remind(session, settings, on=AFTER_CLOSE)
    port = free_port()
    down = mail_settings(settings, port)

    first = mail_service.deliver(session, down)

    assert first.sent == 0 and first.failed >= 1
    assert "réessayé" in first.line()
    [waiting] = _outbox(session, member)
    assert waiting.status == OutboxStatus.PENDING and waiting.attempts == 1
    assert waiting.last_error is not None
    assert f"serveur SMTP 127.0.0.1:{port} injoignable" in waiting.last_error
    assert mail_service.counts(session).failed >= 1

    with smtp_server(port) as (inbox, _):
        _deliver_all(session, down)

    assert any(member.contact_email in r.recipients for r in inbox.messages)
    [sent] = _outbox(session, member)
    assert sent.status == OutboxStatus.SENT and sent.attempts == 2 and sent.last_error is None


def test_a_refused_login_is_recorded_without_the_password(
    session: Session, settings: Settings
) -> None:
    member = create_member(session)
    reminder_service.remind(session, settings, on=AFTER_CLOSE)
    with smtp_server(refuse_login=True) as (inbox, port):
        secret = "mot-de-passe-du-relais-42"
        configured = mail_settings(settings, port).model_copy(
            update={"smtp_username": "hub", "smtp_password": SecretStr(secret)}
        )
        delivery = mail_service.deliver(session, configured)
    assert delivery.sent == 0 and inbox.messages == []
    [waiting] = _outbox(session, member)
    assert waiting.status == OutboxStatus.PENDING
    assert waiting.last_error == (
        "le serveur SMTP a refusé l'identification (HUB_SMTP_USERNAME, HUB_SMTP_PASSWORD)"
    )
    assert secret not in (waiting.last_error or "")


def test_with_no_smtp_server_configured_messages_wait(session: Session, settings: Settings) -> None:
    member = create_member(session)
    reminder_service.remind(session, settings, on=AFTER_CLOSE)

    delivery = mail_service.deliver(session, settings)

    assert not settings.mail_enabled
    assert delivery.line() == MAIL_OFF
    [waiting] = _outbox(session, member)
    assert waiting.status == OutboxStatus.PENDING and waiting.attempts == 0


def test_mail_settings_go_together() -> None:
    with pytest.raises(ValueError, match="HUB_MAIL_FROM"):
        Settings(environment="test", smtp_host="smtp.example")
    with pytest.raises(ValueError, match="vont ensemble"):
        Settings(
            environment="test",
            smtp_host="smtp.example",
            mail_from="hub@federation.example",
            smtp_username="hub",
        )
    assert (
        Settings(
            environment="test", smtp_host="smtp.example", mail_from="a@b.fr"
        ).smtp_effective_port
        == 587
    )
    assert Settings(environment="test", smtp_ssl=True).smtp_effective_port == 465
