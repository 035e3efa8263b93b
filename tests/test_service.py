"""The service as a whole: health, problem answers and request logging."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine

from hub.main import create_app
from tests.databases import fresh_database, postgres_url, settings_for
from tests.factories import bearer


def test_healthz_reports_the_database(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["database"] == "ok"


def test_healthz_says_when_the_database_is_down() -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    app = create_app(settings_for(url), engine=create_engine(url))
    with TestClient(app) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


def test_healthz_asks_the_database_at_most_once_a_second(client: TestClient, engine) -> None:
    from sqlalchemy import event

    asked: list[str] = []

    def count(_conn, _cursor, statement: str, *_: object) -> None:
        if statement.strip().upper() == "SELECT 1":
            asked.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        answers = [client.get("/healthz").status_code for _ in range(50)]
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert answers == [200] * 50
    assert 1 <= len(asked) <= 2  # 50 probes well within a second or two: one or two pings


def test_an_authenticated_request_with_the_database_down_is_503() -> None:
    url = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    app = create_app(settings_for(url), engine=create_engine(url))
    with TestClient(app) as client:
        response = client.get("/v1/me", headers={"Authorization": "Bearer caeh_" + "a" * 43})
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["retry-after"] == "30"


def test_unknown_address_is_a_problem(client: TestClient) -> None:
    response = client.get("/v2/nothing")
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["title"] == "Introuvable"


def test_wrong_method_is_a_problem(client: TestClient) -> None:
    response = client.delete("/v1/me")
    assert response.status_code == 405
    assert response.json()["title"] == "Méthode non autorisée"


def test_query_validation_names_the_parameter(client: TestClient, session) -> None:
    from hub.members.models import StaffRole
    from tests.factories import bearer, create_staff, issue_token

    token = issue_token(session, staff=create_staff(session, role=StaffRole.ADMIN))
    response = client.get("/v1/admin/members?include_inactive=peut-etre", headers=bearer(token))
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"path": "query.include_inactive", "message": "booléen attendu (true ou false)"}
    ]


def test_every_response_carries_a_request_id(client: TestClient) -> None:
    response = client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    assert len(client.get("/healthz").headers["x-request-id"]) == 32


@pytest.mark.parametrize("target", ["/v1/schemas/a%00b", "/v1/schemas?x=%00"])
def test_nul_characters_in_the_address_are_refused(client: TestClient, target: str) -> None:
    response = client.get(target)
    assert response.status_code == 400
    assert "caractère nul" in response.json()["detail"]


def test_an_exhausted_connection_pool_is_a_503_not_a_500(tmp_path: Path) -> None:
    """Every connection held elsewhere: the request waits its pool timeout, then is told to
    come back (503, Retry-After), as problem+json."""
    if postgres_url() is None:
        pytest.skip("PostgreSQL injoignable")
    with fresh_database("postgresql", tmp_path) as engine:
        settings = settings_for(str(engine.url)).model_copy(
            update={
                "database_pool_size": 1,
                "database_max_overflow": 0,
                "database_pool_timeout_s": 0.2,
            }
        )
        app = create_app(settings)
        held = app.state.engine.connect()  # the pool's only connection
        try:
            with TestClient(app) as client:
                response = client.get("/v1/indicators", headers=bearer("caeh_" + "x" * 43))
        finally:
            held.close()
    assert response.status_code == 503, response.text
    assert response.headers["retry-after"]
    assert response.headers["content-type"].startswith("application/problem+json")
