"""Twenty CAEs ask for the last seats of one session at once, then the offering CAE accepts
every request at once: accepted seats never exceed the offer, no request is lost, every
request and every acceptance is answered with a receipt (or a refusal naming the field)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from hub.audit.service import audit_service
from hub.audit.signing import load_public_pem, receipt_valid
from hub.main import create_app
from hub.trainings.models import SeatRequest, TrainingSession
from tests.databases import fresh_database, settings_for
from tests.factories import bearer, create_member, issue_token
from tests.trainings.pooling import OFFERED, offer

CAES = 20
SEATS = 4


def at_once(calls: list[Callable[[TestClient], Any]], client: TestClient) -> list[Any]:
    """Run every call in a thread of its own, released together."""
    barrier = threading.Barrier(len(calls))
    answers: list[Any] = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        answers[index] = calls[index](client)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return answers


def test_twenty_cas_asking_the_last_seats_never_get_more_than_offered(
    backend: str, tmp_path: Path
) -> None:
    with fresh_database(backend, tmp_path) as engine:
        with Session(engine, expire_on_commit=False) as session:
            offerer = create_member(session, name="CAE qui offre")
            offerer_headers = bearer(issue_token(session, member=offerer))
            askers = [
                bearer(issue_token(session, member=create_member(session))) for _ in range(CAES)
            ]
            session.commit()
        app = create_app(settings_for(str(engine.url)), engine=engine)
        with TestClient(app) as client:
            offer(client, offerer_headers, seats=SEATS)
            with Session(engine) as session:
                session_id = session.exec(
                    select(TrainingSession.id).where(TrainingSession.numero == OFFERED)
                ).one()

            def asking(index: int) -> Callable[[TestClient], Any]:
                headers = {**askers[index], "Idempotency-Key": f"demande-{index}"}
                body = {"places": 2, "reference": f"DEM-{index:02d}", "effectif": 8}
                url = f"/v1/trainings/sessions/{session_id}/requests"
                return lambda c: c.post(url, json=body, headers=headers)

            created = at_once([asking(i) for i in range(CAES)], client)

            assert [r.status_code for r in created] == [201] * CAES, [r.text for r in created]
            ids = [r.json()["id"] for r in created]
            assert len(set(ids)) == CAES

            def accepting(request_id: int) -> Callable[[TestClient], Any]:
                url = f"/v1/trainings/requests/{request_id}/decision"
                return lambda c: c.post(url, json={"decision": "acceptee"}, headers=offerer_headers)

            decided = at_once([accepting(i) for i in ids], client)

        key = load_public_pem(audit_service.public_key().public_key_pem)
        for response in created:
            assert receipt_valid(response.json()["receipt"], key)
        accepted = [r for r in decided if r.status_code == 200]
        refused = [r for r in decided if r.status_code != 200]
        assert len(accepted) == SEATS // 2
        for response in accepted:
            assert response.json()["receipt"]["kind"] == "seat_request.accepted"
            assert receipt_valid(response.json()["receipt"], key)
        for response in refused:
            assert response.status_code == 409, response.text
            assert response.headers["content-type"].startswith("application/problem+json")
            assert response.json()["errors"][0]["path"] == "$.places"
        with Session(engine) as session:
            requests = list(session.exec(select(SeatRequest)))
            row = session.get(TrainingSession, session_id)
            assert row is not None
            assert len(requests) == CAES
            assert sum(r.seats_accepted for r in requests) == row.seats_accepted == SEATS
            assert sorted(r.status for r in requests) == sorted(
                ["acceptee"] * (SEATS // 2) + ["en_attente"] * (CAES - SEATS // 2)
            )
