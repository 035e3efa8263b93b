"""Browsing the network's offer: what each caller sees, the filters, pages, refusals."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from hub.members.models import Member
from tests.factories import bearer, create_member, create_staff, issue_token
from tests.trainings.catalogues import example, renumbered, sessions_of

URL = "/v1/trainings/sessions"


@pytest.fixture
def roofers(session: Session) -> Member:
    return create_member(session, name="Toits Partagés")


@pytest.fixture
def builders(session: Session) -> Member:
    return create_member(session, name="Bâtir Ensemble")


@pytest.fixture
def roofers_token(session: Session, roofers: Member) -> dict[str, str]:
    return bearer(issue_token(session, member=roofers))


@pytest.fixture
def builders_token(session: Session, builders: Member) -> dict[str, str]:
    return bearer(issue_token(session, member=builders))


@pytest.fixture
def offer(
    client: TestClient, roofers_token: dict[str, str], builders_token: dict[str, str]
) -> None:
    """Roofers offer one of their two roofing sessions; builders offer their quoting session."""
    assert client.put("/v1/trainings/catalogue", json=example(), headers=roofers_token).is_success
    quoting = example(1)
    sessions_of(quoting)[0]["mutualisation"] = {"places_offertes": 3, "prix_membre": 90}
    quoting["formations"][0]["metiers"] = ["43.32A"]
    quoting["formations"][0]["formacodes"] = ["32032"]
    quoting["formations"][0]["actions"][0]["lieux"] = [
        {
            "lignes": ["3 place du Marché"],
            "code_postal": "75011",
            "ville": "Paris",
            "departement": "75",
        }
    ]
    sessions_of(quoting)[0].update(debut="20270301", fin="20270302")
    response = client.put("/v1/trainings/catalogue", json=quoting, headers=builders_token)
    assert response.is_success, response.text


def numbers(client: TestClient, headers: dict[str, str], **params: Any) -> list[str]:
    response = client.get(URL, headers=headers, params=params)
    assert response.status_code == 200, response.text
    return [item["numero"] for item in response.json()["items"]]


def test_a_member_sees_its_own_sessions_and_what_others_offered(
    client: TestClient, offer: None, builders_token: dict[str, str]
) -> None:
    body = client.get(URL, headers=builders_token).json()

    assert body["total"] == 2
    seen = {item["numero"]: item for item in body["items"]}
    assert set(seen) == {"S-TOIT-2027-01", "S-DEVIS-1"}
    assert seen["S-DEVIS-1"]["own"] is True
    roofing = seen["S-TOIT-2027-01"]
    assert roofing["own"] is False
    assert roofing["member_name"] == "Toits Partagés"
    assert (roofing["places_offertes"], roofing["places_restantes"]) == (4, 4)
    assert roofing["prix_membre"] == 300
    assert roofing["organisme_formateur"]["qualiopi_reference"] == "QUALIOPI-2024-0451"
    assert roofing["regions"] == ["84"]


def test_a_curious_member_never_sees_another_cae_s_sessions_that_were_not_offered(
    client: TestClient, offer: None, builders_token: dict[str, str]
) -> None:
    # Every way of asking: by text, by trade, withdrawn ones included, page after page.
    asked = [
        numbers(client, builders_token),
        numbers(client, builders_token, q="toiture"),
        numbers(client, builders_token, metier="43.91A"),
        numbers(client, builders_token, retirees="true"),
        numbers(client, builders_token, par_page=1, page=2),
        numbers(client, builders_token, debut_min="2027-03-01"),
    ]

    assert all("S-TOIT-2027-02" not in seen for seen in asked)
    assert (
        "S-TOIT-2027-02"
        not in client.get("/v1/trainings/export.lheo.xml", headers=builders_token).text
    )


def test_the_offering_member_sees_its_sessions_that_are_not_offered(
    client: TestClient, offer: None, roofers_token: dict[str, str]
) -> None:
    assert numbers(client, roofers_token) == ["S-TOIT-2027-01", "S-DEVIS-1", "S-TOIT-2027-02"]


def test_staff_see_every_session(client: TestClient, offer: None, session: Session) -> None:
    staff = bearer(issue_token(session, staff=create_staff(session)))

    assert sorted(numbers(client, staff)) == ["S-DEVIS-1", "S-TOIT-2027-01", "S-TOIT-2027-02"]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"q": "TOITURE"}, ["S-TOIT-2027-01", "S-TOIT-2027-02"]),
        ({"q": "securite chutes"}, ["S-TOIT-2027-01", "S-TOIT-2027-02"]),
        ({"q": "chiffrer"}, ["S-DEVIS-1"]),
        ({"q": "100%"}, []),
        ({"metier": "43.91B"}, ["S-TOIT-2027-01", "S-TOIT-2027-02"]),
        ({"metier": "43.32A"}, ["S-DEVIS-1"]),
        ({"formacode": "42854"}, ["S-TOIT-2027-01", "S-TOIT-2027-02"]),
        ({"departement": "75"}, ["S-DEVIS-1"]),
        ({"region": "84"}, ["S-TOIT-2027-01", "S-TOIT-2027-02"]),
        ({"region": "11"}, ["S-DEVIS-1"]),
        ({"modalite": 2}, ["S-DEVIS-1"]),
        ({"modalite": 0}, ["S-TOIT-2027-01", "S-TOIT-2027-02"]),
        ({"debut_min": "2027-02-01"}, ["S-DEVIS-1", "S-TOIT-2027-02"]),
        ({"debut_max": "2027-02-01"}, ["S-TOIT-2027-01"]),
        ({"places_min": 4}, ["S-TOIT-2027-01"]),
        ({"places_min": 5}, []),
    ],
)
def test_filters(
    client: TestClient,
    offer: None,
    roofers_token: dict[str, str],
    params: dict[str, Any],
    expected: list[str],
) -> None:
    assert sorted(numbers(client, roofers_token, **params)) == sorted(expected)


def test_pages(client: TestClient, offer: None, roofers_token: dict[str, str]) -> None:
    first = client.get(URL, headers=roofers_token, params={"par_page": 2}).json()
    second = client.get(URL, headers=roofers_token, params={"par_page": 2, "page": 2}).json()

    assert first["total"] == second["total"] == 3
    assert [i["numero"] for i in first["items"]] == ["S-TOIT-2027-01", "S-DEVIS-1"]
    assert [i["numero"] for i in second["items"]] == ["S-TOIT-2027-02"]


def test_withdrawn_sessions_show_only_on_demand_and_only_to_their_owner(
    client: TestClient,
    offer: None,
    roofers_token: dict[str, str],
    builders_token: dict[str, str],
) -> None:
    shorter = example()
    shorter["formations"][0]["actions"][0]["sessions"] = [sessions_of(example())[1]]
    client.put("/v1/trainings/catalogue", json=shorter, headers=roofers_token)

    assert "S-TOIT-2027-01" not in numbers(client, roofers_token)
    mine = client.get(URL, headers=roofers_token, params={"retirees": "true"}).json()
    withdrawn = [i for i in mine["items"] if i["numero"] == "S-TOIT-2027-01"]
    assert withdrawn and withdrawn[0]["withdrawn"] is True
    assert "S-TOIT-2027-01" not in numbers(client, builders_token, retirees="true")


def test_an_inactive_member_s_offer_is_not_shown(
    client: TestClient,
    offer: None,
    roofers: Member,
    session: Session,
    builders_token: dict[str, str],
) -> None:
    roofers.active = False
    session.add(roofers)
    session.flush()

    assert numbers(client, builders_token) == ["S-DEVIS-1"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"modalite": 3}, "query.modalite"),
        ({"debut_min": "2027-13-01"}, "query.debut_min"),
        ({"par_page": 1000}, "query.par_page"),
        ({"formacode": "4285"}, "query.formacode"),
        ({"metier": "62.01Z"}, "query.metier"),
        ({"departement": "20"}, "query.departement"),
        ({"debut_min": "2027-03-01", "debut_max": "2027-01-01"}, "query.debut_max"),
    ],
)
def test_a_wrong_criterion_is_a_problem_naming_the_field(
    client: TestClient, roofers_token: dict[str, str], params: dict[str, Any], field: str
) -> None:
    response = client.get(URL, headers=roofers_token, params=params)

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in {e["path"] for e in response.json()["errors"]}


def test_browsing_needs_a_token(client: TestClient) -> None:
    response = client.get(URL)

    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")


def test_more_sessions_of_other_members_are_found_alike(
    client: TestClient, session: Session, roofers_token: dict[str, str]
) -> None:
    third = bearer(issue_token(session, member=create_member(session)))
    client.put("/v1/trainings/catalogue", json=renumbered(example(), "B-"), headers=third)

    assert numbers(client, roofers_token) == ["B-S-TOIT-2027-01"]
