"""The mandate's lifecycle: proposed by one CAE, accepted by the other, amended, suspended,
ended; every step audited for both sides with a receipt; only the parties see it."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from hub.audit.models import AuditEvent
from hub.members.models import Scope
from tests.delegations.mandates import active_mandate, mandate_document
from tests.factories import bearer, create_member, issue_token


def _two(session: Session) -> tuple[object, object, str, str]:
    a, b = create_member(session), create_member(session)
    return a, b, issue_token(session, member=a), issue_token(session, member=b)


def test_a_proposes_b_accepts_and_both_get_a_receipt(client: TestClient, session: Session) -> None:
    a = create_member(session, name="Alterbative")
    b = create_member(session, name="Coop&Bat")
    token_a, token_b = issue_token(session, member=a), issue_token(session, member=b)
    proposed = client.post(
        "/v1/delegations/mandates", headers=bearer(token_a), json=mandate_document(a, b)
    )
    assert proposed.status_code == 201, proposed.text
    body = proposed.json()
    assert body["status"] == "proposed"
    assert body["role"] == "delegante"
    assert body["receipt"]["kind"] == "mandate.proposed"
    uid = body["uid"]

    # The proposer cannot accept its own proposal.
    own = client.post(f"/v1/delegations/mandates/{uid}/versions/1/accept", headers=bearer(token_a))
    assert own.status_code == 409

    accepted = client.post(
        f"/v1/delegations/mandates/{uid}/versions/1/accept", headers=bearer(token_b)
    )
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["status"] == "active"
    assert accepted.json()["role"] == "delegataire"
    assert accepted.json()["version"] == 1

    events = session.exec(
        select(AuditEvent).where(AuditEvent.kind.in_(["mandate.proposed", "mandate.accepted"]))  # type: ignore[attr-defined]
    ).all()
    assert sorted((e.kind, e.member_id) for e in events) == sorted(
        [
            ("mandate.proposed", a.id),
            ("mandate.proposed", b.id),
            ("mandate.accepted", a.id),
            ("mandate.accepted", b.id),
        ]
    )
    assert all(e.details["mandate"] == uid for e in events)

    listed = client.get("/v1/delegations/mandates", headers=bearer(token_b)).json()
    assert [m["uid"] for m in listed] == [uid]


def test_a_third_cae_sees_nothing(client: TestClient, session: Session) -> None:
    a, b, token_a, token_b = _two(session)
    third = issue_token(session, member=create_member(session))
    mandate = active_mandate(client, token_a, token_b, mandate_document(a, b))
    uid = mandate["uid"]
    assert client.get(f"/v1/delegations/mandates/{uid}", headers=bearer(third)).status_code == 404
    assert client.get("/v1/delegations/mandates", headers=bearer(third)).json() == []
    refused = client.post(f"/v1/delegations/mandates/{uid}/end", headers=bearer(third))
    assert refused.status_code == 404


def test_a_mandate_between_others_is_refused(client: TestClient, session: Session) -> None:
    a, b, _, _ = _two(session)
    outsider = issue_token(session, member=create_member(session))
    response = client.post(
        "/v1/delegations/mandates", headers=bearer(outsider), json=mandate_document(a, b)
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "$.delegante.siren"


def test_an_invalid_mandate_names_the_field(client: TestClient, session: Session) -> None:
    a, b, token_a, _ = _two(session)
    response = client.post(
        "/v1/delegations/mandates",
        headers=bearer(token_a),
        json=mandate_document(a, b, jour_dsn=10),
    )
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert any(e["path"] == "$.jour_dsn" for e in response.json()["errors"])


def test_a_token_without_the_scope_is_refused(client: TestClient, session: Session) -> None:
    a, b = create_member(session), create_member(session)
    token = issue_token(session, member=a, scopes=[Scope.REPORTS_WRITE])
    response = client.post(
        "/v1/delegations/mandates", headers=bearer(token), json=mandate_document(a, b)
    )
    assert response.status_code == 403
    assert "delegations:write" in response.json()["detail"]


def test_an_amendment_is_a_new_version_in_force_once_accepted(
    client: TestClient, session: Session
) -> None:
    a, b, token_a, token_b = _two(session)
    uid = active_mandate(client, token_a, token_b, mandate_document(a, b))["uid"]
    amended = mandate_document(a, b, effectif_couvert=55)
    response = client.post(
        f"/v1/delegations/mandates/{uid}/versions", headers=bearer(token_b), json=amended
    )
    assert response.status_code == 201, response.text
    assert response.json()["version"] == 1  # still the first until A accepts
    again = client.post(
        f"/v1/delegations/mandates/{uid}/versions", headers=bearer(token_a), json=amended
    )
    assert again.status_code == 409
    accepted = client.post(
        f"/v1/delegations/mandates/{uid}/versions/2/accept", headers=bearer(token_a)
    )
    body = accepted.json()
    assert body["version"] == 2
    assert [v["status"] for v in body["versions"]] == ["superseded", "accepted"]
    assert body["versions"][1]["document"]["effectif_couvert"] == 55
    assert body["versions"][0]["content_hash"] != body["versions"][1]["content_hash"]


def test_an_amendment_cannot_change_the_parties(client: TestClient, session: Session) -> None:
    a, b, token_a, token_b = _two(session)
    c = create_member(session)
    uid = active_mandate(client, token_a, token_b, mandate_document(a, b))["uid"]
    response = client.post(
        f"/v1/delegations/mandates/{uid}/versions",
        headers=bearer(token_a),
        json=mandate_document(a, c),
    )
    assert response.status_code == 422


def test_suspend_resume_end(client: TestClient, session: Session) -> None:
    a, b, token_a, token_b = _two(session)
    uid = active_mandate(client, token_a, token_b, mandate_document(a, b))["uid"]
    suspended = client.post(f"/v1/delegations/mandates/{uid}/suspend", headers=bearer(token_b))
    assert suspended.json()["status"] == "suspended"
    assert suspended.json()["receipt"]["kind"] == "mandate.suspended"
    twice = client.post(f"/v1/delegations/mandates/{uid}/suspend", headers=bearer(token_a))
    assert twice.status_code == 409
    assert "suspendu" in twice.json()["detail"]
    resumed = client.post(f"/v1/delegations/mandates/{uid}/resume", headers=bearer(token_a))
    assert resumed.json()["status"] == "active"
    ended = client.post(f"/v1/delegations/mandates/{uid}/end", headers=bearer(token_a))
    assert ended.json()["status"] == "ended"
    assert ended.json()["ended_at"] is not None
    after = client.post(f"/v1/delegations/mandates/{uid}/resume", headers=bearer(token_a))
    assert after.status_code == 409


def test_the_contract_document_names_its_version_and_hash(
    client: TestClient, session: Session
) -> None:
    a = create_member(session, name="Alterbative")
    b = create_member(session, name="Coop&Bat")
    token_a, token_b = issue_token(session, member=a), issue_token(session, member=b)
    mandate = active_mandate(client, token_a, token_b, mandate_document(a, b))
    uid = mandate["uid"]
    response = client.get(f"/v1/delegations/mandates/{uid}/document.html", headers=bearer(token_b))
    assert response.status_code == 200
    html = response.text
    assert response.headers["content-type"].startswith("text/html")
    assert '<html lang="fr">' in html
    assert "Coop&amp;Bat" in html  # escaped
    assert "version 1" in html
    assert mandate["versions"][0]["content_hash"] in html
    assert "DSN mensuelle" in html
    assert "42 personnes" in html
