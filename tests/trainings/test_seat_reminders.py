"""The remind-seat-requests job: unanswered requests before the registration deadline (to the
offering CAE), accepted seats before the session starts (to the requesting CAE), once each."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from hub.jobs.registry import load_jobs
from hub.mail.models import OutboxMessage
from hub.trainings.pooling import pooling_service
from tests.databases import settings_for
from tests.factories import bearer, create_member, issue_token
from tests.trainings.pooling import offer, offered_session


def test_reminders_fall_due_before_the_deadline_and_the_start_once_each(
    client: TestClient, session: Session, engine: Engine
) -> None:
    settings = settings_for(str(engine.url))
    offerer, requester = create_member(session), create_member(session)
    a = bearer(issue_token(session, member=offerer))
    b = bearer(issue_token(session, member=requester))
    offer(client, a)
    session_id = offered_session(session, offerer).id
    url = f"/v1/trainings/sessions/{session_id}/requests"
    pending = client.post(url, json={"places": 1, "reference": "R1"}, headers=b).json()["id"]
    accepted = client.post(url, json={"places": 1, "reference": "R2"}, headers=b).json()["id"]
    client.post(
        f"/v1/trainings/requests/{accepted}/decision", json={"decision": "acceptee"}, headers=a
    )

    # The registration deadline is 8 January 2027, the session starts on the 18th.
    too_early = pooling_service.remind(session, settings, on=date(2026, 12, 20))
    before_deadline = pooling_service.remind(session, settings, on=date(2027, 1, 2))
    again = pooling_service.remind(session, settings, on=date(2027, 1, 3))
    before_start = pooling_service.remind(session, settings, on=date(2027, 1, 12))

    assert (too_early.deadline, too_early.start) == (0, 0)
    assert (before_deadline.deadline, before_deadline.start) == (1, 0)
    assert (again.deadline, again.start) == (0, 0)
    assert (before_start.deadline, before_start.start) == (0, 1)
    subjects = {
        m.recipient: m.subject
        for m in session.exec(select(OutboxMessage))
        if "sans réponse" in m.subject or "commence bientôt" in m.subject
    }
    assert subjects[offerer.contact_email].startswith("Demande de places sans réponse")
    assert subjects[requester.contact_email].startswith("La session commence bientôt")
    assert pending != accepted
    assert "remind-seat-requests" in load_jobs(settings)
