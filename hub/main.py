"""The application factory."""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from anyio import to_thread
from fastapi import FastAPI
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import Engine

import hub
from cae_contract.catalogue import REPORT_SCHEMA, get_catalogue
from cae_contract.lheo import CATALOGUE_SCHEMA
from cae_contract.refs import self_contained
from cae_contract.registry import get_registry, publish_from
from hub.admission import Admission
from hub.audit import endpoints as audit
from hub.audit.service import audit_service
from hub.config import Settings, get_settings
from hub.db import database_reachable, make_engine, session_factory
from hub.delegations import endpoints as delegations
from hub.docs.endpoints import mount_docs
from hub.errors import install_error_handlers, problem_responses
from hub.guards import InputGuard
from hub.indicators import endpoints as indicators
from hub.jobs.scheduler import start_scheduler, stop_scheduler
from hub.logs import AccessLog, configure_logging
from hub.members import endpoints as members
from hub.schemas import endpoints as schemas
from hub.stats import endpoints as stats
from hub.trainings import endpoints as trainings
from hub.web.endpoints import mount_dashboard


class Health(BaseModel):
    status: str
    database: str
    version: str


HEALTHY = orjson.dumps(Health(status="ok", database="ok", version=hub.__version__).model_dump())
DEGRADED = orjson.dumps(
    Health(status="degraded", database="unreachable", version=hub.__version__).model_dump()
)


class DatabaseProbe:
    """Whether the database answers a trivial query, asked at most once per ``max_age_s``:
    a monitor polling ``/healthz`` never costs a connection per probe."""

    def __init__(self, engine: Engine, *, max_age_s: float = 1.0) -> None:
        self._engine = engine
        self._max_age_s = max_age_s
        self._checked_at = -math.inf
        self._reachable = False

    async def reachable(self) -> bool:
        if time.monotonic() - self._checked_at >= self._max_age_s:
            self._reachable = await to_thread.run_sync(database_reachable, self._engine)
            self._checked_at = time.monotonic()
        return self._reachable


def _describe_report_body(app: FastAPI) -> None:
    """OpenAPI names the published ``indicator-report`` and ``training-catalogue`` schemas as
    the bodies of report and catalogue uploads (the endpoints read their bodies themselves,
    after authentication, so FastAPI cannot infer them)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            description = generate()
            registry = get_registry()
            catalogue = get_catalogue()
            report = registry.get(REPORT_SCHEMA, catalogue.schema_version).document
            body = self_contained(report, lambda n, v: registry.get(n, v).document)
            components = description.setdefault("components", {}).setdefault("schemas", {})
            components["IndicatorReport"] = body
            catalogue_schema = registry.latest(CATALOGUE_SCHEMA).document
            components["TrainingCatalogue"] = self_contained(
                catalogue_schema, lambda n, v: registry.get(n, v).document
            )
        return app.openapi_schema or generate()

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(settings: Settings | None = None, *, engine: Engine | None = None) -> FastAPI:
    """The hub: middleware, error handlers, routers and lifespan."""
    settings = settings or get_settings()
    publish_from(settings.schemas_dir)
    configure_logging(settings)
    owns_engine = engine is None
    engine = engine or make_engine(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        scheduler = start_scheduler(engine, settings) if settings.jobs_active else None
        try:
            yield
        finally:
            if scheduler is not None:
                stop_scheduler(scheduler)
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
        # /docs is hub.docs' page (assets from the package, strict CSP); ReDoc needs a CDN.
        docs_url=None,
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.session_factory = session_factory(engine)
    app.state.admission = Admission.for_settings(settings)
    audit_service.configure(settings)

    install_error_handlers(app)
    # Plain ASGI middlewares (the last added is the outermost): the access log sees every
    # answer, the guard's refusals included.
    app.add_middleware(InputGuard, settings=settings)
    app.add_middleware(AccessLog)

    probe = DatabaseProbe(engine)

    @app.get(
        "/healthz",
        tags=["santé"],
        summary="État du hub et de sa base de données",
        responses={
            **problem_responses(400, 422),
            503: {"model": Health, "description": "Base de données injoignable"},
        },
    )
    async def healthz() -> Response:
        # On the event loop, no worker thread: the database's answer is at most a second old.
        reachable = await probe.reachable()
        return Response(
            HEALTHY if reachable else DEGRADED,
            status_code=200 if reachable else 503,
            media_type="application/json",
        )

    _describe_report_body(app)
    app.include_router(schemas.router)
    app.include_router(members.router)
    app.include_router(indicators.router)
    app.include_router(stats.router)
    app.include_router(audit.router)
    app.include_router(trainings.router)
    app.include_router(delegations.router)
    mount_docs(app)
    mount_dashboard(app)
    return app
