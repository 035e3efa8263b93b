"""Seat requests between member CAEs: asking (counts only), answering, seats never beyond the
offer, receipts, e-mails to the other side, withdrawn sessions, refusals naming the field."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from hub.audit.service import audit_service
from hub.audit.signing import load_public_pem, receipt_valid
from hub.mail.models import OutboxMessage
from hub.members.models import Member
from hub.trainings.models import SeatRequest
from tests.factories import bearer, create_member, issue_token
from tests.trainings.catalogues import example
from tests.trainings.pooling import offer, offered_session


@pytest.fixture
def offerer(session: Session) -> Member:
    return create_member(session, name="CAE Toitures du Sud-Ouest")


@pytest.fixture
def requester(session: Session) -> Member:
    return create_member(session, name="CAE Bâtisseurs de Gironde")


@pytest.fixture
def a(session: Session, offerer: Member) -> dict[str, str]:
    return bearer(issue_token(session, member=offerer))


@pytest.fixture
def b(session: Session, requester: Member) -> dict[str, str]:
    return bearer(issue_token(session, member=requester))


@pytest.fixture
def session_id(client: TestClient, a: dict[str, str], session: Session, offerer: Member) -> int:
    offer(client, a)
    row = offered_session(session, offerer)
    assert row.id is not None
    return row.id


def ask(client: TestClient, headers: dict[str, str], session_id: int, **body: Any) -> Any:
    payload = {"places": 2, "reference": "DEM-2027-001", **body}
    return client.post(
        f"/v1/trainings/sessions/{session_id}/requests", json=payload, headers=headers
    )


def decide(client: TestClient, headers: dict[str, str], request_id: int, **body: Any) -> Any:
    return client.post(f"/v1/trainings/requests/{request_id}/decision", json=body, headers=headers)


def mails_to(session: Session, member: Member) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.recipient == member.contact_email)
    return list(session.exec(query.order_by(col(OutboxMessage.id))))


def test_a_request_is_counts_only_audited_and_mailed_to_the_offering_cae(
    client: TestClient,
    a: dict[str, str],
    b: dict[str, str],
    session_id: int,
    session: Session,
    offerer: Member,
    requester: Member,
) -> None:
    response = ask(client, b, session_id, effectif=8)

    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["statut"], body["sens"]) == ("en_attente", "faite")
    assert (body["places_demandees"], body["places_accordees"]) == (2, 0)
    assert body["session"]["places_restantes"] == 4
    assert body["estimation_opco"] is None
    receipt = body["receipt"]
    assert receipt["kind"] == "seat_request.created"
    assert receipt_valid(receipt, load_public_pem(audit_service.public_key().public_key_pem))
    [mail] = mails_to(session, offerer)
    assert "CAE Bâtisseurs de Gironde demande 2 place(s)" in mail.body_text
    assert "DEM-2027-001" in mail.body_text
    received = client.get("/v1/trainings/requests", params={"sens": "recues"}, headers=a).json()
    assert [(r["id"], r["sens"]) for r in received["items"]] == [(body["id"], "recue")]
    assert (
        client.get("/v1/trainings/requests", params={"sens": "faites"}, headers=a).json()["total"]
        == 0
    )


def test_accepting_part_of_a_request_counts_the_seats_and_estimates_the_funding(
    client: TestClient,
    a: dict[str, str],
    b: dict[str, str],
    session_id: int,
    session: Session,
    offerer: Member,
    requester: Member,
) -> None:
    request_id = ask(client, b, session_id, places=3, effectif=8).json()["id"]

    response = decide(client, a, request_id, decision="acceptee", places=2)

    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["statut"], body["places_accordees"], body["sens"]) == ("acceptee", 2, "recue")
    assert body["receipt"]["kind"] == "seat_request.accepted"
    assert body["session"]["places_restantes"] == 2
    assert offered_session(session, offerer).seats_accepted == 2
    funding = client.get(f"/v1/trainings/requests/{request_id}", headers=b).json()[
        "estimation_opco"
    ]
    # 14 hours × 24 € = 336 €, capped at the 300 € member price; wages 14 × 15 €; 2 trainees.
    assert funding["cout_pedagogique_pris_en_charge"] == 600.0
    assert funding["frais_salaire_pris_en_charge"] == 420.0
    assert (funding["opco"], funding["annee"], funding["tranche_effectif"]) == (
        "Constructys",
        2026,
        "moins-11",
    )
    [mail] = mails_to(session, requester)
    assert "vous accorde 2 place(s) sur 3" in mail.body_text
    assert f"dossier-opco --demande {request_id}" in mail.body_text


def test_seats_beyond_what_is_left_are_refused_naming_the_field(
    client: TestClient, a: dict[str, str], b: dict[str, str], session_id: int, session: Session
) -> None:
    first = ask(client, b, session_id, places=3, reference="R1").json()["id"]
    second = ask(client, b, session_id, places=2, reference="R2").json()["id"]
    assert decide(client, a, first, decision="acceptee").status_code == 200

    response = decide(client, a, second, decision="acceptee")

    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"] == [{"path": "$.places", "message": "il reste 1 place(s)"}]
    assert decide(client, a, second, decision="acceptee", places=1).status_code == 200


def test_waitlisted_then_declined_and_a_decided_request_stays_decided(
    client: TestClient, a: dict[str, str], b: dict[str, str], session_id: int
) -> None:
    request_id = ask(client, b, session_id).json()["id"]

    assert decide(client, a, request_id, decision="liste_attente").json()["statut"] == (
        "liste_attente"
    )
    assert decide(client, a, request_id, decision="liste_attente").status_code == 409
    assert decide(client, a, request_id, decision="refusee").json()["statut"] == "refusee"
    again = decide(client, a, request_id, decision="acceptee")
    assert again.status_code == 409
    assert again.json()["errors"][0]["path"] == "$.decision"


def test_only_the_offering_cae_answers_and_others_do_not_see_the_request(
    client: TestClient, b: dict[str, str], session_id: int, session: Session
) -> None:
    request_id = ask(client, b, session_id).json()["id"]
    stranger = bearer(issue_token(session, member=create_member(session)))

    assert decide(client, b, request_id, decision="acceptee").status_code == 403
    assert decide(client, stranger, request_id, decision="acceptee").status_code == 404
    assert client.get(f"/v1/trainings/requests/{request_id}", headers=stranger).status_code == 404


def test_an_idempotency_key_records_one_request(
    client: TestClient, b: dict[str, str], session_id: int, session: Session, requester: Member
) -> None:
    key = {**b, "Idempotency-Key": "demande-1"}
    first = ask(client, key, session_id)
    replay = ask(client, key, session_id)
    other = ask(client, key, session_id, places=1)

    assert (first.status_code, replay.status_code) == (201, 201)
    assert replay.json()["id"] == first.json()["id"]
    assert replay.json()["rejouee"] is True
    assert replay.json()["receipt"]["sequence"] > first.json()["receipt"]["sequence"]
    assert other.status_code == 409
    assert other.json()["errors"][0]["path"] == "header.idempotency-key"
    rows = session.exec(select(SeatRequest).where(SeatRequest.requester_id == requester.id))
    assert len(list(rows)) == 1


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"places": 0}, "$.places"),
        ({"places": 5}, "$.places"),  # more than offered
        ({"reference": "Jean Dupont"}, "$.reference"),  # a name has a space: refused
        ({"effectif": 0}, "$.effectif"),
        ({"stagiaires": ["Jean Dupont"]}, "$.stagiaires"),
    ],
)
def test_bad_requests_are_refused_naming_the_field(
    client: TestClient, b: dict[str, str], session_id: int, body: dict[str, Any], path: str
) -> None:
    response = ask(client, b, session_id, **body)

    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert path in [e["path"] for e in response.json()["errors"]]


def test_own_unoffered_or_unknown_sessions_cannot_be_asked(
    client: TestClient,
    a: dict[str, str],
    b: dict[str, str],
    session_id: int,
    session: Session,
    offerer: Member,
) -> None:
    unoffered = offered_session(session, offerer, "S-TOIT-2027-02").id
    assert ask(client, a, session_id).status_code == 409
    assert ask(client, b, unoffered).status_code == 404
    assert ask(client, b, 2**31 - 1).status_code == 404
    assert (
        client.post(
            "/v1/trainings/sessions/0/requests", json={"places": 1, "reference": "x"}, headers=b
        ).status_code
        == 422
    )


def test_a_withdrawn_session_closes_its_requests_and_tells_the_requesting_cae(
    client: TestClient,
    a: dict[str, str],
    b: dict[str, str],
    session_id: int,
    session: Session,
    requester: Member,
) -> None:
    pending = ask(client, b, session_id, reference="R1").json()["id"]
    accepted = ask(client, b, session_id, reference="R2").json()["id"]
    decide(client, a, accepted, decision="acceptee")
    smaller = example()
    smaller["formations"][0]["actions"][0]["sessions"].pop(0)

    assert client.put("/v1/trainings/catalogue", json=smaller, headers=a).status_code == 200

    for request_id in (pending, accepted):
        answer = client.get(f"/v1/trainings/requests/{request_id}", headers=b).json()
        assert answer["statut"] == "session_retiree"
    withdrawn = [m for m in mails_to(session, requester) if m.subject.startswith("Session retirée")]
    assert len(withdrawn) == 2
    assert ask(client, b, session_id).status_code == 409


def test_a_passed_registration_deadline_refuses_new_requests(
    client: TestClient, a: dict[str, str], b: dict[str, str], session: Session, offerer: Member
) -> None:
    document = example()
    pooling = document["formations"][0]["actions"][0]["sessions"][0]["mutualisation"]
    pooling["date_limite_inscription"] = (date.today().replace(year=2020)).strftime("%Y%m%d")
    client.put("/v1/trainings/catalogue", json=document, headers=a)
    row_id = offered_session(session, offerer).id

    response = ask(client, b, row_id)

    assert response.status_code == 409
    assert "date limite" in response.json()["detail"]
