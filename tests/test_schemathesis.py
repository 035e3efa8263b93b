"""The OpenAPI document matches the service: every Schemathesis check, on every operation,
for every role (anonymous, member token, staff token, admin token), on every backend.

Checks include: no server error, status codes and content types documented, bodies and
headers conform to their schemas, valid data accepted and invalid data refused, a missing
required header refused, authentication not ignored, undocumented methods answered 405 with
a complete ``Allow`` header. Examples are bounded (and deterministic) so that a run stays
short. Calls commit data, so each backend has a database of its own; what a call may do to
the principals themselves (revoke a token, deactivate an account) is undone after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from schemathesis.python import asgi
from sqlalchemy import Engine, update
from sqlmodel import col, select

from cae_contract.catalogue import get_catalogue
from cae_contract.periods import PERIOD_PATTERN, Period
from hub.db import session_scope
from hub.main import create_app
from hub.members.models import ApiToken, Member, StaffAccount, StaffRole
from tests.databases import fresh_database, settings_for
from tests.factories import create_member, create_staff, issue_token

SEED = 20261202
ROLES = ["anonymous", "member", "staff", "admin"]
# Requests the schema calls valid that the service may still refuse with 422, because its
# rule spans several fields or depends on the data or the date — what JSON Schema cannot say.
RULES_BEYOND_THE_SCHEMA = {
    ("GET", "/v1/stats"): "breakdown allowed for some indicators only; period not begun",
    ("GET", "/v1/stats/series"): "breakdown allowed for some indicators only; from after to",
    ("GET", "/v1/stats/preview"): "breakdown allowed for some indicators only; period not begun",
    ("GET", "/v1/stats/completeness"): "period not begun yet",
    ("POST", "/v1/stats/publications/{period}"): "period not ended yet",
    ("GET", "/v1/stats/publications/{period}/preview"): "period not ended yet",
    ("POST", "/v1/admin/members"): "SIREN check digit; reserved e-mail domains (.test…)",
    ("PATCH", "/v1/admin/members/{siren}"): "reserved e-mail domains (.test…)",
    ("POST", "/v1/admin/staff"): "reserved e-mail domains (.test…)",
    ("POST", "/v1/admin/tokens"): "one holder exactly; scopes the holder may have; SIREN key",
    ("GET", "/v1/indicators/reports/{period}"): "staff must name the member",
    ("GET", "/v1/indicators/reports"): "staff must name the member",
    ("PUT", "/v1/indicators/reports/{period}"): (
        "period not begun; the body's period is the address's; breakdowns that add up"
    ),
    ("GET", "/v1/indicators/reports/{period}/revisions"): "staff must name the member",
    ("GET", "/v1/indicators/reports/{period}/revisions/{revision}"): "staff must name the member",
    ("PUT", "/v1/trainings/catalogue"): (
        "session numbers unique in the catalogue; sessions end after they start"
    ),
    ("GET", "/v1/trainings/sessions"): (
        "codes of the trade, département and region lists; dates in order"
    ),
    ("POST", "/v1/delegations/mandates"): (
        "the payroll-mandate schema; both parties known members, the caller one of them"
    ),
    ("POST", "/v1/delegations/mandates/{uid}/versions"): (
        "the payroll-mandate schema; the same parties as the mandate"
    ),
}
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "429", "5xx"]
CONFIG: dict[str, Any] = {
    "seed": SEED,
    "suppress-health-check": ["too_slow", "filter_too_much", "data_too_large"],
    "generation": {"mode": "all", "max-examples": 8, "deterministic": True, "database": "none"},
    "phases": {"stateful": {"enabled": False}},
    "operations": [
        {
            "include-name": f"{method} {path}",
            "checks": {"positive_data_acceptance": {"expected-statuses": [*ACCEPTED, "422"]}},
        }
        for method, path in RULES_BEYOND_THE_SCHEMA
    ],
}


def _names(loaded: Any) -> list[str]:
    return [f"{op.ok().method.upper()} {op.ok().path}" for op in loaded.get_all_operations()]


schema = schemathesis.openapi.from_asgi(
    "/openapi.json",
    create_app(settings_for("sqlite://")),
    config=schemathesis.Config.from_dict(CONFIG),
)
# PUT report is being rewritten with its OpenAPI declarations (see its test's reason).
# Selections are made with exclude only: include ignores the per-operation settings above.
SUBMIT = "PUT /v1/indicators/reports/{period}"
everything_else = schema.exclude(name=SUBMIT)
submit = schema.exclude(name=[op for op in _names(schema) if op != SUBMIT])


@dataclass(frozen=True)
class Hub:
    """The hub on a database of its own, and who the checks call it as."""

    app: FastAPI
    engine: Engine
    tokens: dict[str, str]
    token_ids: list[int]
    member_ids: list[int]
    staff_ids: list[int]

    def headers(self, role: str) -> dict[str, str] | None:
        token = self.tokens.get(role)
        return {"Authorization": f"Bearer {token}"} if token else None

    def restore(self) -> None:
        """Undo what a call may have done to the principals (revoke, deactivate)."""
        with session_scope(self.engine) as session:
            session.execute(
                update(ApiToken)
                .where(col(ApiToken.id).in_(self.token_ids))
                .values(revoked_at=None, expires_at=None)
            )
            session.execute(
                update(Member).where(col(Member.id).in_(self.member_ids)).values(active=True)
            )
            session.execute(
                update(StaffAccount)
                .where(col(StaffAccount.id).in_(self.staff_ids))
                .values(active=True)
            )


@pytest.fixture(scope="module")
def hub(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hub]:
    with fresh_database(backend, tmp_path_factory.mktemp(f"schemathesis-{backend}")) as engine:
        with session_scope(engine) as session:
            admin = create_staff(session, role=StaffRole.ADMIN)
            staff = create_staff(session)
            member = create_member(session)
            tokens = {
                "admin": issue_token(session, staff=admin),
                "staff": issue_token(session, staff=staff),
                "member": issue_token(session, member=member),
            }
            token_ids = [t.id for t in session.exec(select(ApiToken)).all() if t.id is not None]
            assert admin.id and staff.id and member.id
            ids = ([member.id], [admin.id, staff.id])
        app = create_app(settings_for(str(engine.url)), engine=engine)
        try:
            yield Hub(app, engine, tokens, token_ids, *ids)
        finally:
            asgi.shutdown_lifespans()


@pytest.fixture(scope="module", params=ROLES)
def role(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _check(case: schemathesis.Case, hub: Hub, role: str) -> None:
    try:
        case.call_and_validate(app=hub.app, headers=hub.headers(role))
    finally:
        if case.method != "GET":
            hub.restore()


@everything_else.parametrize()
def test_the_service_matches_its_openapi(case: schemathesis.Case, hub: Hub, role: str) -> None:
    _check(case, hub, role)


@submit.parametrize()
def test_submitting_a_report_matches_its_openapi(
    case: schemathesis.Case, hub: Hub, role: str
) -> None:
    _check(case, hub, role)


# -- What the checks above rely on, pinned one by one --------------------------------------


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    with TestClient(create_app(settings_for("sqlite://"))) as client:
        return dict(client.get("/openapi.json").json())


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield method.upper(), path, operation


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/v1/admin/members", "GET, POST"),
        ("PUT", "/v1/admin/members/832451967", "GET, PATCH"),
        ("DELETE", "/v1/indicators/reports/2025-S1", "GET, PUT"),
        ("POST", "/healthz", "GET"),
        ("PUT", "/connexion", "GET, POST"),
        ("POST", "/static/hub.css", "GET, HEAD"),
    ],
)
def test_a_405_allows_every_method_of_the_path(method: str, path: str, allowed: str) -> None:
    """The router stops at the first route of a path: its 405 named that route's methods."""
    with TestClient(create_app(settings_for("sqlite://"))) as client:
        response = client.request(method, path)
    assert response.status_code == 405
    assert response.headers["allow"] == allowed
    assert response.headers["content-type"].startswith("application/problem+json")


