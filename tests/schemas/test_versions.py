"""Schema versions that evolve: a real major change of ``indicator-report`` built for the test
(2.0.0 requires a ``producer``), its converter, and a hub serving that registry.

A report written against 1.0.0 is accepted during the deprecation period, brought to 2.0.0
and stored in that form; after it, or for an unknown version, it is refused naming the header.
The sync client of a CAE still on 1.0.0 sends through a real socket, is accepted, and warns
in French. A new minor version does not disturb a client on the previous minor.
"""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine
from sqlmodel import Session, select

from cae_contract.periods import today
from cae_contract.registry import (
    SCHEMAS_DIR,
    SchemaRegistry,
    get_registry,
    publish_from,
    registry_at,
)
from cae_contract.upcasts import CONVERTERS
from cae_contract.versions import SCHEMA_VERSION_FIELD, SCHEMA_VERSION_HEADER
from connectors.sync.report import Status, SyncReport
from hub.db import session_factory
from hub.indicators.models import IndicatorReport
from hub.main import create_app
from hub.members.models import Member
from tests.databases import settings_for
from tests.factories import bearer, create_member, issue_token
from tests.served import plain_session, serve_in_thread
from tests.sync.connector import cells
from tests.sync.helpers import configure, sync

NAME = "indicator-report"
DAYS = 90
REPORT = {"period": "2025-S1", "cells": cells(10)}


def add_producer(document: dict[str, Any]) -> dict[str, Any]:
    """The converter of the test's major change: a version-1 report names no producer."""
    return {**document, "producer": "non renseigné (rapport de version 1)"}


