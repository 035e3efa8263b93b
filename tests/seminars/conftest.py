"""A federation of twelve CAEs, loaded once per backend for the package: four semesters
reported, the first three published; groups with members and contacts, a seminar after the
third semester. Each test runs in a savepoint rolled back after it."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Connection, Engine

import hub.stats.service as stats_module
from bench.federation import Federation, generate_federation
from hub.config import Settings
from hub.db import session_factory
from hub.indicators.service import report_service
from hub.members.models import Member, MemberUser, StaffAccount
from hub.members.schemas import MemberCreate, MemberUserCreate
from hub.members.service import member_service, member_user_service
from hub.seminars.models import ItemKind, Seminar
from hub.seminars.service import group_service, seminar_service
from hub.stats.service import stats_service
from hub.web.dashboard import clear_caches
from tests.factories import create_staff
from tests.web.conftest import FAST_HASH, PASSWORD

PERIODS = ["2024-S2", "2025-S1", "2025-S2", "2026-S1"]
PUBLISHED = PERIODS[:3]
QUESTION = "Quels objectifs de sociétariat fixer pour 2027 ?"
AGENDA = "Tour de table des feuilles de route"


@dataclass
class Loaded:
    federation: Federation
    members: list[Member]
    staff: StaffAccount
    users: list[MemberUser]
    seminar: Seminar

    @property
    def user(self) -> MemberUser:
        return self.users[0]


@pytest.fixture(scope="package")
def loaded_connection(engine: Engine) -> Iterator[tuple[Connection, Loaded]]:
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            factory = session_factory(connection, join_transaction_mode="create_savepoint")
            with factory() as session:
                federation = generate_federation(
                    caes=12, first=PERIODS[0], semesters=4, seed=11, dominant=1
                )
                members = [
                    member_service.create(session, MemberCreate(**cae.profile()))
                    for cae in federation.caes
                ]
                by_siren = {m.siren: m for m in members}
                for cae, period, document in federation.reports():
                    report_service.submit(session, by_siren[cae.siren], str(period), document)
                staff = create_staff(session, password=PASSWORD)
                settings = Settings(environment="test", database_url=str(engine.url))
                for period in PUBLISHED:
                    stats_service.publish(
                        session, period_text=period, staff=staff, settings=settings
                    )
                users = []
                for index, member in enumerate(members[:4]):
                    user, _ = member_user_service.create(
                        session,
                        MemberUserCreate(
                            member_siren=member.siren,
                            email=f"contact{index}@cae-seminaire.example",
                            display_name=f"Contact {index}",
                            password=PASSWORD,
                        ),
                    )
                    user.password_hash = FAST_HASH
                    session.add(user)
                    users.append(user)
                staff.password_hash = FAST_HASH
                session.add(staff)
                session.flush()
                group_service.add_contact(session, "strategie", users[0].email)
                group_service.add_contact(session, "strategie", users[1].email)
                group_service.add_contact(session, "competences", users[2].email)
                group_service.set_facilitator(session, "strategie", staff.email)
                for member in members[4:8]:
                    group_service.add_member(session, "formation", member.siren)
                seminar = seminar_service.create(
                    session, period="2026-S2", day="2026-11-20", place="Bordeaux"
                )
                assert seminar.id is not None
                seminar_service.add_item(
                    session, seminar.id, audience="strategie", kind=ItemKind.AGENDA, text=AGENDA
                )
                seminar_service.add_item(
                    session,
                    seminar.id,
                    audience="strategie",
                    kind=ItemKind.QUESTION,
                    text=QUESTION,
                )
                session.commit()
            yield connection, Loaded(federation, members, staff, users, seminar)
        finally:
            transaction.rollback()


@pytest.fixture
def loaded(loaded_connection: tuple[Connection, Loaded]) -> Loaded:
    return loaded_connection[1]


@pytest.fixture
def connection(loaded_connection: tuple[Connection, Loaded]) -> Iterator[Connection]:
    connection = loaded_connection[0]
    savepoint = connection.begin_nested()
    try:
        yield connection
    finally:
        if savepoint.is_active:
            savepoint.rollback()


@pytest.fixture(autouse=True)
def _forget_cached_tables() -> Iterator[None]:
    clear_caches()
    stats_module.clear_caches()
    yield
    clear_caches()
    stats_module.clear_caches()


@pytest.fixture
def settings(engine: Engine) -> Settings:
    return Settings(environment="test", database_url=str(engine.url))
