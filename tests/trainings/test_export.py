"""The pooled catalogue as LHÉO 2.3: in (a LHÉO file) → hub → out, valid against the XSD."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from cae_contract.lheo import read_lheo, validate_lheo, with_defaults, write_lheo
from tests.factories import bearer, create_member, create_staff, issue_token
from tests.trainings.catalogues import example, renumbered, sessions_of

URL = "/v1/trainings/export.lheo.xml"


def fully_offered(document: dict[str, Any]) -> dict[str, Any]:
    for session in sessions_of(document):
        session.setdefault("mutualisation", {"places_offertes": 1})
    return document


def test_a_lheo_file_round_trips_through_the_hub_and_the_export_validates(
    client: TestClient, session: Session
) -> None:
    token = bearer(issue_token(session, member=create_member(session)))
    sent = fully_offered(example())
    document, problems = read_lheo(write_lheo([sent]))  # what the lheo connector sends
    assert problems == []

    assert client.put("/v1/trainings/catalogue", json=document, headers=token).is_success
    response = client.get(URL, headers=token)

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    assert validate_lheo(response.content) == []
    back, problems = read_lheo(response.content)
    assert problems == []
    assert back == with_defaults(sent)


def test_the_export_holds_only_what_was_offered_from_every_member(
    client: TestClient, session: Session
) -> None:
    first = bearer(issue_token(session, member=create_member(session)))
    second = bearer(issue_token(session, member=create_member(session)))
    client.put("/v1/trainings/catalogue", json=example(), headers=first)
    client.put(
        "/v1/trainings/catalogue", json=fully_offered(renumbered(example(1), "B-")), headers=second
    )
    staff = bearer(issue_token(session, staff=create_staff(session)))

    response = client.get(URL, headers=staff)

    assert validate_lheo(response.content) == []
    back, _ = read_lheo(response.content)
    assert back is not None
    assert sorted(s["numero"] for s in sessions_of(back)) == ["B-S-DEVIS-1", "S-TOIT-2027-01"]


def test_nothing_offered_is_a_problem_not_an_invalid_file(
    client: TestClient, session: Session
) -> None:
    token = bearer(issue_token(session, member=create_member(session)))
    client.put("/v1/trainings/catalogue", json=example(1), headers=token)

    response = client.get(URL, headers=token)

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "Aucune session" in response.json()["detail"]
