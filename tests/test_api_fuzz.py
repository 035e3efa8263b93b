"""Schema-driven fuzzing of every operation of /openapi.json, on every backend.

Whatever a client sends, the hub answers without a 5xx, and every 4xx answer is a
problem+json document (``type``, ``title``, ``status``, ``detail``). Three passes: with an
admin token (authenticated endpoints are exercised past authentication), with a member token
(thoroughly where a member may go, lightly on the admin API) and without a token. Then hostile
input aimed at each parameter and body, where the problem must name the faulty field. Fuzzing
commits data, so it runs on a dedicated database per backend.
"""

from __future__ import annotations

import json
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

from hub.db import session_scope
from hub.errors import PROBLEM_JSON
from hub.main import create_app
from hub.members.models import ApiToken, Member, StaffAccount, StaffRole
from tests.databases import fresh_database, settings_for
from tests.factories import create_member, create_staff, issue_token

SEED = 20240611
HEALTH_CHECKS = ["too_slow", "filter_too_much", "data_too_large"]

# Past authorization: the examples of the spec, boundary cases (coverage phase: lengths, bounds,
# types, missing or unknown fields, other methods…) and random cases, valid and invalid alike.
THOROUGH = {
    "seed": SEED,
    "suppress-health-check": HEALTH_CHECKS,
    "generation": {"mode": "all", "max-examples": 6, "deterministic": True, "database": "none"},
    "phases": {"stateful": {"enabled": False}, "coverage": {"unexpected-methods": ["delete"]}},
}
# Where every request stops at authentication or authorization, a few random cases do.
LIGHT = {
    "seed": SEED,
    "suppress-health-check": HEALTH_CHECKS,
    "generation": {"mode": "all", "max-examples": 5, "deterministic": True, "database": "none"},
    "phases": {"enabled": False, "fuzzing": {"enabled": True}},
}
ADMIN_ONLY = "^/v1/admin/"


@dataclass(frozen=True)
class FuzzTarget:
    """The hub on a database of its own, and the principals the fuzzer calls it as."""

    app: FastAPI
    engine: Engine
    tokens: dict[str, str]
    token_ids: list[int]
    member_id: int
    staff_id: int

    def restore(self) -> None:
        """Undo what fuzzing may have done to the fuzzer's own principals (revoke, deactivate)."""
        tokens = update(ApiToken).where(col(ApiToken.id).in_(self.token_ids))
        members = update(Member).where(col(Member.id) == self.member_id)
        staff = update(StaffAccount).where(col(StaffAccount.id) == self.staff_id)
        with session_scope(self.engine) as session:
            session.execute(tokens.values(revoked_at=None, expires_at=None))
            session.execute(members.values(active=True))
            session.execute(staff.values(active=True))


@pytest.fixture(scope="module")
def fuzz_target(backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzTarget]:
    with fresh_database(backend, tmp_path_factory.mktemp(f"fuzz-{backend}")) as engine:
        with session_scope(engine) as session:
            admin = create_staff(session, role=StaffRole.ADMIN)
            member = create_member(session)
            tokens = {
                "admin": issue_token(session, staff=admin),
                "member": issue_token(session, member=member),
            }
            assert admin.id is not None and member.id is not None
            token_ids = [
                token.id for token in session.exec(select(ApiToken)).all() if token.id is not None
            ]
        app = create_app(settings_for(str(engine.url)), engine=engine)
        try:
            yield FuzzTarget(app, engine, tokens, token_ids, member.id, admin.id)
        finally:
            asgi.shutdown_lifespans()


def _schema(config: dict[str, Any]) -> Any:
    """The spec does not depend on the database: it is read once, from an app on no database."""
    return schemathesis.openapi.from_asgi(
        "/openapi.json",
        create_app(settings_for("sqlite://")),
        config=schemathesis.Config.from_dict(config),
    )


thorough_schema = _schema(THOROUGH)
light_schema = _schema(LIGHT)


def assert_well_formed(status: int, content_type: str, content: bytes, request: str) -> None:
    """No server error; a 4xx is a problem+json document saying what is wrong."""
    where = f"{request}\n→ {status} {content[:500]!r}"
    assert status < 500, where
    if status < 400:
        return
    assert content_type.startswith(PROBLEM_JSON), where
    body = json.loads(content)
    for key in ("type", "title", "status", "detail"):
        assert body.get(key), f"{where}\n« {key} » manquant"
    assert body["status"] == status, where
    if status == 422:
        assert body.get("errors"), where
        assert all(item.get("path") and item.get("message") for item in body["errors"]), where


