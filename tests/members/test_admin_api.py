"""The admin API: members, staff accounts and tokens."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from hub.members.models import StaffRole
from tests.factories import bearer, create_member, create_staff, issue_token, new_siren


@pytest.fixture
def admin(session: Session) -> dict[str, str]:
    account = create_staff(session, role=StaffRole.ADMIN)
    return bearer(issue_token(session, staff=account))


def _member_body(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "name": "Coop'Bâtir Landes",
        "siren": new_siren(),
        "region": "75",
        "departements": ["40", "64"],
        "trades": ["43.21A", "43.91B"],
        "contact_email": "contact@coopbatir-landes.example",
    }
    body.update(overrides)
    return body


def _errors(response) -> dict[str, str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return {e["path"]: e["message"] for e in response.json()["errors"]}


def test_create_and_read_member(client: TestClient, admin: dict[str, str]) -> None:
    body = _member_body()
    created = client.post("/v1/admin/members", json=body, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["active"] is True
    assert created.json()["consents_raw_access"] is False
    read = client.get(f"/v1/admin/members/{body['siren']}", headers=admin)
    assert read.status_code == 200
    assert read.json()["departements"] == ["40", "64"]
    listed = client.get("/v1/admin/members", headers=admin).json()
    assert body["siren"] in {m["siren"] for m in listed}


def test_siren_with_wrong_check_digit_names_the_field(
    client: TestClient, admin: dict[str, str]
) -> None:
    siren = new_siren()
    wrong = siren[:8] + str((int(siren[8]) + 1) % 10)
    errors = _errors(
        client.post("/v1/admin/members", json=_member_body(siren=wrong), headers=admin)
    )
    assert "Luhn" in errors["$.siren"]


@pytest.mark.parametrize("siren", ["12345678", "1234567890", "12345678A", ""])
def test_siren_must_have_nine_digits(client: TestClient, admin: dict[str, str], siren: str) -> None:
    errors = _errors(
        client.post("/v1/admin/members", json=_member_body(siren=siren), headers=admin)
    )
    assert "$.siren" in errors


def test_codes_come_from_the_registry(client: TestClient, admin: dict[str, str]) -> None:
    body = _member_body(region="99", departements=["20", "2A"], trades=["62.01Z"])
    errors = _errors(client.post("/v1/admin/members", json=body, headers=admin))
    assert "région" in errors["$.region"]
    assert "« 20 »" in errors["$.departements[0]"]
    assert "$.departements[1]" not in errors
    assert "métier" in errors["$.trades[0]"]


def test_every_bad_field_is_reported_at_once(client: TestClient, admin: dict[str, str]) -> None:
    body = _member_body(name="", contact_email="pas-une-adresse", departements=[])
    body.pop("trades")
    errors = _errors(client.post("/v1/admin/members", json=body, headers=admin))
    assert set(errors) == {"$.name", "$.contact_email", "$.departements", "$.trades"}
    assert errors["$.trades"] == "champ obligatoire"


def test_malformed_json_is_a_problem(client: TestClient, admin: dict[str, str]) -> None:
    response = client.post(
        "/v1/admin/members",
        content=b'{"name": ',
        headers={**admin, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["message"] == "JSON mal formé"


def test_duplicate_siren_is_a_conflict(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    existing = create_member(session)
    response = client.post(
        "/v1/admin/members", json=_member_body(siren=existing.siren), headers=admin
    )
    assert response.status_code == 409
    assert response.json()["errors"] == [{"path": "$.siren", "message": "SIREN déjà enregistré"}]


def test_unknown_member_is_404(client: TestClient, admin: dict[str, str]) -> None:
    response = client.get(f"/v1/admin/members/{new_siren()}", headers=admin)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


def test_update_and_deactivate_member(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    member = create_member(session)
    updated = client.patch(
        f"/v1/admin/members/{member.siren}",
        json={"consents_raw_access": True, "trades": ["43.99C"]},
        headers=admin,
    )
    assert updated.status_code == 200, updated.text
    assert updated.json()["consents_raw_access"] is True
    assert updated.json()["trades"] == ["43.99C"]
    assert updated.json()["name"] == member.name
    refused = client.patch(f"/v1/admin/members/{member.siren}", json={"name": None}, headers=admin)
    assert refused.status_code == 422
    deactivated = client.post(f"/v1/admin/members/{member.siren}/deactivate", headers=admin)
    assert deactivated.json()["active"] is False
    active = client.get("/v1/admin/members", headers=admin).json()
    assert member.siren not in {m["siren"] for m in active}
    everyone = client.get("/v1/admin/members?include_inactive=true", headers=admin).json()
    assert member.siren in {m["siren"] for m in everyone}


def test_token_lifecycle(client: TestClient, admin: dict[str, str], session: Session) -> None:
    member = create_member(session)
    issued = client.post(
        "/v1/admin/tokens",
        json={"member_siren": member.siren, "label": "synchro nocturne", "expires_in_days": 30},
        headers=admin,
    )
    assert issued.status_code == 201, issued.text
    secret = issued.json()["token"]
    assert secret.startswith("caeh_") and len(secret) > 40
    assert issued.json()["status"] == "active"
    assert client.get("/v1/me", headers=bearer(secret)).status_code == 200

    listed = client.get(f"/v1/admin/tokens?member_siren={member.siren}", headers=admin)
    assert listed.status_code == 200
    assert secret not in listed.text
    [token] = listed.json()
    assert token["label"] == "synchro nocturne"
    assert token["expires_at"] is not None

    revoked = client.post(f"/v1/admin/tokens/{token['id']}/revoke", headers=admin)
    assert revoked.json()["status"] == "revoked"
    assert client.get("/v1/me", headers=bearer(secret)).status_code == 401


def test_token_scopes_cannot_exceed_the_owner(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    member = create_member(session)
    response = client.post(
        "/v1/admin/tokens",
        json={"member_siren": member.siren, "scopes": ["reports:write", "admin"]},
        headers=admin,
    )
    errors = _errors(response)
    assert "admin" in errors["$.scopes"]


def test_token_needs_exactly_one_owner(client: TestClient, admin: dict[str, str]) -> None:
    assert client.post("/v1/admin/tokens", json={}, headers=admin).status_code == 422
    unknown = client.post("/v1/admin/tokens", json={"member_siren": new_siren()}, headers=admin)
    assert "$.member_siren" in _errors(unknown)


def test_revoking_unknown_token_is_404(client: TestClient, admin: dict[str, str]) -> None:
    assert client.post("/v1/admin/tokens/999999/revoke", headers=admin).status_code == 404


def test_create_staff_draws_a_password_once(client: TestClient, admin: dict[str, str]) -> None:
    created = client.post(
        "/v1/admin/staff",
        json={"email": "Camille.Martin@Federation.example", "display_name": "Camille Martin"},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["email"] == "camille.martin@federation.example"
    assert body["role"] == "staff"
    assert len(body["password"]) >= 12
    listed = client.get("/v1/admin/staff", headers=admin)
    assert body["password"] not in listed.text
    again = client.post(
        "/v1/admin/staff",
        json={"email": "camille.martin@federation.example", "display_name": "Autre"},
        headers=admin,
    )
    assert again.status_code == 409


def test_staff_password_too_short_is_refused(client: TestClient, admin: dict[str, str]) -> None:
    response = client.post(
        "/v1/admin/staff",
        json={"email": "a@federation.example", "display_name": "A", "password": "court"},
        headers=admin,
    )
    assert "$.password" in _errors(response)


def test_unknown_fields_are_refused_not_ignored(
    client: TestClient, admin: dict[str, str], session: Session
) -> None:
    member = create_member(session)
    response = client.patch(
        f"/v1/admin/members/{member.siren}", json={"nom": "Autre nom"}, headers=admin
    )
    assert _errors(response) == {"$.nom": "champ inconnu"}
    created = client.post("/v1/admin/members", json=_member_body(actif=False), headers=admin)
    assert _errors(created) == {"$.actif": "champ inconnu"}
