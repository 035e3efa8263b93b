"""Sending catalogue snapshots: revisions, what changed, withdrawn sessions, idempotency,
refusals naming the field."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from hub.audit.schemas import EventFilter
from hub.audit.service import audit_service
from hub.audit.signing import load_public_pem, receipt_valid
from hub.members.models import Member, Scope
from hub.trainings.models import CatalogueRevision, TrainingSession
from tests.factories import bearer, create_member, create_staff, issue_token
from tests.trainings.catalogues import example, sessions_of

URL = "/v1/trainings/catalogue"


@pytest.fixture
def member(session: Session) -> Member:
    return create_member(session)


@pytest.fixture
def headers(session: Session, member: Member) -> dict[str, str]:
    return bearer(issue_token(session, member=member))


def stored_sessions(session: Session, member: Member) -> dict[str, TrainingSession]:
    rows = session.exec(select(TrainingSession).where(TrainingSession.member_id == member.id)).all()
    for row in rows:
        session.refresh(row)
    return {row.numero: row for row in rows}


def test_a_first_catalogue_is_revision_one_and_every_session_is_new(
    client: TestClient, headers: dict[str, str], session: Session, member: Member
) -> None:
    response = client.put(URL, json=example(), headers=headers)

    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary["revision"] == 1
    assert summary["unchanged"] is False
    assert (summary["formations"], summary["sessions"], summary["offered"]) == (1, 2, 1)
    assert summary["new"] == ["S-TOIT-2027-01", "S-TOIT-2027-02"]
    assert summary["modified"] == summary["withdrawn"] == []
    assert set(stored_sessions(session, member)) == {"S-TOIT-2027-01", "S-TOIT-2027-02"}


def test_the_same_catalogue_in_another_order_is_unchanged(
    client: TestClient, headers: dict[str, str]
) -> None:
    client.put(URL, json=example(), headers=headers)
    shuffled = example()
    shuffled["formations"][0]["actions"][0]["sessions"].reverse()

    summary = client.put(URL, json=shuffled, headers=headers).json()

    assert summary["unchanged"] is True
    assert summary["revision"] == 1


def test_a_session_left_out_is_withdrawn_never_deleted_and_comes_back_as_new(
    client: TestClient, headers: dict[str, str], session: Session, member: Member
) -> None:
    client.put(URL, json=example(), headers=headers)
    smaller = example()
    smaller["formations"][0]["actions"][0]["sessions"].pop()
    smaller["formations"][0]["actions"][0]["sessions"][0]["mutualisation"]["places_offertes"] = 2

    summary = client.put(URL, json=smaller, headers=headers).json()

    assert summary["revision"] == 2
    assert summary["withdrawn"] == ["S-TOIT-2027-02"]
    assert summary["modified"] == ["S-TOIT-2027-01"]
    assert summary["new"] == []
    rows = stored_sessions(session, member)
    assert rows["S-TOIT-2027-02"].withdrawn_at is not None
    assert rows["S-TOIT-2027-01"].withdrawn_at is None
    assert rows["S-TOIT-2027-01"].seats_offered == 2

    again = client.put(URL, json=example(), headers=headers).json()

    assert again["revision"] == 3
    assert again["new"] == ["S-TOIT-2027-02"]
    assert again["modified"] == ["S-TOIT-2027-01"]
    assert stored_sessions(session, member)["S-TOIT-2027-02"].withdrawn_at is None


def test_a_change_in_the_formation_modifies_each_of_its_sessions(
    client: TestClient, headers: dict[str, str]
) -> None:
    client.put(URL, json=example(), headers=headers)
    changed = example()
    changed["formations"][0]["intitule"] = "Sécurité en toiture et sur échafaudage"

    summary = client.put(URL, json=changed, headers=headers).json()

    assert summary["modified"] == ["S-TOIT-2027-01", "S-TOIT-2027-02"]


def test_revisions_are_kept_with_the_whole_snapshot(
    client: TestClient, headers: dict[str, str], session: Session, member: Member
) -> None:
    client.put(URL, json=example(), headers=headers)
    client.put(URL, json=example(1), headers=headers)

    revisions = session.exec(
        select(CatalogueRevision)
        .where(CatalogueRevision.member_id == member.id)
        .order_by(col(CatalogueRevision.revision))
    ).all()

    assert [(r.revision, r.is_current) for r in revisions] == [(1, False), (2, True)]
    assert revisions[1].changes["withdrawn"] == ["S-TOIT-2027-01", "S-TOIT-2027-02"]
    assert revisions[1].document["formations"][0]["numero"] == "F-DEVIS"


def test_a_dry_run_says_what_would_change_and_stores_nothing(
    client: TestClient, headers: dict[str, str], session: Session, member: Member
) -> None:
    summary = client.put(URL, json=example(), headers=headers, params={"dry_run": "true"}).json()

    assert summary["dry_run"] is True
    assert summary["new"] == ["S-TOIT-2027-01", "S-TOIT-2027-02"]
    assert stored_sessions(session, member) == {}


def test_a_retry_with_the_same_key_replays_the_answer(
    client: TestClient, headers: dict[str, str]
) -> None:
    keyed = {**headers, "Idempotency-Key": "catalogue-2026-12-03"}
    first = client.put(URL, json=example(), headers=keyed).json()

    replay = client.put(URL, json=example(), headers=keyed).json()

    assert replay["replayed"] is True
    assert replay["revision"] == first["revision"] == 1
    assert replay["new"] == first["new"]


def test_a_key_used_for_another_content_is_a_conflict_naming_the_header(
    client: TestClient, headers: dict[str, str]
) -> None:
    keyed = {**headers, "Idempotency-Key": "catalogue-2026-12-03"}
    client.put(URL, json=example(), headers=keyed)

    response = client.put(URL, json=example(1), headers=keyed)

    assert response.status_code == 409
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"][0]["path"] == "header.idempotency-key"


def test_an_invalid_catalogue_is_refused_whole_naming_each_field(
    client: TestClient, headers: dict[str, str], session: Session, member: Member
) -> None:
    document = example()
    sessions_of(document)[0]["debut"] = "2027-01-18"
    document["formations"][0]["actions"][0]["modalites_enseignement"] = 5

    response = client.put(URL, json=document, headers=headers)

    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    paths = {e["path"] for e in response.json()["errors"]}
    assert paths == {
        "$.formations[0].actions[0].sessions[0].debut",
        "$.formations[0].actions[0].modalites_enseignement",
    }
    assert all(e["message"] for e in response.json()["errors"])
    assert stored_sessions(session, member) == {}


def test_a_session_number_used_twice_is_refused_at_the_second(
    client: TestClient, headers: dict[str, str]
) -> None:
    document = example()
    sessions_of(document)[1]["numero"] = "S-TOIT-2027-01"

    response = client.put(URL, json=document, headers=headers)

    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["path"] == "$.formations[0].actions[0].sessions[1].numero"
    assert "déjà employé" in error["message"]


def test_a_session_ending_before_it_starts_is_refused(
    client: TestClient, headers: dict[str, str]
) -> None:
    document = example()
    sessions_of(document)[0]["fin"] = "20270101"

    response = client.put(URL, json=document, headers=headers)

    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "$.formations[0].actions[0].sessions[0].fin"


def test_malformed_json_is_refused_as_a_problem(
    client: TestClient, headers: dict[str, str]
) -> None:
    response = client.put(
        URL, content=b'{"formations": [', headers={**headers, "Content-Type": "application/json"}
    )

    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "$"


def test_staff_and_tokens_without_the_write_scope_cannot_send(
    client: TestClient, session: Session, member: Member
) -> None:
    staff = bearer(issue_token(session, staff=create_staff(session)))
    reader = bearer(issue_token(session, member=member, scopes=[Scope.TRAININGS_READ]))

    assert client.put(URL, json=example(), headers=staff).status_code == 403
    response = client.put(URL, json=example(), headers=reader)
    assert response.status_code == 403
    assert "trainings:write" in response.json()["detail"]


def test_two_members_may_use_the_same_numbers(
    client: TestClient, headers: dict[str, str], session: Session
) -> None:
    other = bearer(issue_token(session, member=create_member(session)))

    assert client.put(URL, json=example(), headers=headers).json()["revision"] == 1
    assert client.put(URL, json=example(), headers=other).json()["new"] == [
        "S-TOIT-2027-01",
        "S-TOIT-2027-02",
    ]


def test_a_member_reads_back_its_catalogue_in_force(
    client: TestClient, headers: dict[str, str], member: Member
) -> None:
    assert client.get(URL, headers=headers).status_code == 404
    sent = client.put(URL, json=example(1), headers=headers).json()

    held = client.get(URL, headers=headers).json()

    assert held["member_siren"] == member.siren
    assert (held["revision"], held["content_hash"]) == (1, sent["content_hash"])
    assert held["document"]["formations"][0]["numero"] == "F-DEVIS"


def test_staff_have_no_catalogue_of_their_own(client: TestClient, session: Session) -> None:
    staff = bearer(issue_token(session, staff=create_staff(session)))

    response = client.get(URL, headers=staff)

    assert response.status_code == 403
    assert response.headers["content-type"].startswith("application/problem+json")


def test_every_catalogue_exchange_is_audited_with_a_receipt(
    client: TestClient, headers: dict[str, str], session: Session, member: Member
) -> None:
    public = load_public_pem(client.get("/v1/audit/key").json()["public_key_pem"])
    tried = client.put(f"{URL}?dry_run=true", json=example(), headers=headers)
    assert tried.status_code == 200 and tried.json()["receipt"] is None

    first = client.put(URL, json=example(), headers=headers).json()
    again = client.put(URL, json=example(), headers=headers).json()
    for summary in (first, again):
        assert summary["receipt"]["kind"] == "catalogue.accepted"
        assert receipt_valid(summary["receipt"], public)
    assert again["unchanged"] and again["receipt"]["sequence"] > first["receipt"]["sequence"]

    session.expire_all()
    events = audit_service.search(session, EventFilter(kind="catalogue.accepted"))
    assert sorted(e.sequence for e in events) == [
        first["receipt"]["sequence"],
        again["receipt"]["sequence"],
    ]
    newest = max(events, key=lambda e: e.sequence)
    assert (newest.actor_kind, newest.member_id) == ("member_token", member.id)
    assert newest.details["sessions"] == 2 and newest.details["unchanged"] is True
    assert audit_service.verify(session).intact
