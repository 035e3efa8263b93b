"""A small federation, loaded once per backend for the package; each test runs in a savepoint.

Three semesters are reported: the first two are published, the last one is not (staff see
it as live figures). One more member, in Île-de-France, never reports: it is late.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import Connection, Engine

import hub.stats.service as stats_module
from bench.federation import Federation, generate_federation
from hub.config import Settings
from hub.db import session_factory
from hub.indicators.service import report_service
from hub.members.models import Member, MemberUser, StaffAccount, StaffRole
from hub.members.schemas import MemberCreate, MemberUserCreate
from hub.members.service import member_service, member_user_service
from hub.stats.service import stats_service
from hub.web.dashboard import clear_caches
from tests.factories import create_member, create_staff

PASSWORD = "un mot de passe solide"
# Real Argon2, with the lightest parameters, so that the many logins of these tests stay fast;
# the hub verifies any Argon2 hash with the parameters written in it.
FAST_HASH = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)
PERIODS = ["2024-S2", "2025-S1", "2025-S2"]
PUBLISHED = PERIODS[:2]
DRAFT = PERIODS[2]
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass
class Loaded:
    federation: Federation
    members: list[Member]
    late: Member
    staff: StaffAccount
    admin: StaffAccount
    member_user: MemberUser
    other_user: MemberUser

    @property
    def member(self) -> Member:
        """The member CAE whose account ``member_user`` is."""
        return self.members[0]


@pytest.fixture(scope="package")
def loaded_connection(engine: Engine) -> Iterator[tuple[Connection, Loaded]]:
    with engine.connect() as connection:
        transaction = connection.begin()
        try:
            factory = session_factory(connection, join_transaction_mode="create_savepoint")
            with factory() as session:
                federation = generate_federation(
                    caes=9, first=PERIODS[0], semesters=3, seed=5, dominant=1
                )
                members = [
                    member_service.create(session, MemberCreate(**cae.profile()))
                    for cae in federation.caes
                ]
                by_siren = {m.siren: m for m in members}
                for cae, period, document in federation.reports():
                    report_service.submit(session, by_siren[cae.siren], str(period), document)
                late = create_member(session, name="CAE Retardataire", region="11")
                staff = create_staff(session, password=PASSWORD)
                admin = create_staff(session, role=StaffRole.ADMIN, password=PASSWORD)
                settings = Settings(environment="test", database_url=str(engine.url))
                for period in PUBLISHED:
                    stats_service.publish(
                        session, period_text=period, staff=staff, settings=settings
                    )
                member_user, _ = member_user_service.create(
                    session,
                    MemberUserCreate(
                        member_siren=members[0].siren,
                        email="gerante@cae-une.example",
                        display_name="Gérante",
                        password=PASSWORD,
                    ),
                )
                other_user, _ = member_user_service.create(
                    session,
                    MemberUserCreate(
                        member_siren=members[1].siren,
                        email="paie@cae-deux.example",
                        display_name="Paie",
                        password=PASSWORD,
                    ),
                )
                for account in (staff, admin, member_user, other_user):
                    account.password_hash = FAST_HASH
                    session.add(account)
                session.commit()  # releases the session's savepoint into the package's transaction
            yield (
                connection,
                Loaded(federation, members, late, staff, admin, member_user, other_user),
            )
        finally:
            transaction.rollback()


@pytest.fixture
def loaded(loaded_connection: tuple[Connection, Loaded]) -> Loaded:
    return loaded_connection[1]


@pytest.fixture
def connection(loaded_connection: tuple[Connection, Loaded]) -> Iterator[Connection]:
    """The package's connection; what a test writes is rolled back with its savepoint."""
    connection = loaded_connection[0]
    savepoint = connection.begin_nested()
    try:
        yield connection
    finally:
        if savepoint.is_active:
            savepoint.rollback()


@pytest.fixture(autouse=True)
def _forget_cached_tables() -> Iterator[None]:
    # Kept tables are keyed by ids, which a rolled-back database hands out again.
    clear_caches()
    stats_module.clear_caches()
    yield
    clear_caches()
    stats_module.clear_caches()


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found is not None, "no csrf_token field in the page"
    return found.group(1)


def login(
    client: TestClient, email: str, password: str = PASSWORD, *, suite: str | None = None
) -> Response:
    """What a browser does: open the login page, then post the form with its token."""
    page = client.get("/connexion" + (f"?suite={suite}" if suite else ""))
    assert page.status_code == 200, page.text
    data = {"csrf_token": csrf_of(page.text), "email": email, "password": password}
    if suite:
        data["suite"] = suite
    return client.post("/connexion", data=data, follow_redirects=False)


@pytest.fixture
def staff_client(client: TestClient, loaded: Loaded) -> TestClient:
    assert login(client, loaded.staff.email).status_code == 303
    return client


@pytest.fixture
def member_client(client: TestClient, loaded: Loaded) -> TestClient:
    assert login(client, loaded.member_user.email).status_code == 303
    return client
