"""Several CAEs sending at the same moment: on SQLite none of them may be turned away."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from bench.federation import generate_federation
from hub.db import session_scope
from hub.main import create_app
from hub.members.models import ApiToken, StaffAccount
from hub.members.schemas import MemberCreate
from hub.members.service import auth_service, member_service
from hub.web.models import WebSession
from hub.web.service import web_auth_service
from tests.databases import fresh_database, settings_for
from tests.factories import bearer, create_member, create_staff, issue_token

ROUNDS = 3


def test_simultaneous_reports_on_sqlite_are_all_stored(tmp_path: Path) -> None:
    federation = generate_federation(caes=4, first="2024-S1", semesters=ROUNDS, seed=5, dominant=1)
    with fresh_database("sqlite", tmp_path) as engine:
        with Session(engine) as session:
            tokens = {}
            for cae in federation.caes:
                member = member_service.create(session, MemberCreate(**cae.profile()))
                tokens[cae.siren] = issue_token(session, member=member)
            session.commit()
        app = create_app(settings_for(str(engine.url)), engine=engine)
        statuses: list[int] = []
        lock = threading.Lock()
        barrier = threading.Barrier(len(federation.caes))

        def send(siren: str) -> None:
            with TestClient(app) as client:
                for cae, period, document in federation.reports():
                    if cae.siren != siren:
                        continue
                    barrier.wait()
                    response = client.put(
                        f"/v1/indicators/reports/{period}",
                        json=document,
                        headers=bearer(tokens[siren]),
                    )
                    with lock:
                        statuses.append(response.status_code)

        threads = [threading.Thread(target=send, args=(c.siren,)) for c in federation.caes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)

    assert len(statuses) == len(federation.caes) * ROUNDS
    assert set(statuses) <= {200, 201}, statuses


def test_simultaneous_command_line_writes_on_sqlite_wait_their_turn(tmp_path: Path) -> None:
    with fresh_database("sqlite", tmp_path) as engine:
        failures: list[BaseException] = []
        barrier = threading.Barrier(4)

        def add_staff() -> None:
            barrier.wait()
            try:
                with session_scope(engine) as session:
                    create_staff(session)
            except BaseException as error:
                failures.append(error)

        threads = [threading.Thread(target=add_staff) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        with Session(engine) as session:
            count = len(session.exec(select(StaffAccount)).all())

    assert failures == []
    assert count == 4


def test_a_reading_request_is_not_refused_for_the_date_of_last_use(tmp_path: Path) -> None:
    with fresh_database("sqlite", tmp_path) as engine:
        with session_scope(engine) as session:
            member = create_member(session)
            secret = issue_token(session, member=member)
        with Session(engine) as reading:  # a GET's session: a plain, deferred transaction
            reading.exec(select(ApiToken)).all()
            with session_scope(engine) as other:  # another CAE's write lands meanwhile
                create_staff(other)
            principal = auth_service.authenticate(reading, secret, touch_resolution=timedelta(0))
            siren = principal.member.siren if principal.member else None
            reading.commit()
        with Session(engine) as session:
            [token] = session.exec(select(ApiToken)).all()

    assert siren == member.siren
    assert token.last_used_at is None  # skipped this time; the next request records it


def test_a_dashboard_page_is_not_refused_for_extending_its_session(tmp_path: Path) -> None:
    settings = settings_for("sqlite://")
    with fresh_database("sqlite", tmp_path) as engine:
        with session_scope(engine) as session:
            staff = create_staff(session, password="mot de passe solide 2026")
            login = web_auth_service.login(
                session,
                settings,
                email=staff.email,
                password="mot de passe solide 2026",
                client="127.0.0.1",
                previous_session_id=None,
            )
            assert login.session_id is not None
            for record in session.exec(select(WebSession)).all():
                record.last_seen_at = record.last_seen_at - timedelta(minutes=5)
                session.add(record)
        with Session(engine) as reading:  # a page's session: a plain, deferred transaction
            reading.exec(select(WebSession)).all()
            with session_scope(engine) as other:  # another writer lands meanwhile
                create_staff(other)
            user = web_auth_service.resolve(reading, settings, login.session_id)
            reading.commit()

    assert user is not None
    assert user.is_staff
