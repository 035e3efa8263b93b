"""Published tables answered from memory: same bytes as the service's table, an ETag and 304,
a new publication served at once here and within ``stats_cache_check_s`` from elsewhere, and
the token and its scope checked on every request all the same."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine
from sqlmodel import Session, select

from bench.federation import generate_federation, report_for
from cae_contract.periods import Period
from hub.db import session_factory
from hub.main import create_app
from hub.members.models import ApiToken, Member, Scope, StaffAccount
from hub.members.service import token_service
from hub.security import token_hash
from hub.stats import publishing
from hub.stats.service import stats_service
from tests.databases import settings_for
from tests.factories import bearer, create_staff, issue_token
from tests.stats.tables import load_federation

PERIOD = "2025-S1"
URL = f"/v1/stats?indicator=entrepreneurs&period={PERIOD}&by=trade"


@dataclass
class Loaded:
    members: dict[str, Member]
    staff: StaffAccount
    staff_headers: dict[str, str]
    member_headers: dict[str, str]


@pytest.fixture
def loaded(session: Session) -> Loaded:
    federation = generate_federation(caes=8, first=PERIOD, semesters=1, seed=5, dominant=1)
    members = load_federation(session, federation)
    staff = create_staff(session)
    member = next(iter(members.values()))
    return Loaded(
        members,
        staff,
        bearer(issue_token(session, staff=staff)),
        bearer(issue_token(session, member=member)),
    )


def app_checking_every(
    seconds: float, engine: Engine, connection: Connection
) -> Iterator[TestClient]:
    settings = settings_for(str(engine.url)).model_copy(update={"stats_cache_check_s": seconds})
    application: FastAPI = create_app(settings, engine=engine)
    application.state.session_factory = session_factory(
        connection, join_transaction_mode="create_savepoint"
    )
    with TestClient(application) as client:
        yield client


def publish_elsewhere(session: Session, staff: StaffAccount) -> None:
    """A publication as another hub process makes it: nothing in this one is told."""
    publishing.publish(session, period=PERIOD, staff=staff, settings=settings_for("sqlite://"))
    session.flush()


def test_a_published_table_has_the_services_bytes_an_etag_and_a_304(
    client: TestClient, loaded: Loaded, session: Session
) -> None:
    assert client.post(f"/v1/stats/publications/{PERIOD}", headers=loaded.staff_headers).is_success
    first = client.get(URL, headers=loaded.member_headers)
    assert first.status_code == 200, first.text
    assert first.headers["content-type"] == "application/json"
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"')
    assert first.headers["cache-control"] == "private, no-cache"
    expected = stats_service.table(
        session,
        indicator_code="entrepreneurs",
        period_text=PERIOD,
        by_text="trade",
        draft=False,
        staff=False,
        settings=settings_for("sqlite://"),
    )
    assert first.json() == expected.model_dump(mode="json")

    again = client.get(URL, headers=loaded.member_headers)
    assert again.content == first.content and again.headers["etag"] == etag
    for sent in (etag, f"W/{etag}", f'"autre", {etag}', "*"):
        unchanged = client.get(URL, headers={**loaded.member_headers, "If-None-Match": sent})
        assert unchanged.status_code == 304, sent
        assert unchanged.content == b""
        assert unchanged.headers["etag"] == etag
    other = client.get(URL, headers={**loaded.member_headers, "If-None-Match": '"autre"'})
    assert other.status_code == 200 and other.content == first.content
    staff = client.get(URL, headers=loaded.staff_headers)
    assert staff.content == first.content  # the same table for every reader


def test_a_new_publication_made_here_is_served_at_the_next_request(
    client: TestClient, loaded: Loaded, session: Session
) -> None:
    assert client.post(f"/v1/stats/publications/{PERIOD}", headers=loaded.staff_headers).is_success
    first = client.get(URL, headers=loaded.member_headers)
    assert first.json()["source"]["publication"] == 1
    siren, member = next(iter(loaded.members.items()))
    federation = generate_federation(caes=8, first=PERIOD, semesters=1, seed=5, dominant=1)
    cae = next(c for c in federation.caes if c.siren == siren)
    cae.support_staff_fte += 4
    revised = client.put(
        f"/v1/indicators/reports/{PERIOD}",
        json=report_for(cae, Period.parse(PERIOD)),
        headers=bearer(issue_token(session, member=member)),
    )
    assert revised.json()["revision"] == 2
    assert client.post(f"/v1/stats/publications/{PERIOD}", headers=loaded.staff_headers).is_success
    second = client.get(
        URL, headers={**loaded.member_headers, "If-None-Match": first.headers["etag"]}
    )
    assert second.status_code == 200
    assert second.json()["source"]["publication"] == 2
    assert second.headers["etag"] != first.headers["etag"]


def test_a_publication_made_elsewhere_is_served_within_the_check_interval(
    engine: Engine, connection: Connection, session: Session, loaded: Loaded
) -> None:
    publish_elsewhere(session, loaded.staff)
    for client in app_checking_every(0, engine, connection):
        assert client.get(URL, headers=loaded.member_headers).json()["source"]["publication"] == 1
        publish_elsewhere(session, loaded.staff)
        assert client.get(URL, headers=loaded.member_headers).json()["source"]["publication"] == 2


def test_within_the_check_interval_the_latest_publication_known_is_served(
    engine: Engine, connection: Connection, session: Session, loaded: Loaded
) -> None:
    publish_elsewhere(session, loaded.staff)
    for client in app_checking_every(3600, engine, connection):
        assert client.get(URL, headers=loaded.member_headers).json()["source"]["publication"] == 1
        publish_elsewhere(session, loaded.staff)
        # Frozen tables: what is served is a real publication, one check interval late at most.
        assert client.get(URL, headers=loaded.member_headers).json()["source"]["publication"] == 1


def test_an_unpublished_period_is_404_until_it_is_published(
    engine: Engine, connection: Connection, session: Session, loaded: Loaded
) -> None:
    for client in app_checking_every(3600, engine, connection):
        missing = client.get(URL, headers=loaded.member_headers)
        assert missing.status_code == 404
        assert missing.headers["content-type"] == "application/problem+json"
        published = client.post(f"/v1/stats/publications/{PERIOD}", headers=loaded.staff_headers)
        assert published.status_code == 201
        assert client.get(URL, headers=loaded.member_headers).status_code == 200


def test_a_kept_answer_still_needs_a_valid_token_with_its_scope(
    client: TestClient, loaded: Loaded, session: Session
) -> None:
    assert client.post(f"/v1/stats/publications/{PERIOD}", headers=loaded.staff_headers).is_success
    assert client.get(URL, headers=loaded.member_headers).status_code == 200
    assert client.get(URL).status_code == 401
    member = next(iter(loaded.members.values()))
    writer = bearer(issue_token(session, member=member, scopes=[Scope.REPORTS_WRITE]))
    assert client.get(URL, headers=writer).status_code == 403
    secret = loaded.member_headers["Authorization"].removeprefix("Bearer ")
    token = session.exec(select(ApiToken).where(ApiToken.token_hash == token_hash(secret))).first()
    assert token is not None and token.id is not None
    token_service.revoke(session, token.id)
    session.flush()
    assert client.get(URL, headers=loaded.member_headers).status_code == 401


def test_bad_queries_still_name_the_parameter(client: TestClient, loaded: Loaded) -> None:
    assert client.post(f"/v1/stats/publications/{PERIOD}", headers=loaded.staff_headers).is_success
    assert client.get(URL, headers=loaded.member_headers).status_code == 200
    bad_by = client.get(URL.replace("by=trade", "by=colour"), headers=loaded.member_headers)
    assert bad_by.status_code == 422
    assert [e["path"] for e in bad_by.json()["errors"]] == ["query.by"]
    bad_period = client.get(URL.replace(PERIOD, "2025-S3"), headers=loaded.member_headers)
    assert bad_period.status_code == 422
    assert [e["path"] for e in bad_period.json()["errors"]] == ["query.period"]
