"""Publishing a period that has not ended: refused unless staff confirm a provisional
publication, which is then labelled « provisoire » in every answer and export made from it;
a final publication once the period has ended supersedes it and carries no label."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date, datetime
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

import cae_contract.format
import cae_contract.periods
import hub.schemas.uploads
import hub.web.dashboard
from bench.federation import generate_federation
from cae_contract.format import fr_date
from hub.audit.models import AuditEvent
from hub.stats.repository import StatsRepository
from tests.factories import bearer, create_staff, issue_token
from tests.stats.tables import load_federation

PERIOD = "2026-S2"
RUNNING_DAY = date(2026, 12, 2)
ENDED_DAY = date(2027, 1, 5)
TABLE = f"/v1/stats?indicator=entrepreneurs&period={PERIOD}&by=trade"


def set_today(monkeypatch: pytest.MonkeyPatch, day: date) -> None:
    """The day in France, wherever the hub reads it (some modules import ``today`` by name)."""
    for module in (cae_contract.periods, cae_contract.format, hub.schemas.uploads):
        monkeypatch.setattr(module, "today", lambda: day)
    monkeypatch.setattr(hub.web.dashboard, "today", lambda: day)


@pytest.fixture
def staff(session: Session, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    set_today(monkeypatch, RUNNING_DAY)
    federation = generate_federation(caes=8, first=PERIOD, semesters=1, seed=11, dominant=1)
    load_federation(session, federation)
    return bearer(issue_token(session, staff=create_staff(session)))


def publish(client: TestClient, staff: dict[str, str], query: str = "") -> Any:
    return client.post(f"/v1/stats/publications/{PERIOD}{query}", headers=staff)


def test_a_running_period_is_refused_without_confirmation(
    client: TestClient, session: Session, staff: dict[str, str]
) -> None:
    refused = publish(client, staff)
    assert refused.status_code == 409
    assert refused.headers["content-type"].startswith("application/problem+json")
    problem = refused.json()
    assert problem["type"].endswith("/provisional-required")
    assert [e["path"] for e in problem["errors"]] == ["query.provisional"]
    assert "31 décembre 2026" in problem["detail"]
    assert "provisional=true" in problem["detail"]
    assert "n'est pas terminé" in problem["detail"]
    assert StatsRepository(session).period_publications(PERIOD) == []
    assert client.get(TABLE, headers=staff).status_code == 404


def test_the_publication_preview_says_the_period_is_running(
    client: TestClient, staff: dict[str, str]
) -> None:
    preview = client.get(f"/v1/stats/publications/{PERIOD}/preview", headers=staff)
    assert preview.status_code == 200, preview.text
    body = preview.json()
    assert body["running"] is True
    assert body["period_end"] == "2026-12-31"
    assert "31 décembre 2026" in body["notice"] and "provisional=true" in body["notice"]


def test_a_confirmed_provisional_publication_is_labelled_everywhere(
    client: TestClient, staff: dict[str, str], session: Session
) -> None:
    published = publish(client, staff, "?provisional=true")
    assert published.status_code == 201, published.text
    summary = published.json()
    assert summary["provisional"] is True
    (event,) = session.exec(select(AuditEvent).where(AuditEvent.kind == "publication.published"))
    assert event.details["provisional"] is True
    # Dated by the publication itself (the clock, not the day the tests pretend it is).
    day = fr_date(datetime.fromisoformat(summary["published_at"]))
    label = f"provisoire : semestre en cours au {day}"
    assert summary["provisional_label"] == label

    table = client.get(TABLE, headers=staff).json()
    assert table["source"]["provisional"] is True
    assert table["source"]["provisional_label"] == label
    assert any("provisoire" in note.lower() for note in table["notes"])
    series = client.get(
        f"/v1/stats/series?indicator=entrepreneurs&from=2026-S1&to={PERIOD}", headers=staff
    ).json()
    assert series["points"][-1]["table"]["source"]["provisional"] is True
    completeness = client.get(f"/v1/stats/completeness?period={PERIOD}", headers=staff).json()
    assert completeness["provisional"] is True
    assert completeness["provisional_label"] == label

    exported = client.get(TABLE + "&format=csv", headers=staff)
    assert "provisoire" in exported.headers["content-disposition"]
    *rows, [note] = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert note.startswith("Note : publication provisoire (semestre en cours au ")
    assert day in note
    assert len({len(r) for r in rows}) == 1  # the note line aside, a regular table

    workbook = client.get(TABLE + "&format=xlsx", headers=staff)
    assert "provisoire" in workbook.headers["content-disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.content)).active
    assert sheet is not None
    texts = [str(row[0]) for row in sheet.iter_rows(values_only=True) if row[0]]
    assert texts[0].endswith("(provisoire)")
    assert any(t.startswith("Statut : publication provisoire (semestre en cours") for t in texts)
    assert any(label in t for t in texts if t.startswith("Publication : "))

    package = client.get(TABLE + "&format=datapackage", headers=staff)
    assert "provisoire" in package.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(package.content)) as archive:
        descriptor = json.loads(archive.read("datapackage.json"))
        data = archive.read(descriptor["resources"][0]["path"]).decode("utf-8")
    assert descriptor["title"].endswith("(provisoire)")
    assert label in descriptor["description"]
    assert "Note" not in data  # the package's CSV stays true to its schema


def test_a_final_publication_after_the_end_supersedes_the_provisional_one(
    client: TestClient, session: Session, staff: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert publish(client, staff, "?provisional=true").status_code == 201
    set_today(monkeypatch, ENDED_DAY)
    preview = client.get(f"/v1/stats/publications/{PERIOD}/preview", headers=staff).json()
    assert preview["running"] is False and preview["notice"] is None

    final = publish(client, staff)
    assert final.status_code == 201, final.text
    assert final.json()["number"] == 2
    assert final.json()["provisional"] is False
    assert final.json()["provisional_label"] is None

    table = client.get(TABLE, headers=staff).json()
    assert table["source"]["publication"] == 2
    assert table["source"]["provisional"] is False
    assert table["source"]["provisional_label"] is None
    assert not any("provisoire" in note.lower() for note in table["notes"])
    exported = client.get(TABLE + "&format=csv", headers=staff)
    assert "provisoire" not in exported.headers["content-disposition"]
    assert "provisoire" not in exported.content.decode("utf-8-sig")
    first, second = StatsRepository(session).period_publications(PERIOD)
    assert (first.provisional, second.provisional) == (True, False)


def test_confirming_an_ended_period_publishes_it_as_final(
    client: TestClient, staff: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    set_today(monkeypatch, ENDED_DAY)
    published = publish(client, staff, "?provisional=true")
    assert published.status_code == 201, published.text
    assert published.json()["provisional"] is False
