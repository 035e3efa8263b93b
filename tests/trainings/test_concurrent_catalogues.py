"""Catalogues sent at once by one member: attempts with one Idempotency-Key store one
revision; different catalogues get consecutive revisions and one row per session."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from hub.main import create_app
from hub.trainings.models import CatalogueRevision, TrainingSession
from tests.databases import fresh_database, settings_for
from tests.factories import bearer, create_member, issue_token
from tests.trainings.catalogues import example

ATTEMPTS = 8


def send_at_once(
    backend: str, tmp_path: Path, bodies: list[tuple[dict[str, Any], dict[str, str]]]
) -> tuple[list[tuple[int, dict[str, Any]]], list[CatalogueRevision], list[TrainingSession]]:
    with fresh_database(backend, tmp_path) as engine:
        with Session(engine, expire_on_commit=False) as session:
            member = create_member(session)
            token = issue_token(session, member=member)
            session.commit()
        app = create_app(settings_for(str(engine.url)), engine=engine)
        answers: list[tuple[int, dict[str, Any]]] = []
        lock = threading.Lock()
        barrier = threading.Barrier(len(bodies))

        def attempt(body: dict[str, Any], extra: dict[str, str]) -> None:
            with TestClient(app) as client:
                barrier.wait()
                response = client.put(
                    "/v1/trainings/catalogue", json=body, headers={**bearer(token), **extra}
                )
                with lock:
                    answers.append((response.status_code, response.json()))

        threads = [threading.Thread(target=attempt, args=pair) for pair in bodies]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        with Session(engine) as session:
            revisions = list(
                session.exec(
                    select(CatalogueRevision)
                    .where(CatalogueRevision.member_id == member.id)
                    .order_by(col(CatalogueRevision.revision))
                )
            )
            rows = list(
                session.exec(select(TrainingSession).where(TrainingSession.member_id == member.id))
            )
        return answers, revisions, rows


def test_attempts_with_one_key_store_one_revision(backend: str, tmp_path: Path) -> None:
    key = {"Idempotency-Key": "catalogue-course-1"}

    answers, revisions, rows = send_at_once(backend, tmp_path, [(example(), key)] * ATTEMPTS)

    assert len(answers) == ATTEMPTS
    assert all(status == 200 for status, _ in answers), answers
    assert {body["revision"] for _, body in answers} == {1}
    assert sum(not body["replayed"] and not body["unchanged"] for _, body in answers) == 1
    assert [r.revision for r in revisions] == [1]
    assert len(rows) == 2


def test_different_catalogues_at_once_get_consecutive_revisions(
    backend: str, tmp_path: Path
) -> None:
    bodies = []
    for index in range(ATTEMPTS):
        document = example()
        document["formations"][0]["intitule"] = f"Sécurité sur toiture, version {index}"
        bodies.append((document, {}))

    answers, revisions, rows = send_at_once(backend, tmp_path, bodies)

    assert all(status == 200 for status, _ in answers), answers
    assert sorted(body["revision"] for _, body in answers) == list(range(1, ATTEMPTS + 1))
    assert [r.is_current for r in revisions] == [False] * (ATTEMPTS - 1) + [True]
    assert sorted(r.numero for r in rows) == ["S-TOIT-2027-01", "S-TOIT-2027-02"]
    current_title = revisions[-1].document["formations"][0]["intitule"]
    assert {r.title for r in rows} == {current_title}  # the sessions follow the last revision
