"""Schema-driven fuzzing of every operation of /openapi.json, on every backend.

Whatever a client sends, the hub answers without a 5xx, and every 4xx answer is a
problem+json document (``type``, ``title``, ``status``, ``detail``). Three passes: with an
admin token (authenticated endpoints are exercised past authentication), with a member token,
and without a token. Fuzzing commits data, so it runs on a dedicated database per backend.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from schemathesis.python import asgi

from hub.db import session_scope
from hub.errors import PROBLEM_JSON
from hub.main import create_app
from hub.members.models import StaffRole
from tests.databases import fresh_database, settings_for
from tests.factories import create_member, create_staff, issue_token

# Examples, boundary cases (coverage phase) and random cases, valid and invalid alike.
FUZZ_CONFIG: dict[str, Any] = {
    "seed": 20240611,
    "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
    "generation": {"mode": "all", "max-examples": 12, "deterministic": True, "database": "none"},
    "phases": {"stateful": {"enabled": False}},
}


@dataclass(frozen=True)
class FuzzTarget:
    app: FastAPI
    tokens: dict[str, str | None]


@pytest.fixture(scope="module")
def fuzz_target(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzTarget]:
    """The hub on a database of its own, with an admin and a member holding tokens."""
    workdir: Path = tmp_path_factory.mktemp(f"fuzz-{backend}")
    with fresh_database(backend, workdir) as engine:
        with session_scope(engine) as session:
            admin = create_staff(session, role=StaffRole.ADMIN)
            member = create_member(session)
            tokens: dict[str, str | None] = {
                "admin": issue_token(session, staff=admin),
                "member": issue_token(session, member=member),
                "none": None,
            }
        app = create_app(settings_for(str(engine.url)), engine=engine)
        try:
            yield FuzzTarget(app=app, tokens=tokens)
        finally:
            asgi.shutdown_lifespans()


# The spec does not depend on the database: it is read once, from an app on no database.
schema = schemathesis.openapi.from_asgi(
    "/openapi.json",
    create_app(settings_for("sqlite://")),
    config=schemathesis.Config.from_dict(FUZZ_CONFIG),
)


def assert_well_formed(response: Any, label: str) -> None:
    """No server error; a 4xx is a problem+json document naming what is wrong."""
    status = response.status_code
    where = f"{label} → {status} {response.text[:500]}"
    assert status < 500, where
    if status < 400:
        return
    assert response.headers.get("content-type", "").startswith(PROBLEM_JSON), where
    body = response.json()
    for key in ("type", "title", "status", "detail"):
        assert body.get(key), f"{where} : « {key} » manquant"
    assert body["status"] == status, where
    if status == 422:
        assert body.get("errors"), where
        assert all(item.get("path") and item.get("message") for item in body["errors"]), where


@pytest.mark.parametrize("who", ["admin", "member", "none"])
@schema.parametrize()
def test_fuzz_every_operation(case: schemathesis.Case, fuzz_target: FuzzTarget, who: str) -> None:
    token = fuzz_target.tokens[who]
    if token is not None:
        case.headers["Authorization"] = f"Bearer {token}"
    response = case.call(app=fuzz_target.app)
    assert_well_formed(response, f"{case.method} {case.formatted_path}")


# -- The document itself ------------------------------------------------------------------


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    app = create_app(settings_for("sqlite://"))
    with TestClient(app) as client:
        response = client.get("/openapi.json")
    assert response.status_code == 200
    return dict(response.json())


def _problem_documented(operation: dict[str, Any], status: str) -> bool:
    answer = operation.get("responses", {}).get(status)
    if answer is None:
        return False
    schema_ref = answer.get("content", {}).get(PROBLEM_JSON, {}).get("schema", {}).get("$ref")
    return schema_ref == "#/components/schemas/Problem"


def test_openapi_declares_the_bearer_scheme(openapi: dict[str, Any]) -> None:
    schemes = openapi["components"]["securitySchemes"]
    assert any(s.get("type") == "http" and s.get("scheme") == "bearer" for s in schemes.values())


def test_openapi_documents_error_responses(openapi: dict[str, Any]) -> None:
    problem = openapi["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail"} <= set(problem["required"])
    missing = []
    for path, operations in openapi["paths"].items():
        for method, operation in operations.items():
            expected = set()
            if operation.get("parameters") or operation.get("requestBody"):
                expected.add("422")
            if operation.get("security"):
                expected |= {"401", "403"}
            missing += [
                f"{method.upper()} {path} : {status}"
                for status in sorted(expected)
                if not _problem_documented(operation, status)
            ]
    assert not missing, "réponses d'erreur non documentées : " + ", ".join(missing)
