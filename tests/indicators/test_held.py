"""``GET /v1/indicators/reports``: what the hub holds for a CAE, period by period, cheaply."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import Session

from hub.indicators.service import report_service
from hub.members.models import Scope, StaffRole
from tests.factories import bearer, create_member, create_staff, issue_token
from tests.indicators.test_reports import report

URL = "/v1/indicators/reports"


def test_a_member_sees_each_period_with_its_revision_in_force(
    client: TestClient, session: Session
) -> None:
    member = create_member(session)
    headers = bearer(issue_token(session, member=member))
    assert client.get(URL, headers=headers).json() == {"member_siren": member.siren, "reports": []}

    sent = {}
    for period, total in (("2025-S1", 40), ("2024-S2", 35), ("2025-S1", 41)):
        answer = client.put(f"{URL}/{period}", json=report(period, total=total), headers=headers)
        assert answer.status_code == 200, answer.text
        sent[period] = answer.json()
    other = create_member(session)
    client.put(
        f"{URL}/2024-S2", json=report("2024-S2"), headers=bearer(issue_token(session, member=other))
    )

    response = client.get(URL, headers=headers)
    assert response.status_code == 200
    body = response.json()
    assert body["member_siren"] == member.siren
    assert [(r["period"], r["revision"]) for r in body["reports"]] == [
        ("2024-S2", 1),
        ("2025-S1", 2),
    ]
    for held in body["reports"]:
        summary = sent[held["period"]]
        assert held["content_hash"] == summary["content_hash"]
        assert held["cell_count"] == summary["cells_accepted"] == 7
        assert held["received_at"].startswith(summary["received_at"][:19])
        assert held["breakdowns"]["entrepreneurs"] == ["", "contract"]
        assert "cells" not in held


@contextmanager
def counted(session: Session) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    connection = session.connection()
    event.listen(connection, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(connection, "before_cursor_execute", record)


def test_it_costs_one_query_and_reads_no_cell(session: Session) -> None:
    member = create_member(session)
    for period in ("2024-S1", "2024-S2", "2025-S1"):
        report_service.submit(session, member, period, report(period))
    with counted(session) as statements:
        held = report_service.held(session, member)
    assert len(held.reports) == 3
    assert len(statements) == 1
    assert "indicator_cell" not in statements[0]


def test_staff_read_it_only_for_a_consenting_member(client: TestClient, session: Session) -> None:
    private = create_member(session, consents_raw_access=False)
    consenting = create_member(session, consents_raw_access=True)
    for owner in (private, consenting):
        client.put(
            f"{URL}/2025-S1",
            json=report("2025-S1"),
            headers=bearer(issue_token(session, member=owner)),
        )
    staff = bearer(issue_token(session, staff=create_staff(session, role=StaffRole.STAFF)))
    shown = client.get(f"{URL}?member={consenting.siren}", headers=staff)
    assert shown.status_code == 200
    assert [r["period"] for r in shown.json()["reports"]] == ["2025-S1"]
    assert client.get(f"{URL}?member={private.siren}", headers=staff).status_code == 404
    missing = client.get(URL, headers=staff)
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["path"] == "query.member"


def test_a_member_cannot_ask_for_another_one(client: TestClient, session: Session) -> None:
    member, other = create_member(session), create_member(session, consents_raw_access=True)
    headers = bearer(issue_token(session, member=member))
    assert client.get(f"{URL}?member={other.siren}", headers=headers).status_code == 404


def test_it_needs_the_reports_read_scope(client: TestClient, session: Session) -> None:
    member = create_member(session)
    writer = bearer(issue_token(session, member=member, scopes=[Scope.REPORTS_WRITE]))
    response = client.get(URL, headers=writer)
    assert response.status_code == 403
    assert "reports:read" in response.json()["detail"]
    assert client.get(URL).status_code == 401


def test_it_is_documented_in_openapi(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operation = spec["paths"][URL]["get"]
    assert operation["summary"].startswith("Les rapports que le hub détient")
    schema = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/HeldReports"}
    assert {"401", "403", "404", "422"} <= set(operation["responses"])
    held = spec["components"]["schemas"]["HeldReport"]
    assert {"period", "revision", "content_hash", "cell_count", "received_at"} <= set(
        held["required"]
    )