def test_every_operation_documents_the_answers_it_can_give(document: dict[str, Any]) -> None:
    """Unreadable input (400), invalid data (422) and a busy hub (503, with Retry-After)
    anywhere; too large (413) and not JSON (415) where there is a body."""
    missing = []
    for method, path, operation in _operations(document):
        expected = {"400", "422", "503"} | ({"413", "415"} if "requestBody" in operation else set())
        missing += [f"{method} {path} : {s}" for s in expected - set(operation["responses"])]
        if "503" in operation["responses"] and path != "/healthz":  # its 503: database down
            assert "Retry-After" in operation["responses"]["503"]["headers"]
    assert not missing, missing


PERIOD_NAMES = {"period", "from", "to"}


def test_period_and_siren_parameters_declare_their_pattern(document: dict[str, Any]) -> None:
    undeclared = []
    for method, path, operation in _operations(document):
        for parameter in operation.get("parameters", []):
            name, declared = parameter["name"], parameter["schema"]
            if name in PERIOD_NAMES and declared.get("pattern") != PERIOD_PATTERN:
                undeclared.append(f"{method} {path} {name}")
            if "siren" in name and declared.get("pattern", "") != r"^[0-9]{9}$":
                undeclared.append(f"{method} {path} {name}")
    assert not undeclared, undeclared


