"""The application factory."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import parse_qsl

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import Engine
from starlette.routing import compile_path

import hub
from hub.config import Settings, get_settings
from hub.db import database_reachable, make_engine, session_factory
from hub.errors import BadRequest, ErrorItem, ValidationFailed, problem_response
from hub.indicators import endpoints as indicators
from hub.logs import configure_logging, log_requests
from hub.members import endpoints as members
from hub.schemas import endpoints as schemas
from hub.stats import endpoints as stats
from hub.web.endpoints import mount_dashboard

MAX_BODY_BYTES = 20 * 1024 * 1024
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")  # \uD800-\uDFFF, paired or not


class Health(BaseModel):
    status: str
    database: str
    version: str


def _has_nul(text: str) -> bool:
    return "\x00" in text


def _has_lone_surrogate(text: str) -> bool:
    """A half of a surrogate pair left alone: no UTF-8 text, hence no database, can hold it."""
    return any("\ud800" <= char <= "\udfff" for char in text)


def _bad_text_path(node: Any, path: str = "$", bad: Callable[[str], bool] = _has_nul) -> str | None:
    """The JSON path of the first key or string ``bad`` refuses (by default: a NUL character)."""
    if isinstance(node, str):
        return path if bad(node) else None
    if isinstance(node, dict):
        for key, value in node.items():
            found = (bad(key) and f"{path}.{key!r}") or _bad_text_path(value, f"{path}.{key}", bad)
            if found:
                return found
    if isinstance(node, list):
        for index, value in enumerate(node):
            found = _bad_text_path(value, f"{path}[{index}]", bad)
            if found:
                return found
    return None


_UNSTORABLE_TEXT = [
    (
        _has_lone_surrogate,
        "Un texte contient un caractère Unicode invalide.",
        "moitié de paire de substitution (\\uD800 à \\uDFFF) isolée interdite",
    ),
    (_has_nul, "Un texte contient un caractère nul.", "caractère nul (\\u0000) interdit"),
]


def _nul_fields(request: Request) -> list[ErrorItem]:
    """Where the address holds a NUL character: ``query.<name>``, ``path.<name>`` or ``path``."""
    message = "caractère nul (%00) interdit"
    items = [
        ErrorItem(f"query.{name.replace(chr(0), '%00')}", message)
        for name, value in parse_qsl(request.url.query, keep_blank_values=True)
        if "\x00" in name + value
    ]
    if "\x00" in request.scope.get("path", ""):
        where = "path"
        for template in request.app.openapi().get("paths", {}):
            matched = compile_path(template)[0].match(request.scope["path"])
            if matched:
                params = matched.groupdict().items()
                where = next((f"path.{k}" for k, v in params if "\x00" in v), where)
                break
        items.append(ErrorItem(where, message))
    return items or [ErrorItem("path", message)]


async def guard_input(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """Refuse input that no endpoint could store (NUL characters, huge bodies), with a problem."""
    raw_target = request.scope.get("raw_path", b"") + b"?" + request.scope.get("query_string", b"")
    if b"%00" in raw_target.lower() or b"\x00" in raw_target:
        return problem_response(
            BadRequest("L'adresse contient un caractère nul (%00).", errors=_nul_fields(request))
        )
    for name, value in request.scope.get("headers", []):
        if b"\x00" in value:
            header = name.decode("latin-1").lower()
            return problem_response(
                BadRequest(
                    f"L'en-tête {header} contient un caractère nul.",
                    errors=[ErrorItem(f"header.{header}", "caractère nul interdit")],
                )
            )
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > MAX_BODY_BYTES:
        return problem_response(
            BadRequest(f"Corps de requête trop volumineux (au plus {MAX_BODY_BYTES // 2**20} Mo).")
        )
    if request.method in {"POST", "PUT", "PATCH"}:
        body = await request.body()
        if b"\\u0000" in body or _SURROGATE_ESCAPE.search(body):
            refusal = _unstorable_text(body)
            if refusal is not None:
                return problem_response(refusal)
    return await call_next(request)


def _unstorable_text(body: bytes) -> ValidationFailed | None:
    """The refusal of a JSON body holding text no database stores, if it holds any."""
    try:
        document = json.loads(body)
        for bad, detail, message in _UNSTORABLE_TEXT:
            where = _bad_text_path(document, bad=bad)
            if where:
                return ValidationFailed(detail, errors=[ErrorItem(where, message)])
    except (ValueError, RecursionError):  # not JSON, or nested too deep: FastAPI answers
        pass
    return None


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    """The hub: middleware, error handlers, routers and lifespan."""
    settings = settings or get_settings()
    configure_logging(settings)
    owns_engine = engine is None
    engine = engine or make_engine(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if owns_engine:
            engine.dispose()

    app = FastAPI(
        title="cae-hub",
        summary="Hub d'échange de données des CAE du bâtiment",
        description=(
            "API du hub de la fédération des coopératives d'activité et d'emploi du bâtiment. "
            "Authentification : « Authorization: Bearer <jeton> ». Les erreurs suivent "
            "application/problem+json (RFC 9457)."
        ),
        version=hub.__version__,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory(engine)

    from hub.errors import install_error_handlers

    install_error_handlers(app)
    app.middleware("http")(guard_input)
    app.middleware("http")(log_requests)

    @app.get(
        "/healthz",
        tags=["santé"],
        summary="État du hub et de sa base de données",
        responses={503: {"model": Health, "description": "Base de données injoignable"}},
    )
    def healthz() -> JSONResponse:
        reachable = database_reachable(engine)
        body = Health(
            status="ok" if reachable else "degraded",
            database="ok" if reachable else "unreachable",
            version=hub.__version__,
        )
        return JSONResponse(body.model_dump(), status_code=200 if reachable else 503)

    app.include_router(schemas.router)
    app.include_router(members.router)
    app.include_router(indicators.router)
    app.include_router(stats.router)
    mount_dashboard(app)
    return app
