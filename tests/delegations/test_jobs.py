"""The jobs of payroll delegation: deadline e-mails J-5, J-2 and late to both CAEs through a
real SMTP server on loopback; the retention purge; crypto-shredding that waits for the return
bundle."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from cae_contract.payroll import Kind
from hub.config import Settings
from hub.delegations.models import DeadlineReminder, Mandate, Payload
from hub.delegations.reminders import reminder_service
from hub.delegations.tasks import purge_payroll_payloads
from hub.mail.service import mail_service
from tests.databases import settings_for
from tests.delegations.exchanges import Side
from tests.delegations.mandates import active_mandate, mandate_document
from tests.factories import bearer, create_member, issue_token
from tests.mail.smtp import mail_settings, smtp_server


@pytest.fixture
def settings(engine: Engine) -> Settings:
    return settings_for(engine.url.render_as_string(hide_password=False))


def _deliver_all(session: Session, settings: Settings) -> None:
    while mail_service.deliver(session, settings).sent:
        pass


def test_deadline_reminders_reach_both_cae_once_each(
    client: TestClient, session: Session, settings: Settings
) -> None:
    a = create_member(session, name="Alterbative")
    b = create_member(session, name="Coop&Bat")
    token_a, token_b = issue_token(session, member=a), issue_token(session, member=b)
    uid = active_mandate(client, token_a, token_b, mandate_document(a, b))["uid"]
    # Variables of November 2026 are due on Friday 20 November at noon.
    four_days_before = datetime(2026, 11, 16, 6, 0, tzinfo=UTC)
    with smtp_server() as (inbox, port):
        configured = mail_settings(settings, port)
        done = reminder_service.remind(session, configured, now=four_days_before)
        assert done.reminders >= 1
        again = reminder_service.remind(session, configured, now=four_days_before)
        assert again.reminders == 0
        late = reminder_service.remind(session, configured, now=datetime(2026, 11, 21, tzinfo=UTC))
        assert late.reminders >= 1
        _deliver_all(session, configured)

    mine = [r for r in inbox.messages if {a.contact_email, b.contact_email} & set(r.recipients)]
    subjects = sorted(
        (r.recipients[0], r.message["Subject"]) for r in mine if "variables" in r.message["Subject"]
    )
    assert sorted({s[0] for s in subjects}) == sorted([a.contact_email, b.contact_email])
    assert any(s[1].startswith("Rappel : variables de paie de 2026-11") for s in subjects)
    assert any(s[1].startswith("En retard : variables de paie de 2026-11") for s in subjects)
    plain = mine[0].message.get_body(preferencelist=("plain",))
    assert plain is not None
    text = plain.get_content()
    assert text.startswith("Bonjour,")
    assert f"--mandat {uid}" in text
    steps = session.exec(
        select(DeadlineReminder.step).where(DeadlineReminder.kind == "variables")
    ).all()
    assert {"j5", "retard"} <= set(steps)


def test_a_sent_task_is_not_reminded(
    client: TestClient, session: Session, settings: Settings, tmp_path: Path
) -> None:
    a, b = create_member(session), create_member(session)
    token_a, token_b = issue_token(session, member=a), issue_token(session, member=b)
    uid = active_mandate(client, token_a, token_b, mandate_document(a, b))["uid"]
    side_a = Side(client, token_a, tmp_path / "a")
    Side(client, token_b, tmp_path / "b")
    side_a.send(uid, "2026-11", Kind.VARIABLES, "heures;151,67\n")
    reminder_service.remind(session, settings, now=datetime(2026, 11, 28, tzinfo=UTC))
    mandate = session.exec(select(Mandate).where(Mandate.uid == uid)).one()
    reminded = session.exec(
        select(DeadlineReminder.kind).where(
            DeadlineReminder.mandate_id == mandate.id, DeadlineReminder.month == "2026-11"
        )
    ).all()
    assert "variables" not in reminded
    assert "bulletins" in reminded  # due 30 November: J-5 on the 25th, J-2 from the 28th
    tasks = client.get(
        f"/v1/delegations/mandates/{uid}/months/2026-11", headers=bearer(token_b)
    ).json()["tasks"]
    assert {t["kind"]: t["status"] for t in tasks}["variables"] == "envoyé"


def test_retention_purge_keeps_metadata(
    client: TestClient, session: Session, settings: Settings, tmp_path: Path
) -> None:
    a, b = create_member(session), create_member(session)
    token_a, token_b = issue_token(session, member=a), issue_token(session, member=b)
    uid = active_mandate(client, token_a, token_b, mandate_document(a, b))["uid"]
    side_a, side_b = Side(client, token_a, tmp_path / "a"), Side(client, token_b, tmp_path / "b")
    old = side_a.send(uid, "2026-10", Kind.VARIABLES, "octobre\n")
    recent = side_a.send(uid, "2026-11", Kind.VARIABLES, "novembre\n")
    assert sorted(side_b.receive(uid)) == ["novembre\n", "octobre\n"]
    now = datetime.now(UTC)
    row = session.exec(select(Payload).where(Payload.uid == old["uid"])).one()
    row.acknowledged_at = now - timedelta(days=91)
    session.add(row)
    session.flush()
    outcome = purge_payroll_payloads(session, now, settings)
    assert outcome.startswith("1 contenu(s) chiffré(s) purgé(s)")
    listed = {
        p["uid"]: p
        for p in client.get(
            f"/v1/delegations/mandates/{uid}/payloads", headers=bearer(token_a)
        ).json()
    }
    assert listed[old["uid"]]["purged"] is True
    assert listed[old["uid"]]["sha256"] == old["sha256"]  # metadata kept
    assert listed[recent["uid"]]["purged"] is False
    gone = client.get(f"/v1/delegations/payloads/{old['uid']}", headers=bearer(token_b))
    assert gone.status_code == 409


def test_shredding_waits_for_the_return_bundle(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    a, b = create_member(session), create_member(session)
    token_a, token_b = issue_token(session, member=a), issue_token(session, member=b)
    uid = active_mandate(client, token_a, token_b, mandate_document(a, b))["uid"]
    side_a, side_b = Side(client, token_a, tmp_path / "a"), Side(client, token_b, tmp_path / "b")
    side_b.send(uid, "2026-11", Kind.BULLETINS, "bulletins\n")
    ended = client.post(f"/v1/delegations/mandates/{uid}/end", headers=bearer(token_b)).json()
    assert ended["status"] == "ended"
    assert ended["shredded_at"] is None  # A has not fetched its payslips yet
    assert side_a.receive(uid) == ["bulletins\n"]
    after = client.get(f"/v1/delegations/mandates/{uid}", headers=bearer(token_a)).json()
    assert after["shredded_at"] is not None
    assert (
        client.get(f"/v1/delegations/mandates/{uid}/data-key", headers=bearer(token_a)).status_code
        == 404
    )
    mandate = session.exec(select(Mandate).where(Mandate.uid == uid)).one()
    stored = session.exec(select(Payload.ciphertext).where(Payload.mandate_id == mandate.id)).all()
    assert stored
    assert all(c is None for c in stored)
