"""The audit trail page: staff only, filters by member, kind and dates, the chain's status,
and a CSV export with French headers."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import Session

from tests.web.conftest import Loaded, login


def test_staff_read_the_trail_and_its_status(staff_client: TestClient, loaded: Loaded) -> None:
    page = staff_client.get("/audit")
    assert page.status_code == 200
    assert 'href="/audit"' in page.text  # in the navigation
    assert 'data-etat="integre"' in page.text
    assert "piste d&#39;audit intègre" in page.text or "piste d'audit intègre" in page.text
    assert "rapport accepté" in page.text and "connexion réussie" in page.text


def test_filters_by_member_kind_and_dates(staff_client: TestClient, loaded: Loaded) -> None:
    siren = loaded.members[0].siren
    page = staff_client.get(f"/audit?membre={siren}&nature=report.accepted")
    assert page.status_code == 200
    assert page.text.count('data-sequence="') == 3  # one report per semester
    assert "membre créé" not in page.text.split("<tbody>")[1]
    future = staff_client.get("/audit?du=2100-01-01")
    assert "Aucun événement." in future.text
    today = staff_client.get("/audit?du=2000-01-01&au=2100-01-01&nature=member.created")
    assert today.text.count('data-sequence="') == len(loaded.members) + 1


def test_wrong_filters_are_named_in_french(staff_client: TestClient) -> None:
    for query, sentence in (
        ("membre=000000000", "Aucune CAE avec le SIREN « 000000000 »."),
        ("nature=inconnue", "Nature d&#39;événement inconnue : « inconnue »."),
        ("du=hier", "Date illisible : « hier »."),
        ("du=2026-02-01&au=2026-01-01", "La période choisie finit avant de commencer."),
    ):
        answer = staff_client.get(f"/audit?{query}")
        assert answer.status_code == 400, query
        assert sentence in answer.text, answer.text


def test_csv_export_has_french_headers(staff_client: TestClient, loaded: Loaded) -> None:
    siren = loaded.members[0].siren
    answer = staff_client.get(f"/audit.csv?membre={siren}&nature=report.accepted")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:4] == ["N°", "Date (UTC)", "Nature", "Code de la nature"]
    assert len(rows) == 4
    assert {r[2] for r in rows[1:]} == {"rapport accepté"}
    assert {r[6] for r in rows[1:]} == {siren}
    numbers = [int(r[0]) for r in rows[1:]]
    assert numbers == sorted(numbers)


def test_members_never_see_the_trail(member_client: TestClient) -> None:
    assert member_client.get("/audit").status_code == 404
    assert member_client.get("/audit.csv").status_code == 404
    assert 'href="/audit"' not in member_client.get("/tableau-de-bord").text


def test_logged_out_visitors_are_sent_to_log_in(client: TestClient, loaded: Loaded) -> None:
    assert client.get("/audit", follow_redirects=False).status_code == 303
    assert login(client, loaded.admin.email).status_code == 303
    assert client.get("/audit").status_code == 200


def test_a_broken_chain_is_shown_as_such(staff_client: TestClient, session: Session) -> None:
    session.execute(text("UPDATE audit_event SET actor_id = 424242 WHERE sequence = 2"))
    session.flush()
    page = staff_client.get("/audit")
    assert 'data-etat="rompue"' in page.text
    assert "événement n° 2 : empreinte incorrecte" in page.text
