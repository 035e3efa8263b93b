"""Through the API: every kind of event is recorded, reports and publications answer a
receipt verifiable with ``GET /v1/audit/key``, and the trail holds no secret or personal field."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from hub.audit.service import audit_service
from hub.audit.signing import load_public_pem, receipt_valid
from hub.config import Settings
from hub.members.models import StaffRole
from hub.members.schemas import MemberUserCreate
from hub.members.service import member_user_service
from hub.web.service import web_auth_service
from tests.factories import bearer, create_member, create_staff, issue_token
from tests.indicators.test_reports import report

PASSWORD = "un mot de passe bien solide"


def _public_key(client: TestClient) -> Any:
    answer = client.get("/v1/audit/key")  # no token needed
    assert answer.status_code == 200
    body = answer.json()
    assert body["algorithm"] == "Ed25519"
    assert body["key_id"] == audit_service.key().key_id
    return load_public_pem(body["public_key_pem"])


def test_the_public_key_is_served_to_anyone(client: TestClient) -> None:
    _public_key(client)
    assert client.get("/v1/audit/key").json()["origin"] == "derived"  # test settings: no key


def test_an_accepted_report_answers_a_receipt_the_public_key_verifies(
    client: TestClient, session: Session
) -> None:
    member = create_member(session)
    headers = bearer(issue_token(session, member=member))
    public = _public_key(client)

    address = "/v1/indicators/reports/2025-S2"
    tried = client.put(f"{address}?dry_run=true", json=report(), headers=headers)
    assert tried.status_code == 200 and tried.json()["receipt"] is None

    first = client.put("/v1/indicators/reports/2025-S2", json=report(), headers=headers).json()
    again = client.put("/v1/indicators/reports/2025-S2", json=report(), headers=headers).json()
    for summary in (first, again):
        receipt = summary["receipt"]
        assert receipt["kind"] == "report.accepted"
        assert receipt_valid(receipt, public)
    assert again["unchanged"] and again["receipt"]["sequence"] > first["receipt"]["sequence"]

    forged = {**first["receipt"], "sequence": first["receipt"]["sequence"] + 1}
    assert not receipt_valid(forged, public)

    session.expire_all()
    event = audit_service.search(session, _filter(kind="report.accepted"))[-1]
    assert event.sequence == first["receipt"]["sequence"]
    assert event.hash == first["receipt"]["hash"]
    assert (event.actor_kind, event.member_id) == ("member_token", member.id)
    assert event.details["content_hash"] == first["content_hash"]
    assert event.request_id  # the access log's request id


def _filter(**fields: Any) -> Any:
    from hub.audit.schemas import EventFilter

    return EventFilter(**fields)


def _every_kind(client: TestClient, session: Session) -> dict[str, Any]:
    """Run every audited action once; what a leak would look like, to search the trail for."""
    admin = create_staff(session, role=StaffRole.ADMIN)
    admin_headers = bearer(issue_token(session, staff=admin))
    made = client.post(
        "/v1/admin/members",
        headers=admin_headers,
        json={
            "name": "Bâtisseurs Réunis",
            "siren": "552100554",
            "region": "75",
            "departements": ["75"],
            "trades": ["43.21A"],
            "contact_email": "contact@batisseurs.example",
        },
    )
    assert made.status_code == 201, made.text
    changed = client.patch(
        "/v1/admin/members/552100554", headers=admin_headers, json={"name": "Bâtisseurs Unis"}
    )
    assert changed.status_code == 200
    staff = client.post(
        "/v1/admin/staff",
        headers=admin_headers,
        json={"email": "camille.durand@federation.example", "display_name": "Camille Durand"},
    )
    assert staff.status_code == 201
    issued = client.post(
        "/v1/admin/tokens", headers=admin_headers, json={"member_siren": "552100554"}
    )
    assert issued.status_code == 201
    token = issued.json()["token"]
    sent = client.put("/v1/indicators/reports/2025-S2", json=report(), headers=bearer(token))
    assert sent.status_code == 200
    published = client.post("/v1/stats/publications/2025-S2", headers=admin_headers)
    assert published.status_code == 201, published.text
    assert receipt_valid(published.json()["receipt"], _public_key(client))
    revoked = client.post(f"/v1/admin/tokens/{issued.json()['id']}/revoke", headers=admin_headers)
    assert revoked.status_code == 200

    user, _ = member_user_service.create(
        session,
        MemberUserCreate(
            member_siren="552100554",
            email="dominique.martin@batisseurs.example",
            display_name="Dominique Martin",
            password=PASSWORD,
        ),
    )
    settings = Settings(environment="test")
    for password in (PASSWORD, "pas le bon mot de passe"):
        web_auth_service.login(
            session,
            settings,
            email=user.email,
            password=password,
            client="192.0.2.10",
            previous_session_id=None,
        )
    member_user_service.set_active(session, user.email, active=False)
    assert client.post("/v1/admin/members/552100554/deactivate", headers=admin_headers).is_success
    session.flush()
    return {
        "secrets": [token, PASSWORD, "pas le bon mot de passe", user.password_hash],
        "personal": [
            "Bâtisseurs",
            "Camille",
            "Durand",
            "Dominique",
            "Martin",
            "@",
            "192.0.2.10",
            admin.email,
            admin.display_name,
        ],
    }


def _dump(session: Session, table: str) -> str:
    rows = session.execute(text(f"SELECT * FROM {table}")).mappings().all()  # noqa: S608
    return json.dumps([dict(r) for r in rows], default=str, ensure_ascii=False)


def test_every_kind_is_recorded_and_the_trail_holds_no_secret_or_personal_field(
    client: TestClient, session: Session
) -> None:
    leaks = _every_kind(client, session)
    session.expire_all()
    kinds = {e.kind for e in audit_service.search(session, _filter())}
    assert kinds >= {
        "member.created",
        "member.changed",
        "member.deactivated",
        "staff.created",
        "token.issued",
        "token.revoked",
        "account.created",
        "account.changed",
        "login.succeeded",
        "login.failed",
        "report.accepted",
        "publication.published",
    }
    changed = audit_service.search(session, _filter(kind="member.changed"))[0]
    assert changed.details == {"fields": ["name"]}
    dump = _dump(session, "audit_event") + _dump(session, "audit_checkpoint")
    found = [value for value in leaks["secrets"] + leaks["personal"] if value in dump]
    assert found == []
    assert audit_service.verify(session).intact


def test_a_refused_known_token_is_recorded_an_unknown_one_is_not(
    client: TestClient, session: Session
) -> None:
    member = create_member(session)
    secret = issue_token(session, member=member)
    admin = create_staff(session, role=StaffRole.ADMIN)
    admin_headers = bearer(issue_token(session, staff=admin))
    tokens = client.get(f"/v1/admin/tokens?member_siren={member.siren}", headers=admin_headers)
    token_id = tokens.json()[0]["id"]
    assert client.post(f"/v1/admin/tokens/{token_id}/revoke", headers=admin_headers).is_success
    assert client.get("/v1/me", headers=bearer(secret)).status_code == 401
    assert client.get("/v1/me", headers=bearer("caeh_" + "x" * 43)).status_code == 401
    session.expire_all()
    [failed] = audit_service.search(session, _filter(kind="login.failed"))
    assert failed.details == {"via": "token", "reason": "revoked", "token_id": token_id}
    assert (failed.actor_kind, failed.member_id) == ("member_token", member.id)
    assert secret not in _dump(session, "audit_event")
