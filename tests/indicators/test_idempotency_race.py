"""A client retrying while its first attempt is still being stored: every attempt with the same
Idempotency-Key ends in the same revision, stored once, the others replaying it."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, func, select

from hub.indicators.models import IndicatorReport
from hub.main import create_app
from hub.members.models import Member
from tests.databases import fresh_database, settings_for
from tests.factories import bearer, create_member, issue_token
from tests.indicators.test_reports import report

ATTEMPTS = 20


def hub_with_a_member(engine: Engine) -> tuple[FastAPI, Member, str]:
    """The hub on ``engine`` (its own connections, so requests really run side by side)."""
    with Session(engine, expire_on_commit=False) as session:
        member = create_member(session)
        token = issue_token(session, member=member)
        session.commit()
    return create_app(settings_for(str(engine.url)), engine=engine), member, token


def test_concurrent_attempts_with_one_key_store_one_revision(backend: str, tmp_path: Path) -> None:
    with fresh_database(backend, tmp_path) as engine:
        app, member, token = hub_with_a_member(engine)
        answers: list[tuple[int, dict[str, object]]] = []
        lock = threading.Lock()
        barrier = threading.Barrier(ATTEMPTS)
        headers = {**bearer(token), "Idempotency-Key": "essai-course-1"}

        def attempt() -> None:
            with TestClient(app) as client:
                barrier.wait()
                response = client.put(
                    "/v1/indicators/reports/2025-S2", json=report(), headers=headers
                )
                with lock:
                    answers.append((response.status_code, response.json()))

        threads = [threading.Thread(target=attempt) for _ in range(ATTEMPTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

        with Session(engine) as session:
            stored = session.exec(
                select(func.count()).where(IndicatorReport.member_id == member.id)
            ).one()
    assert len(answers) == ATTEMPTS
    assert {status for status, _ in answers} == {200}, answers
    assert {body["revision"] for _, body in answers} == {1}
    assert sum(1 for _, body in answers if body.get("replayed")) == ATTEMPTS - 1
    assert stored == 1


@pytest.mark.parametrize("other", ["2025-S2", "2025-S1"])
def test_a_key_names_one_content_only(backend: str, tmp_path: Path, other: str) -> None:
    with fresh_database(backend, tmp_path) as engine:
        app, _, token = hub_with_a_member(engine)
        headers = {**bearer(token), "Idempotency-Key": "essai-cle-unique"}
        with TestClient(app) as client:
            first = client.put("/v1/indicators/reports/2025-S2", json=report(), headers=headers)
            again = client.put(
                f"/v1/indicators/reports/{other}", json=report(other, total=50), headers=headers
            )
    assert first.status_code == 200, first.text
    assert again.status_code == 409, again.text
    assert again.json()["errors"][0]["path"] == "header.idempotency-key"