def _write(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def registry_with_v2(root: Path, *, published: date) -> Path:
    """The published schemas plus ``indicator-report`` 2.0.0, published on ``published``."""
    folder = root / "schemas"
    shutil.copytree(SCHEMAS_DIR, folder)
    v1 = json.loads((folder / NAME / "1.0.0.json").read_text(encoding="utf-8"))
    v2 = copy.deepcopy(v1)
    v2["$id"] = v1["$id"].replace("1.0.0", "2.0.0")
    v2["x-published"] = published.isoformat()
    v2["required"] = [*v1["required"], "producer"]
    v2["properties"]["producer"] = {
        "description": "Logiciel qui a produit le rapport.",
        "type": "string",
        "minLength": 1,
    }
    _write(folder / NAME / "2.0.0.json", v2)
    examples = json.loads((folder / NAME / "examples" / "1.0.0.json").read_text("utf-8"))
    _write(
        folder / NAME / "examples" / "2.0.0.json",
        {
            "valid": [add_producer(d) for d in examples["valid"]],
            "invalid": [
                {"document": add_producer(item["document"]), "reason": item["reason"]}
                for item in examples["invalid"]
            ]
            + [{"document": examples["valid"][0], "reason": "Sans producer."}],
        },
    )
    SchemaRegistry(folder).pin()
    return folder


@pytest.fixture
def converter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(CONVERTERS, (NAME, 1), add_producer)


@pytest.fixture
def schemas_v2(tmp_path: Path, converter: None) -> Path:
    return registry_with_v2(tmp_path, published=today() - timedelta(days=10))


@pytest.fixture(autouse=True)
def shipped_registry_afterwards() -> Iterator[None]:
    yield
    publish_from(None)


def _app(engine: Engine, connection: Connection, schemas: Path) -> FastAPI:
    settings = settings_for(str(engine.url)).model_copy(
        update={"schemas_dir": schemas, "schema_deprecation_days": DAYS}
    )
    application = create_app(settings, engine=engine)
    application.state.session_factory = session_factory(
        connection, join_transaction_mode="create_savepoint"
    )
    return application


@pytest.fixture
def member(session: Session) -> Member:
    return create_member(session)


@pytest.fixture
def headers(session: Session, member: Member) -> dict[str, str]:
    return bearer(issue_token(session, member=member))


@pytest.fixture
def client(
    engine: Engine, connection: Connection, session: Session, schemas_v2: Path
) -> Iterator[TestClient]:
    application = _app(engine, connection, schemas_v2)
    session.flush()
    with TestClient(application) as test_client:
        yield test_client


def _put(client: TestClient, headers: dict[str, str], document: Any, version: str | None) -> Any:
    extra = {SCHEMA_VERSION_HEADER: version} if version else {}
    return client.put("/v1/indicators/reports/2025-S1", json=document, headers={**headers, **extra})


def sync_through(
    application: FastAPI,
    session: Session,
    headers: dict[str, str],
    folder: Path,
    *,
    contract: SchemaRegistry,
) -> SyncReport:
    """One run of the sync client, its contract being ``contract``, against ``application``
    served on a real socket: one 2025-S1 report of 10 entrepreneurs."""
    session.flush()
    token = headers["Authorization"].removeprefix("Bearer ")
    folder.mkdir(exist_ok=True)
    with serve_in_thread(application) as url, plain_session() as http:
        config = configure(
            folder, url=url, token=token, reports={"2025-S1": cells(10)}, periods=["2025-S1"]
        )
        return sync(config, http, contract=contract)


def test_a_report_of_the_previous_major_is_upcast_and_stored_in_the_current_form(
    client: TestClient, headers: dict[str, str], session: Session, member: Member
) -> None:
    response = _put(client, headers, REPORT, "1.0.0")
    assert response.status_code == 200, response.text
    summary = response.json()
    assert summary["schema_received"] == "1.0.0"
    assert summary["schema_version"] == "2.0.0"
    sunset = today() - timedelta(days=10) + timedelta(days=DAYS)
    assert summary["deprecation"].startswith(
        "la version 1 du schéma « indicator-report » est dépréciée depuis le "
    )
    assert "mettez à jour cae-hub (version 2.0.0)" in summary["deprecation"]
    assert response.headers["Deprecation"].startswith("@")
    assert response.headers["Sunset"].endswith(" 23:59:59 GMT")
    assert f"{sunset.day:02d} " in response.headers["Sunset"]
    assert 'rel="successor-version"' in response.headers["Link"]
    assert "/indicator-report/2.0.0.json" in response.headers["Link"]
    stored = session.exec(
        select(IndicatorReport).where(IndicatorReport.member_id == member.id)
    ).one()
    assert stored.schema_version == "2.0.0"
    assert stored.revision == 1


def test_the_current_major_is_taken_as_it_is_without_a_warning(
    client: TestClient, headers: dict[str, str]
) -> None:
    response = _put(client, headers, add_producer(REPORT), "2.0.0")
    assert response.status_code == 200, response.text
    assert response.json()["deprecation"] is None
    assert "Deprecation" not in response.headers and "Sunset" not in response.headers


def test_a_report_is_validated_against_the_version_it_names(
    client: TestClient, headers: dict[str, str]
) -> None:
    # Naming no version means the current one: a version-1 document then lacks its producer.
    response = _put(client, headers, REPORT, None)
    assert response.status_code == 422
    assert "$.producer" in {e["path"] for e in response.json()["errors"]}


def test_an_unknown_version_is_refused_naming_the_header(
    client: TestClient, headers: dict[str, str]
) -> None:
    response = _put(client, headers, REPORT, "1.7.0")
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    (error,) = response.json()["errors"]
    assert error["path"] == SCHEMA_VERSION_FIELD
    assert "ne connaît pas la version 1.7.0" in error["message"]
    assert "1.0.0, 2.0.0" in error["message"] or "2.0.0, 1.0.0" in error["message"]


def test_after_the_deprecation_period_the_previous_major_is_refused(
    engine: Engine,
    connection: Connection,
    session: Session,
    headers: dict[str, str],
    tmp_path: Path,
    converter: None,
) -> None:
    schemas = registry_with_v2(tmp_path, published=today() - timedelta(days=DAYS + 1))
    application = _app(engine, connection, schemas)
    session.flush()
    with TestClient(application) as client:
        response = _put(client, headers, REPORT, "1.0.0")
        assert response.status_code == 422, response.text
        (error,) = response.json()["errors"]
        assert error["path"] == SCHEMA_VERSION_FIELD
        assert "n'est plus acceptée depuis le " in error["message"]
        listed = client.get("/v1/schemas").json()
    report = next(s for s in listed if s["name"] == NAME)
    assert [m["major"] for m in report["accepted"]] == [2]


def test_the_registry_lists_the_accepted_majors_and_the_period(client: TestClient) -> None:
    listed = client.get("/v1/schemas")
    assert listed.status_code == 200
    report = next(s for s in listed.json() if s["name"] == NAME)
    assert report["latest"] == "2.0.0"
    assert report["deprecation_days"] == DAYS
    current, previous = report["accepted"]
    assert current == {"major": 2, "versions": ["2.0.0"], "deprecated_since": None, "sunset": None}
    since = today() - timedelta(days=10)
    assert previous == {
        "major": 1,
        "versions": ["1.0.0"],
        "deprecated_since": since.isoformat(),
        "sunset": (since + timedelta(days=DAYS)).isoformat(),
    }
    again = client.get("/v1/schemas", headers={"If-None-Match": listed.headers["ETag"]})
    assert again.status_code == 304


def test_the_registry_check_runs_the_converter_on_every_example(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = registry_with_v2(tmp_path, published=date(2027, 1, 15))
    assert SchemaRegistry(folder).check() == [
        "indicator-report : aucun convertisseur de la version 1 à la version 2 "
        "(cae_contract/upcasts.py)"
    ]
    monkeypatch.setitem(CONVERTERS, (NAME, 1), lambda document: document)
    assert SchemaRegistry(folder).check() == [
        f"indicator-report : le convertisseur 1 → 2 rend l'exemple valide n°{n} de 1.0.0 non "
        "conforme à 2.0.0 ($.producer : champ obligatoire)"
        for n in (1, 2, 3)
    ]
    monkeypatch.setitem(CONVERTERS, (NAME, 1), add_producer)
    assert SchemaRegistry(folder).check() == []


def test_a_new_major_must_date_its_publication(tmp_path: Path, converter: None) -> None:
    folder = registry_with_v2(tmp_path, published=date(2027, 1, 15))
    path = folder / NAME / "2.0.0.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    del document["x-published"]
    _write(path, document)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    del manifest[f"{NAME}/2.0.0.json"]
    _write(folder / "manifest.json", manifest)
    SchemaRegistry(folder).pin()
    assert SchemaRegistry(folder).check() == [
        "indicator-report/2.0.0.json : une nouvelle version majeure doit dater sa publication "
        "(« x-published » : AAAA-MM-JJ)"
    ]


def test_every_published_schema_links_its_majors() -> None:
    # The shipped registry: any new major must come with its date and a converter that
    # brings every valid example of the previous major to it (run by check()).
    assert [p for p in get_registry().check() if "convertisseur" in p or "majeure" in p] == []


def test_a_cae_still_on_version_1_syncs_and_is_told_in_french(
    engine: Engine,
    connection: Connection,
    session: Session,
    headers: dict[str, str],
    schemas_v2: Path,
    tmp_path: Path,
) -> None:
    application = _app(engine, connection, schemas_v2)
    # This installation's contract is still 1.0.0: the client checks and sends as 1.0.0.
    report = sync_through(
        application, session, headers, tmp_path / "cae", contract=registry_at(SCHEMAS_DIR)
    )
    assert [o.status for o in report.outcomes] == [Status.ACCEPTED], report.render()
    (remark,) = report.hub_remarks
    assert remark.startswith("la version 1 du schéma « indicator-report » est dépréciée")
    assert "remarque : la version 1 du schéma" in report.render()


def test_a_client_on_the_previous_minor_is_not_disturbed(
    engine: Engine,
    connection: Connection,
    session: Session,
    headers: dict[str, str],
    tmp_path: Path,
) -> None:
    folder = tmp_path / "schemas"
    shutil.copytree(SCHEMAS_DIR, folder)
    v1 = json.loads((folder / NAME / "1.0.0.json").read_text(encoding="utf-8"))
    minor = copy.deepcopy(v1)
    minor["$id"] = v1["$id"].replace("1.0.0", "1.1.0")
    minor["properties"]["notes"] = {"description": "Remarques de la CAE.", "type": "string"}
    _write(folder / NAME / "1.1.0.json", minor)
    examples = json.loads((folder / NAME / "examples" / "1.0.0.json").read_text("utf-8"))
    examples["valid"].append({**examples["valid"][0], "notes": "Semestre calme."})
    _write(folder / NAME / "examples" / "1.1.0.json", examples)
    SchemaRegistry(folder).pin()
    assert SchemaRegistry(folder).check() == []
    application = _app(engine, connection, folder)
    report = sync_through(
        application, session, headers, tmp_path / "cae", contract=registry_at(SCHEMAS_DIR)
    )
    assert [o.status for o in report.outcomes] == [Status.ACCEPTED], report.render()
    assert report.hub_remarks == []


def test_a_client_ahead_of_the_hub_checks_against_what_the_hub_publishes(
    engine: Engine,
    connection: Connection,
    session: Session,
    headers: dict[str, str],
    tmp_path: Path,
) -> None:
    # The CAE's installation knows indicator-report 1.1.0; the hub still publishes 1.0.0 only.
    folder = tmp_path / "schemas"
    shutil.copytree(SCHEMAS_DIR, folder)
    v1 = json.loads((folder / NAME / "1.0.0.json").read_text(encoding="utf-8"))
    _write(folder / NAME / "1.1.0.json", {**v1, "$id": v1["$id"].replace("1.0.0", "1.1.0")})
    application = _app(engine, connection, SCHEMAS_DIR)
    report = sync_through(
        application, session, headers, tmp_path / "cae", contract=SchemaRegistry(folder)
    )
    assert [o.status for o in report.outcomes] == [Status.ACCEPTED], report.render()
    assert report.hub_remarks == []
