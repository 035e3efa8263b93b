"""Bearer authentication: who gets in, who is told what, and what is recorded."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import Session

from hub.db import utcnow
from hub.members.models import ApiToken, Scope, StaffRole
from hub.members.service import token_service
from hub.security import token_hash
from tests.factories import bearer, create_member, create_staff, issue_token


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("https://cae-hub.fr/problems/")
    return body


def test_missing_token_is_401_with_bearer_challenge(client: TestClient) -> None:
    response = client.get("/v1/me")
    body = _problem(response, 401)
    assert "Bearer" in response.headers["www-authenticate"]
    assert "Jeton manquant" in body["detail"]


def test_wrong_scheme_is_401(client: TestClient) -> None:
    _problem(client.get("/v1/me", headers={"Authorization": "Basic dXNlcjpwYXNz"}), 401)


def test_unknown_token_is_401(client: TestClient) -> None:
    body = _problem(client.get("/v1/me", headers=bearer("caeh_" + "x" * 43)), 401)
    assert body["detail"] == "Jeton inconnu."


def test_member_token_identifies_its_member(client: TestClient, session: Session) -> None:
    member = create_member(session, name="Coop Test")
    token = issue_token(session, member=member)
    response = client.get("/v1/me", headers=bearer(token))
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["kind"] == "member"
    assert body["role"] == "member"
    assert body["member"]["siren"] == member.siren
    assert body["token"]["prefix"] == token[:11]
    assert token not in response.text
    assert set(body["scopes"]) == {
        "reports:read",
        "reports:write",
        "stats:read",
        "trainings:read",
        "trainings:write",
        "delegations:read",
        "delegations:write",
    }


def test_revoked_token_is_401(client: TestClient, session: Session) -> None:
    member = create_member(session)
    token = issue_token(session, member=member)
    stored = session.exec(
        __import__("sqlmodel").select(ApiToken).where(ApiToken.token_hash == token_hash(token))
    ).one()
    token_service.revoke(session, stored.id)
    session.flush()
    body = _problem(client.get("/v1/me", headers=bearer(token)), 401)
    assert "révoqué" in body["detail"]


def test_expired_token_is_401(client: TestClient, session: Session) -> None:
    member = create_member(session)
    token = issue_token(session, member=member, expires_in_days=1)
    stored = session.exec(
        __import__("sqlmodel").select(ApiToken).where(ApiToken.token_hash == token_hash(token))
    ).one()
    stored.expires_at = utcnow() - timedelta(seconds=1)
    session.add(stored)
    session.flush()
    body = _problem(client.get("/v1/me", headers=bearer(token)), 401)
    assert "expiré" in body["detail"]


def test_token_of_deactivated_member_is_refused(client: TestClient, session: Session) -> None:
    member = create_member(session)
    token = issue_token(session, member=member)
    member.active = False
    session.add(member)
    session.flush()
    body = _problem(client.get("/v1/me", headers=bearer(token)), 403)
    assert "désactivé" in body["detail"]


def test_last_used_at_is_recorded(client: TestClient, session: Session) -> None:
    staff = create_staff(session)
    token = issue_token(session, staff=staff)
    before = utcnow()
    assert client.get("/v1/me", headers=bearer(token)).status_code == 200
    listed = token_service.list(session, staff_email=staff.email)
    assert listed[0].last_used_at is not None
    assert listed[0].last_used_at >= before - timedelta(seconds=1)


def test_member_token_cannot_reach_admin_api(client: TestClient, session: Session) -> None:
    member = create_member(session)
    token = issue_token(session, member=member)
    body = _problem(client.get("/v1/admin/members", headers=bearer(token)), 403)
    assert "administrateurs" in body["detail"]


def test_staff_token_cannot_reach_admin_api(client: TestClient, session: Session) -> None:
    staff = create_staff(session, role=StaffRole.STAFF)
    token = issue_token(session, staff=staff)
    _problem(client.post("/v1/admin/tokens", headers=bearer(token), json={}), 403)


def test_admin_token_without_admin_scope_is_refused(client: TestClient, session: Session) -> None:
    admin = create_staff(session, role=StaffRole.ADMIN)
    token = issue_token(session, staff=admin, scopes=[Scope.STATS_READ])
    body = _problem(client.get("/v1/admin/members", headers=bearer(token)), 403)
    assert "admin" in body["detail"]


def test_admin_token_reaches_admin_api(client: TestClient, session: Session) -> None:
    admin = create_staff(session, role=StaffRole.ADMIN)
    token = issue_token(session, staff=admin)
    response = client.get("/v1/admin/members", headers=bearer(token))
    assert response.status_code == 200, response.text
