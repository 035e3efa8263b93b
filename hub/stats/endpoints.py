"""``/v1/stats``: protected tables, series, completeness, previews and publication."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Any, Literal, cast

from fastapi import APIRouter, Depends, Header, Path, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from cae_contract.catalogue import DERIVED_DIMENSION_LISTS, DIMENSIONS, get_catalogue
from cae_contract.periods import PERIOD_PATTERN
from hub.db import SessionDep, SettingsDep, read_unit
from hub.errors import API_ERRORS, problem_responses
from hub.members.auth import CurrentMember, CurrentPrincipal, StaffOnly, require_scope
from hub.members.models import Scope
from hub.stats.answers import published_answers
from hub.stats.exports import MEDIA_TYPES, export_table
from hub.stats.schemas import (
    Completeness,
    Preview,
    PublicationPreview,
    PublicationSummary,
    Series,
    StatsTable,
)
from hub.stats.service import stats_service

router = APIRouter(
    prefix="/v1/stats",
    tags=["statistiques"],
    responses=problem_responses(*API_ERRORS, 401, 403, 404),
    dependencies=[Depends(require_scope(Scope.STATS_READ))],
)


def _indicator_codes(schema: dict[str, Any]) -> None:
    """The catalogue's codes, read when the document is built (the service checks them)."""
    schema["enum"] = sorted(get_catalogue().indicators)


def _reported_codes(schema: dict[str, Any]) -> None:
    schema["enum"] = sorted(i.code for i in get_catalogue().reported())


_DIMENSION = "(" + "|".join([*DIMENSIONS, *DERIVED_DIMENSION_LISTS]) + ")"
# Declared for the document only: the service checks these itself, in French.
PERIOD = {"pattern": PERIOD_PATTERN}
IndicatorQuery = Annotated[
    str,
    Query(
        max_length=40,
        description="Code de l'indicateur (voir /v1/indicators)",
        json_schema_extra=cast(dict[str, Any], _indicator_codes),
    ),
]
ReportedQuery = Annotated[
    str,
    Query(
        max_length=40,
        description="Code d'un indicateur que les CAE déclarent (voir /v1/indicators)",
        json_schema_extra=cast(dict[str, Any], _reported_codes),
    ),
]
PeriodQuery = Annotated[
    str, Query(max_length=20, description="2026-S1, 2026-S2 ou 2026", json_schema_extra=PERIOD)
]
ByQuery = Annotated[
    str | None,
    Query(
        max_length=60,
        description="Une ou deux dimensions, parmi celles de l'indicateur : trade,sex",
        json_schema_extra={"pattern": f"^{_DIMENSION}(,{_DIMENSION})?$"},
    ),
]
KeepEarlier = Annotated[
    bool,
    Query(
        description="Republication : une cellule qu'il faudrait masquer mais qu'une "
        "publication antérieure montrait garde sa valeur antérieure (signalée)"
    ),
]
ProvisionalQuery = Annotated[
    bool,
    Query(
        description="Confirme la publication provisoire d'une période non terminée (refusée "
        "sans) : ses chiffres, partiels, sont signalés « provisoire » partout où ils paraissent"
    ),
]
IfNoneMatch = Annotated[
    str | None,
    Header(max_length=1000, description="ETag d'une réponse déjà reçue : 304 si inchangée"),
]
DraftQuery = Annotated[
    bool, Query(description="Chiffres provisoires, non publiés (équipe seulement)")
]


_BINARY = {"schema": {"type": "string", "format": "binary"}}
_FORMATS = (
    "json (défaut) ; csv : UTF-8 avec BOM, virgule, point décimal, une ligne par cellule ; "
    "xlsx : classeur Excel avec source, publication et règles de diffusion ; datapackage : "
    "archive zip Frictionless (datapackage.json, CSV, Table Schema). Une cellule masquée n'a "
    "jamais de valeur, seulement son statut (secret primaire ou secondaire) et son motif."
)


