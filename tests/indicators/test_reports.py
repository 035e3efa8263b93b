"""Sending, revising, dry-running and reading back indicator reports."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, func, select

from hub.indicators.models import IndicatorCell, IndicatorReport
from hub.members.models import Member, Scope, StaffRole
from tests.factories import bearer, create_member, create_staff, issue_token

PERIOD = "2025-S2"


def report(
    period: str = PERIOD, *, total: int = 42, cesa: int = 30, extra: list | None = None
) -> dict[str, Any]:
    return {
        "period": period,
        "cells": [
            {"indicator": "entrepreneurs", "dims": {}, "value": total},
            {"indicator": "entrepreneurs", "dims": {"contract": "cesa"}, "value": cesa},
            {"indicator": "entrepreneurs", "dims": {"contract": "cape"}, "value": total - cesa},
            {"indicator": "associates", "dims": {}, "value": 11},
            {"indicator": "revenue_eur", "dims": {"trade": "43.21A"}, "value": 182450.5},
            {"indicator": "revenue_eur", "dims": {"trade": "43.91B"}, "value": 99000.07},
            {"indicator": "support_staff_fte", "dims": {}, "value": 3.5},
            *(extra or []),
        ],
    }


@pytest.fixture
def member(session: Session) -> Member:
    return create_member(session, consents_raw_access=False)


@pytest.fixture
def headers(session: Session, member: Member) -> dict[str, str]:
    return bearer(issue_token(session, member=member))


def _stored(session: Session, member: Member) -> tuple[int, int]:
    reports = session.exec(
        select(func.count())
        .select_from(IndicatorReport)
        .where(IndicatorReport.member_id == member.id)
    ).one()
    cells = session.exec(
        select(func.count())
        .select_from(IndicatorCell)
        .join(
            IndicatorReport,
            IndicatorCell.report_id == IndicatorReport.id,  # type: ignore[arg-type]
        )
        .where(IndicatorReport.member_id == member.id)
    ).one()
    return reports, cells


def test_first_report_is_revision_one(client: TestClient, headers: dict[str, str]) -> None:
    response = client.put(f"/v1/indicators/reports/{PERIOD}", json=report(), headers=headers)
    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary["revision"] == 1
    assert summary["unchanged"] is False
    assert summary["cells_received"] == summary["cells_accepted"] == 7
    assert summary["errors"] == []


def test_same_content_again_is_unchanged(
    client: TestClient, headers: dict[str, str], session: Session, member: Member
) -> None:
    client.put(f"/v1/indicators/reports/{PERIOD}", json=report(), headers=headers)
    shuffled = report()
    shuffled["cells"].reverse()
    again = client.put(f"/v1/indicators/reports/{PERIOD}", json=shuffled, headers=headers)
    assert again.json()["unchanged"] is True
    assert again.json()["revision"] == 1
    assert _stored(session, member) == (1, 7)


def test_new_content_is_a_new_revision_and_history_is_kept(
    client: TestClient, headers: dict[str, str], session: Session, member: Member
) -> None:
    client.put(f"/v1/indicators/reports/{PERIOD}", json=report(), headers=headers)
    second = client.put(
        f"/v1/indicators/reports/{PERIOD}", json=report(total=43, cesa=31), headers=headers
    )
    assert second.json()["revision"] == 2
    current = client.get(f"/v1/indicators/reports/{PERIOD}", headers=headers).json()
    assert current["revision"] == 2
    values = {(c["indicator"], tuple(c["dims"].items())): c["value"] for c in current["cells"]}
    assert values[("entrepreneurs", ())] == 43
    assert values[("revenue_eur", (("trade", "43.21A"),))] == 182450.5
    history = client.get(f"/v1/indicators/reports/{PERIOD}/revisions", headers=headers).json()
    assert [(r["revision"], r["is_current"]) for r in history] == [(1, False), (2, True)]
    first = client.get(f"/v1/indicators/reports/{PERIOD}/revisions/1", headers=headers).json()
    assert {c["value"] for c in first["cells"] if c["indicator"] == "entrepreneurs"} >= {42}
    assert _stored(session, member) == (2, 14)


def test_dry_run_checks_everything_and_stores_nothing(
    client: TestClient, headers: dict[str, str], session: Session, member: Member
) -> None:
    response = client.put(
        f"/v1/indicators/reports/{PERIOD}?dry_run=true", json=report(), headers=headers
    )
    assert response.status_code == 200
    assert response.json()["dry_run"] is True
    assert response.json()["revision"] == 1
    assert _stored(session, member) == (0, 0)
    bad = client.put(
        f"/v1/indicators/reports/{PERIOD}?dry_run=true", json=report(cesa=50), headers=headers
    )
    assert bad.status_code == 422


def test_a_report_with_one_error_is_rejected_whole(
    client: TestClient, headers: dict[str, str], session: Session, member: Member
) -> None:
    document = report(extra=[{"indicator": "exits", "dims": {"sex": "F"}, "value": 1}])
    response = client.put(f"/v1/indicators/reports/{PERIOD}", json=document, headers=headers)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["cells_received"] == 8
    assert body["cells_accepted"] == 0
    assert body["errors"] == [
        {
            "path": "$.cells[7].dims.sex",
            "message": "dimension « sex » non admise pour cet indicateur",
        }
    ]
    assert _stored(session, member) == (0, 0)


@pytest.mark.parametrize(
    ("cell", "path", "fragment"),
    [
        (
            {"indicator": "unknown", "dims": {}, "value": 1},
            "$.cells[7].indicator",
            "n'est pas un code",
        ),
        (
            {"indicator": "exits", "dims": {"trade": "00.00Z"}, "value": 1},
            "$.cells[7].dims.trade",
            "« 00.00Z » n'est pas un code",
        ),
        ({"indicator": "training_hours", "dims": {}, "value": -4}, "$.cells[7].value", "≥ 0"),
        (
            {"indicator": "training_hours", "dims": {}, "value": 10.123},
            "$.cells[7].value",
            "deux décimales",
        ),
        ({"indicator": "entries", "dims": {}, "value": 2.5}, "$.cells[7].value", "entier"),
    ],
)
def test_malformed_cells_name_their_path(
    client: TestClient, headers: dict[str, str], cell: dict, path: str, fragment: str
) -> None:
    response = client.put(
        f"/v1/indicators/reports/{PERIOD}", json=report(extra=[cell]), headers=headers
    )
    assert response.status_code == 422, response.text
    errors = {e["path"]: e["message"] for e in response.json()["errors"]}
    assert path in errors
    assert fragment.replace("≥ 0", "supérieur ou égal à 0") in errors[path]


def test_associates_cannot_exceed_cesa_entrepreneurs(
    client: TestClient, headers: dict[str, str]
) -> None:
    response = client.put(
        f"/v1/indicators/reports/{PERIOD}", json=report(total=20, cesa=10), headers=headers
    )
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["path"] == "$.cells[3].value"
    assert "entrepreneurs en CESA" in error["message"]
    assert "11 contre 10" in error["message"]


def test_breakdowns_must_add_up(client: TestClient, headers: dict[str, str]) -> None:
    document = report(
        extra=[
            {"indicator": "entrepreneurs", "dims": {"sex": "F"}, "value": 20},
            {"indicator": "entrepreneurs", "dims": {"sex": "M"}, "value": 21},
        ]
    )
    response = client.put(f"/v1/indicators/reports/{PERIOD}", json=document, headers=headers)
    assert response.status_code == 422
    messages = [e["message"] for e in response.json()["errors"]]
    assert any("42 déclaré, mais la ventilation par sex en donne 41" in m for m in messages)


def test_duplicate_cells_are_refused(client: TestClient, headers: dict[str, str]) -> None:
    document = report(extra=[{"indicator": "support_staff_fte", "dims": {}, "value": 3.5}])
    response = client.put(f"/v1/indicators/reports/{PERIOD}", json=document, headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "$.cells[7]"
    assert "en double" in response.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    ("period", "fragment"),
    [
        ("2025-S3", "n'est pas une période"),
        ("2099-S1", "pas encore commencé"),
        ("1999", "antérieure"),
        ("25-S1", "n'est pas une période"),
    ],
)
def test_wrong_periods_are_refused(
    client: TestClient, headers: dict[str, str], period: str, fragment: str
) -> None:
    response = client.put(f"/v1/indicators/reports/{period}", json=report(period), headers=headers)
    assert response.status_code == 422
    [error] = response.json()["errors"]
    assert error["path"] == "path.period"
    assert fragment in error["message"]


def test_period_in_body_must_match_the_address(client: TestClient, headers: dict[str, str]) -> None:
    response = client.put("/v1/indicators/reports/2025-S1", json=report("2025-S2"), headers=headers)
    assert response.status_code == 422
    assert response.json()["errors"][0]["path"] == "$.period"


def test_not_an_object_is_refused(client: TestClient, headers: dict[str, str]) -> None:
    response = client.put(f"/v1/indicators/reports/{PERIOD}", json=[1, 2], headers=headers)
    assert response.status_code == 422


def test_idempotency_key_replays_the_first_answer(
    client: TestClient, headers: dict[str, str], session: Session, member: Member
) -> None:
    keyed = {**headers, "Idempotency-Key": "k-2025-S2-1"}
    first = client.put(f"/v1/indicators/reports/{PERIOD}", json=report(), headers=keyed)
    client.put(f"/v1/indicators/reports/{PERIOD}", json=report(total=50, cesa=40), headers=headers)
    retried = client.put(f"/v1/indicators/reports/{PERIOD}", json=report(), headers=keyed)
    assert retried.json()["replayed"] is True
    assert retried.json()["revision"] == first.json()["revision"] == 1
    assert _stored(session, member)[0] == 2
    misused = client.put(
        f"/v1/indicators/reports/{PERIOD}", json=report(total=60, cesa=40), headers=keyed
    )
    assert misused.status_code == 409


def test_connector_header_is_recorded(client: TestClient, headers: dict[str, str]) -> None:
    client.put(
        f"/v1/indicators/reports/{PERIOD}",
        json=report(),
        headers={**headers, "X-Cae-Hub-Connector": "endi/1.4.2"},
    )
    current = client.get(f"/v1/indicators/reports/{PERIOD}", headers=headers).json()
    assert (current["connector"], current["connector_version"]) == ("endi", "1.4.2")


def test_outliers_are_warnings_not_errors(client: TestClient, headers: dict[str, str]) -> None:
    for period, total in [("2023-S1", 40), ("2023-S2", 42), ("2024-S1", 41), ("2024-S2", 43)]:
        response = client.put(
            f"/v1/indicators/reports/{period}",
            json=report(period, total=total, cesa=30),
            headers=headers,
        )
        assert response.json()["warnings"] == []
    jump = client.put(
        "/v1/indicators/reports/2025-S1",
        json=report("2025-S1", total=400, cesa=300),
        headers=headers,
    )
    assert jump.status_code == 200
    warnings = {w["path"]: w["message"] for w in jump.json()["warnings"]}
    assert "valeur inhabituelle" in warnings["$.cells[0].value"]
    assert "4 périodes précédentes" in warnings["$.cells[0].value"]


def test_a_member_never_sees_another_members_report(
    client: TestClient, headers: dict[str, str], session: Session
) -> None:
    other = create_member(session, consents_raw_access=True)
    other_headers = bearer(issue_token(session, member=other))
    client.put(f"/v1/indicators/reports/{PERIOD}", json=report(), headers=other_headers)
    response = client.get(f"/v1/indicators/reports/{PERIOD}?member={other.siren}", headers=headers)
    assert response.status_code == 404
    assert client.get(f"/v1/indicators/reports/{PERIOD}", headers=headers).status_code == 404


def test_staff_read_raw_reports_only_with_consent(
    client: TestClient, headers: dict[str, str], session: Session, member: Member
) -> None:
    consenting = create_member(session, consents_raw_access=True)
    for owner in (member, consenting):
        client.put(
            f"/v1/indicators/reports/{PERIOD}",
            json=report(),
            headers=bearer(issue_token(session, member=owner)),
        )
    for role in (StaffRole.STAFF, StaffRole.ADMIN):
        staff = bearer(issue_token(session, staff=create_staff(session, role=role)))
        url = f"/v1/indicators/reports/{PERIOD}"
        assert client.get(f"{url}?member={consenting.siren}", headers=staff).status_code == 200
        assert client.get(f"{url}?member={member.siren}", headers=staff).status_code == 404
        assert (
            client.get(f"{url}/revisions?member={member.siren}", headers=staff).status_code == 404
        )
        assert client.get(url, headers=staff).status_code == 422


def test_staff_cannot_send_reports(client: TestClient, session: Session) -> None:
    staff = bearer(issue_token(session, staff=create_staff(session, role=StaffRole.ADMIN)))
    response = client.put(f"/v1/indicators/reports/{PERIOD}", json=report(), headers=staff)
    assert response.status_code == 403


def test_a_read_only_token_cannot_send(
    client: TestClient, session: Session, member: Member
) -> None:
    reader = bearer(issue_token(session, member=member, scopes=[Scope.REPORTS_READ]))
    response = client.put(f"/v1/indicators/reports/{PERIOD}", json=report(), headers=reader)
    assert response.status_code == 403
    assert "reports:write" in response.json()["detail"]


def test_catalogue_describes_every_indicator(client: TestClient, headers: dict[str, str]) -> None:
    response = client.get("/v1/indicators", headers=headers)
    assert response.status_code == 200
    entries = {i["code"]: i for i in response.json()["indicators"]}
    assert set(entries) == {
        "entrepreneurs",
        "associates",
        "entries",
        "exits",
        "revenue_eur",
        "gross_payroll_eur",
        "support_staff_fte",
        "training_hours",
        "associate_rate",
    }
    assert entries["revenue_eur"]["kind"] == "amount"
    assert "dominance" in entries["revenue_eur"]["disclosure"]
    assert [d["code"] for d in entries["associates"]["dims"]] == ["trade", "sex"]
    assert entries["associate_rate"]["derived"] is True
    assert client.get("/v1/indicators").status_code == 401