@pytest.mark.parametrize(
    "text", ["2026", "2026-S1", "2026-S2", "0000", "0000-S1", "2026-S3", "26-S1", "2026-s1", "٢٠٢٦"]
)
def test_the_declared_period_pattern_is_the_language_of_periods(text: str) -> None:
    try:
        Period.parse(text)
        parsed = True
    except ValueError:
        parsed = False
    assert (re.fullmatch(PERIOD_PATTERN, text, flags=re.ASCII) is not None) == parsed


def test_codes_are_declared_as_their_lists(document: dict[str, Any]) -> None:
    table = document["paths"]["/v1/stats"]["get"]["parameters"]
    parameters = {p["name"]: p["schema"] for p in table}
    assert set(parameters["indicator"]["enum"]) == set(get_catalogue().indicators)
    assert re.fullmatch(parameters["by"]["pattern"], "trade,sex")
    assert not re.fullmatch(parameters["by"]["pattern"], "trade,sex,contract")
    preview = document["paths"]["/v1/stats/preview"]["get"]["parameters"]
    [indicator] = [p["schema"] for p in preview if p["name"] == "indicator"]
    assert "associate_rate" not in indicator["enum"]  # derived by the hub, never reported
    member = document["components"]["schemas"]["MemberCreate"]["properties"]
    assert "75" in member["region"]["enum"]
    assert "43.21A" in member["trades"]["items"]["enum"] and member["trades"]["uniqueItems"]


def test_a_boolean_is_a_json_boolean(hub: Hub) -> None:
    """0, 1 or "oui" for true or false was taken for a boolean (Schemathesis ST201)."""
    headers = hub.headers("admin")
    body = {
        "name": "CAE Booléenne",
        "siren": "732829320",
        "region": "75",
        "departements": ["33"],
        "trades": ["43.21A"],
        "contact_email": "contact@cae.example",
    }
    with TestClient(hub.app) as client:
        for wrong in (0, 1, "oui", "true"):
            response = client.post(
                "/v1/admin/members", json={**body, "consents_raw_access": wrong}, headers=headers
            )
            assert response.status_code == 422, response.text
            assert [e["path"] for e in response.json()["errors"]] == ["$.consents_raw_access"]
