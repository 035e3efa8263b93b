"""``/v1/indicators``: the catalogue and each member's reports."""

from __future__ import annotations

from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from sqlmodel import Session

from cae_contract.periods import PERIOD_PATTERN
from hub.admission import Admission
from hub.db import SessionDep, SettingsDep, write_unit
from hub.errors import API_ERRORS, BODY_ERRORS, problem_responses
from hub.indicators.schemas import (
    Catalogue,
    HeldReports,
    ImportSummary,
    ReportDocument,
    RevisionInfo,
)
from hub.indicators.service import (
    PreparedReport,
    catalogue_service,
    collector_paused,
    decode_report,
    report_service,
)
from hub.members.auth import CurrentPrincipal, get_member, require_scope
from hub.members.models import Member, Scope
from hub.members.service import Principal
from hub.schemas.uploads import ConnectorHeader, SchemaVersionHeader, deprecation_headers

router = APIRouter(
    prefix="/v1/indicators",
    tags=["indicateurs"],
    responses=problem_responses(*API_ERRORS, 401, 403),
)

PeriodPath = Annotated[
    str,
    Path(
        max_length=20,
        json_schema_extra={"pattern": PERIOD_PATTERN},  # declared; checked by parse_period
        description="Semestre (2026-S1, 2026-S2) ou année (2026)",
    ),
]
MemberQuery = Annotated[
    str | None,
    Query(
        max_length=20,
        json_schema_extra={"pattern": r"^[0-9]{9}$"},  # declared; checked by the service
        description="SIREN de la CAE (équipe de la fédération seulement)",
    ),
]
REPORT_BODY_DESCRIPTION = (
    "Un document conforme au schéma indicator-report (voir /v1/schemas/indicator-report), "
    "en JSON UTF-8. Les montants ont au plus deux décimales ; les effectifs sont entiers."
)
REPORT_EXAMPLE = {
    "period": "2026-S1",
    "cells": [
        {"indicator": "entrepreneurs", "dims": {}, "value": 42},
        {"indicator": "entrepreneurs", "dims": {"contract": "cesa"}, "value": 30},
        {"indicator": "entrepreneurs", "dims": {"contract": "cape"}, "value": 12},
        {"indicator": "revenue_eur", "dims": {"trade": "43.21A"}, "value": 182450.5},
    ],
}
ReportWriter = Annotated[Principal, Depends(require_scope(Scope.REPORTS_WRITE))]


@router.get("", summary="Le catalogue des indicateurs")
def catalogue(_: CurrentPrincipal) -> Catalogue:
    return catalogue_service.describe()


@router.put(
    "/reports/{period}",
    summary="Déposer le rapport d'une période (remplace le précédent par une nouvelle révision)",
    responses=problem_responses(*BODY_ERRORS, 409),
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": REPORT_BODY_DESCRIPTION,
            "content": {
                "application/json": {
                    "schema": {"$ref": "#/components/schemas/IndicatorReport"},
                    "example": REPORT_EXAMPLE,
                }
            },
        }
    },
)
async def submit_report(
    settings: SettingsDep,
    request: Request,
    writer: ReportWriter,
    period: PeriodPath,
    response: Response,
    dry_run: Annotated[bool, Query(description="Tout vérifier sans rien enregistrer")] = False,
    idempotency_key: Annotated[str | None, Header(max_length=100)] = None,
    x_cae_hub_connector: ConnectorHeader = None,
    x_cae_hub_schema_version: SchemaVersionHeader = None,
) -> ImportSummary:
    # The caller is known before the body is read; the body is checked whole (schema,
    # consistency, hash) before any connection or write lock is taken.
    member = get_member(writer)
    body = await request.body()
    admission: Admission = request.app.state.admission
    days = settings.schema_deprecation_days
    async with admission.prepare.slot():
        prepared = await to_thread.run_sync(_prepare, period, body, x_cae_hub_schema_version, days)
    del body
    response.headers.update(deprecation_headers(prepared.acceptance))

    def store(session: Session) -> ImportSummary:
        return report_service.store(
            session,
            member,
            prepared,
            dry_run=dry_run,
            idempotency_key=idempotency_key,
            connector=x_cae_hub_connector,
            actor=writer.actor,
        )

    return await write_unit(request, store)


def _prepare(period: str, body: bytes, version: str | None, days: int) -> PreparedReport:
    with collector_paused():
        return report_service.prepare(
            period, decode_report(body), schema_version=version, deprecation_days=days
        )


def report_owner(
    principal: CurrentPrincipal, session: SessionDep, member: MemberQuery = None
) -> Member:
    """The member whose reports are asked for, if the caller may read them (404 otherwise)."""
    return report_service.visible_member(
        session, caller=principal.member, siren=member, staff=principal.staff is not None
    )


ReportOwner = Annotated[Member, Depends(report_owner)]
READ = [Depends(require_scope(Scope.REPORTS_READ))]


@router.get(
    "/reports",
    summary="Les rapports que le hub détient : révision en vigueur et empreinte par période",
    description=(
        "Une ligne par période, sans les cellules : de quoi vérifier à chaque synchronisation "
        "que le hub détient bien ce qu'il a accusé reçu (après une restauration, par exemple)."
    ),
    dependencies=READ,
    responses=problem_responses(404),
)
def held_reports(owner: ReportOwner, session: SessionDep) -> HeldReports:
    return report_service.held(session, owner)


@router.get(
    "/reports/{period}",
    summary="La révision en vigueur d'un rapport",
    dependencies=READ,
    responses=problem_responses(404),
)
def read_report(owner: ReportOwner, session: SessionDep, period: PeriodPath) -> ReportDocument:
    return report_service.read(session, owner, period)


@router.get(
    "/reports/{period}/revisions",
    summary="L'historique des révisions d'un rapport",
    dependencies=READ,
    responses=problem_responses(404),
)
def list_revisions(
    owner: ReportOwner, session: SessionDep, period: PeriodPath
) -> list[RevisionInfo]:
    return report_service.revisions(session, owner, period)


@router.get(
    "/reports/{period}/revisions/{revision}",
    summary="Une révision passée d'un rapport",
    dependencies=READ,
    responses=problem_responses(404),
)
def read_revision(
    owner: ReportOwner,
    session: SessionDep,
    period: PeriodPath,
    revision: Annotated[int, Path(ge=1, le=1_000_000)],
) -> ReportDocument:
    return report_service.read(session, owner, period, revision=revision)