def _call(case: schemathesis.Case, target: FuzzTarget, token: str | None) -> None:
    # Generated cases are shared between the passes: the token goes with the call, not the case.
    # (Cases that test a missing Authorization header go without it whatever we pass.)
    headers = {"Authorization": f"Bearer {token}"} if token is not None else None
    response = case.call(app=target.app, headers=headers)
    if case.method != "GET" and response.status_code < 300:
        target.restore()
    content_type = ",".join(response.headers.get("content-type", []))
    assert_well_formed(response.status_code, content_type, response.content, case.as_curl_command())


@thorough_schema.parametrize()
def test_fuzz_as_admin(case: schemathesis.Case, fuzz_target: FuzzTarget) -> None:
    _call(case, fuzz_target, fuzz_target.tokens["admin"])


@thorough_schema.exclude(path_regex=ADMIN_ONLY).parametrize()
def test_fuzz_as_member(case: schemathesis.Case, fuzz_target: FuzzTarget) -> None:
    _call(case, fuzz_target, fuzz_target.tokens["member"])


@light_schema.include(path_regex=ADMIN_ONLY).parametrize()
def test_fuzz_as_member_on_admin_endpoints(
    case: schemathesis.Case, fuzz_target: FuzzTarget
) -> None:
    _call(case, fuzz_target, fuzz_target.tokens["member"])


@light_schema.parametrize()
def test_fuzz_without_a_token(case: schemathesis.Case, fuzz_target: FuzzTarget) -> None:
    _call(case, fuzz_target, None)


# -- Hostile input aimed at each parameter and body ----------------------------------------

OPERATIONS = [
    (method.upper(), path)
    for path, operations in thorough_schema.raw_schema["paths"].items()
    for method in operations
    if method in {"get", "put", "post", "patch", "delete"}
]
# Words that betray a message that was not written in French for the user.
ENGLISH = re.compile(r"\b(the|is|was|should|must|error|expecting|required|range|cannot)\b", re.I)
IN_ADDRESS = {  # already percent-encoded, as they travel in a path or a query string
    "nul": "a%00b",
    "long": "%C3%A9" * 3000,
    "int4+1": str(2**31),
    "int8+1": str(2**63),
    "not-utf8": "%FF%FE",
    "year-zero": "0000-S1",
}
IN_HEADER = {
    "nul": b"a\x00b",
    "long": "é".encode("latin-1") * 3000,
    "int8+1": str(2**63).encode(),
    "not-utf8": b"\xff\xfe",
}
JSON = "application/json"
# name → (body, content type, expected status and error path, when the hub owes an exact answer)
BODIES: dict[str, tuple[bytes, str | None, tuple[int, str] | None]] = {
    "not-utf8": (b'{"name": "\xff\xfe"}', JSON, (422, "$")),
    "latin-1": ('{"name": "é"}'.encode("latin-1"), f"{JSON}; charset=latin-1", (422, "$")),
    "utf-16": ('{"name": "é"}'.encode("utf-16"), JSON, None),
    "bom": (b'\xef\xbb\xbf{"name": "x"}', JSON, None),
    "truncated": (b'{"name": ', JSON, (422, "$")),
    "raw-nul": (b'{"name": "a\x00b"}', JSON, (422, "$")),
    "nul": (b'{"name": "a\\u0000b"}', JSON, (422, "$.name")),
    "nul-deep": (b'{"a": [{"b": "\\u0000"}]}', JSON, (422, "$.a[0].b")),
    "lone-surrogate": (b'{"name": "\\ud800x"}', JSON, (422, "$.name")),
    "surrogate-pair": (b'{"name": "\\ud83d\\ude00"}', JSON, None),
    "deep": (b"[" * 50_000 + b"]" * 50_000, JSON, (422, "$")),
    "deep-nul": (b"[" * 50_000 + b'"\\u0000"' + b"]" * 50_000, JSON, (422, "$")),
    "nan": (b'{"name": NaN, "period": "2026-S1", "cells": [{"value": NaN}]}', JSON, None),
    "infinity": (b'{"expires_in_days": Infinity, "cells": [{"value": -Infinity}]}', JSON, None),
    "huge-int": (b'{"expires_in_days": 1' + b"0" * 400 + b"}", JSON, None),
    "huge-float": (b'{"expires_in_days": 1e400, "cells": [{"value": 1e400}]}', JSON, None),
    "long-text": (b'{"name": "' + b"a" * 200_000 + b'", "label": "a"}', JSON, None),
    "duplicate-keys": (b'{"name": "ab", "name": "cd"}', JSON, None),
    "array": (b"[]", JSON, None),
    "null": (b"null", JSON, None),
    "empty": (b"", JSON, None),
    "text/plain": (b'{"name": "x"}', "text/plain", None),
    "form": (b"name=x", "application/x-www-form-urlencoded", None),
    "multipart": (
        b'--b\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--b--\r\n',
        "multipart/form-data; boundary=b",
        None,
    ),
    "no-content-type": (b'{"name": "x"}', None, None),
}