@router.get(
    "",
    summary="Un tableau protégé (cellules, marges, motifs de masquage)",
    response_model=StatsTable,
    responses={
        200: {
            "description": "Le tableau, en JSON ou dans le format demandé (pièce jointe)",
            "content": {
                MEDIA_TYPES["csv"]: {"schema": {"type": "string"}},
                MEDIA_TYPES["xlsx"]: _BINARY,
                MEDIA_TYPES["datapackage"]: _BINARY,
            },
        },
        304: {"description": "Inchangé depuis l'ETag envoyé (If-None-Match)"},
    },
)
async def table(
    request: Request,
    settings: SettingsDep,
    principal: CurrentPrincipal,
    indicator: IndicatorQuery,
    period: PeriodQuery,
    by: ByQuery = None,
    draft: DraftQuery = False,
    format: Annotated[
        Literal["json", "csv", "xlsx", "datapackage"], Query(description=_FORMATS)
    ] = "json",
    if_none_match: IfNoneMatch = None,
) -> StatsTable | Response:
    if format == "json" and not draft:
        answer = await published_answers.answer(
            partial(read_unit, request),
            indicator=indicator,
            period_text=period,
            by_text=by,
            settings=settings,
        )
        if answer is not None:
            headers = {"ETag": answer.etag, "Cache-Control": "private, no-cache"}
            if answer.matches(if_none_match):
                return Response(status_code=304, headers=headers)
            return Response(answer.body, media_type="application/json", headers=headers)

    def read(session: Session) -> StatsTable | Response:
        result = stats_service.table(
            session,
            indicator_code=indicator,
            period_text=period,
            by_text=by,
            draft=draft,
            staff=principal.staff is not None,
            settings=settings,
        )
        if format == "json":
            return result
        export = export_table(result, format)
        return Response(
            export.content,
            media_type=export.media_type,
            headers={"Content-Disposition": export.content_disposition},
        )

    return await read_unit(request, read)


@router.get("/series", summary="Un indicateur au fil des périodes publiées")
def series(
    settings: SettingsDep,
    principal: CurrentPrincipal,
    session: SessionDep,
    indicator: IndicatorQuery,
    first: Annotated[str, Query(alias="from", max_length=20, json_schema_extra=PERIOD)],
    last: Annotated[str, Query(alias="to", max_length=20, json_schema_extra=PERIOD)],
    by: ByQuery = None,
    draft: DraftQuery = False,
) -> Series:
    return stats_service.series(
        session,
        indicator_code=indicator,
        by_text=by,
        first=first,
        last=last,
        draft=draft,
        staff=principal.staff is not None,
        settings=settings,
    )


@router.get(
    "/completeness",
    summary="Qui a envoyé quoi, quand, avec quel connecteur (une CAE ne voit que sa ligne)",
)
def completeness(
    principal: CurrentPrincipal, session: SessionDep, period: PeriodQuery
) -> Completeness:
    return stats_service.completeness(session, period_text=period, member=principal.member)


@router.get("/preview", summary="Ce que la fédération verra de vos chiffres (CAE membres)")
def preview(
    settings: SettingsDep,
    member: CurrentMember,
    session: SessionDep,
    indicator: ReportedQuery,
    period: PeriodQuery,
    by: ByQuery = None,
) -> Preview:
    return stats_service.preview(
        session,
        member=member,
        indicator_code=indicator,
        period_text=period,
        by_text=by,
        settings=settings,
    )


@router.post(
    "/publications/{period}",
    status_code=201,
    summary="Publier (figer) les statistiques d'une période",
    dependencies=[Depends(require_scope(Scope.STATS_PUBLISH))],
    responses=problem_responses(409),
)
def publish(
    settings: SettingsDep,
    staff: StaffOnly,
    session: SessionDep,
    period: Annotated[str, Path(max_length=20, json_schema_extra=PERIOD)],
    keep_earlier: KeepEarlier = True,
    provisional: ProvisionalQuery = False,
) -> PublicationSummary:
    return stats_service.publish(
        session,
        period_text=period,
        staff=staff,
        settings=settings,
        keep_earlier=keep_earlier,
        provisional=provisional,
    )


@router.get(
    "/publications/{period}/preview",
    summary="Avant de publier : ce que le secret statistique masquerait, et ce que coûtent "
    "les publications antérieures de la période",
    dependencies=[Depends(require_scope(Scope.STATS_PUBLISH))],
)
def publication_preview(
    settings: SettingsDep,
    staff: StaffOnly,
    session: SessionDep,
    period: Annotated[str, Path(max_length=20, json_schema_extra=PERIOD)],
    keep_earlier: KeepEarlier = True,
) -> PublicationPreview:
    return stats_service.publication_preview(
        session,
        period_text=period,
        settings=settings,
        keep_earlier=keep_earlier,
    )
