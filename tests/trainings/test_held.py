"""``GET /v1/trainings/catalogue/held``: the revision and content hash of the member's
catalogue in force, without its content, for the sync client's check."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from hub.members.models import Scope
from tests.factories import bearer, create_member, create_staff, issue_token
from tests.trainings.catalogues import example

URL = "/v1/trainings/catalogue/held"


def test_nothing_is_held_before_the_first_catalogue(client: TestClient, session: Session) -> None:
    member = create_member(session)

    answer = client.get(URL, headers=bearer(issue_token(session, member=member)))

    assert answer.status_code == 200
    assert answer.json() == {"member_siren": member.siren, "catalogues": []}


def test_the_revision_in_force_and_its_hash_are_held(client: TestClient, session: Session) -> None:
    member = create_member(session)
    headers = bearer(issue_token(session, member=member))
    first = client.put("/v1/trainings/catalogue", json=example(), headers=headers).json()
    shorter = example()
    shorter["formations"][0]["actions"][0]["sessions"].pop()
    second = client.put("/v1/trainings/catalogue", json=shorter, headers=headers).json()
    assert (first["revision"], second["revision"]) == (1, 2)

    held = client.get(URL, headers=headers).json()["catalogues"]

    in_force = client.get("/v1/trainings/catalogue", headers=headers).json()
    assert held == [{"revision": 2, "content_hash": in_force["content_hash"], "sessions": 1}]
    assert "document" not in held[0]


def test_a_token_without_the_trainings_scope_or_a_staff_token_is_refused(
    client: TestClient, session: Session
) -> None:
    member = create_member(session)
    reports_only = bearer(issue_token(session, member=member, scopes=[Scope.REPORTS_READ]))
    staff = bearer(issue_token(session, staff=create_staff(session)))

    assert client.get(URL, headers=reports_only).status_code == 403
    assert client.get(URL, headers=staff).status_code == 403