def _neutral(parameter: dict[str, Any]) -> str:
    """A harmless value for a parameter that is not the one under attack."""
    schema = parameter.get("schema", {})
    kinds = {schema.get("type"), *(option.get("type") for option in schema.get("anyOf", []))}
    if "integer" in kinds:
        return str(schema.get("minimum", 1))
    if "boolean" in kinds:
        return "false"
    return "2026-S1" if parameter["name"] == "period" else "latest"


def _names(response: Any, status: int, field: str) -> bool:
    """The answer has this status and names this field among its errors."""
    if response.status_code != status:
        return False
    return field in [item.get("path") for item in response.json().get("errors", [])]


def _english(body: dict[str, Any]) -> list[str]:
    texts = [body.get("detail", ""), *(item.get("message", "") for item in body.get("errors", []))]
    return [text for text in texts if ENGLISH.search(str(text))]


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_hostile_input_is_refused_naming_the_field(
    fuzz_target: FuzzTarget, method: str, path: str
) -> None:
    """NUL, overflowing numbers, huge texts, bad encodings, wrong content types: a 4xx problem.

    Where the hub can say which field is wrong (NUL, encoding, syntax), the problem names it.
    """
    operation = thorough_schema.raw_schema["paths"][path][method.lower()]
    parameters = [
        p for p in operation.get("parameters", []) if p["in"] in {"path", "query", "header"}
    ]
    has_body = "requestBody" in operation
    failures: list[str] = []

    def url(attacked: str | None = None, value: str = "") -> str:
        target = path
        for parameter in parameters:
            if parameter["in"] == "path":
                chosen = value if parameter["name"] == attacked else _neutral(parameter)
                target = target.replace("{" + parameter["name"] + "}", chosen)
        query = [p["name"] for p in parameters if p["in"] == "query" and p["name"] == attacked]
        return target + (f"?{query[0]}={value}" if query else "")

    with TestClient(fuzz_target.app, raise_server_exceptions=False) as client:

        def send(label: str, target: str, headers: dict[str, Any], body: bytes | None) -> Any:
            response = client.request(method, target, headers=headers, content=body)
            try:
                assert_well_formed(
                    response.status_code,
                    response.headers.get("content-type", ""),
                    response.content,
                    f"{label} : {method} {target[:200]}",
                )
                if response.status_code >= 400:
                    english = _english(response.json())
                    assert not english, f"{label} : message non traduit {english}"
            except AssertionError as failure:
                failures.append(str(failure))
            return response

        # The token that gets past authorization: admin, or a member for members' endpoints.
        tokens = fuzz_target.tokens
        baseline = {"Authorization": f"Bearer {tokens['admin']}", "Content-Type": JSON}
        probe = client.request(method, url(), headers=baseline, content=b"{}" if has_body else None)
        if probe.status_code == 403:
            baseline["Authorization"] = f"Bearer {tokens['member']}"
        body = b"{}" if has_body else None

        for parameter in parameters:
            name, where = parameter["name"], parameter["in"]
            variants = IN_HEADER if where == "header" else IN_ADDRESS
            for kind, value in variants.items():
                label = f"{where}.{name}={kind}"
                if where == "header":
                    headers = {**baseline, name: value}
                    response = send(label, url(), headers, body)
                else:
                    response = send(label, url(name, str(value)), baseline, body)
                if kind == "nul" and not _names(response, 400, f"{where}.{name}"):
                    failures.append(f"{label} : {response.status_code} {response.text[:300]}")
            if method in {"POST", "PUT", "PATCH"}:
                fuzz_target.restore()

        for kind, (content, content_type, expected) in BODIES.items() if has_body else ():
            headers = {k: v for k, v in baseline.items() if k != "Content-Type"}
            if content_type is not None:
                headers["Content-Type"] = content_type
            response = send(f"corps={kind}", url(), headers, content)
            if expected is not None and not _names(response, *expected):
                failures.append(
                    f"corps={kind} : {expected} attendus, {response.status_code} "
                    f"{response.text[:300]}"
                )
        if method in {"POST", "PUT", "PATCH"}:
            fuzz_target.restore()

    assert not failures, "\n\n".join(failures[:10])


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
