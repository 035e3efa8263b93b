"""``/v1/trainings``: catalogues sent by member CAEs, the network's offer, the LHÉO export."""

from __future__ import annotations

from typing import Annotated, Literal

from anyio import to_thread
from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from sqlmodel import Session

from hub.admission import Admission
from hub.db import SessionDep, SettingsDep, write_unit
from hub.errors import API_ERRORS, BODY_ERRORS, problem_responses
from hub.members.auth import get_member, require_scope
from hub.members.models import Scope
from hub.members.service import Principal
from hub.schemas.uploads import ConnectorHeader, SchemaVersionHeader, deprecation_headers
from hub.trainings.models import SeatRequestStatus
from hub.trainings.pooling import pooling_service
from hub.trainings.schemas import (
    CatalogueRevisionInfo,
    CatalogueSummary,
    HeldCatalogues,
    SeatDecision,
    SeatRequestCreate,
    SeatRequestInfo,
    SeatRequestList,
    SessionPage,
)
from hub.trainings.service import (
    MAX_PER_PAGE,
    PreparedCatalogue,
    catalogue_service,
    decode_catalogue,
    offer_service,
    parse_day,
)

router = APIRouter(
    prefix="/v1/trainings",
    tags=["formations"],
    responses=problem_responses(*API_ERRORS, 401, 403),
)

DAY = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
CatalogueWriter = Annotated[Principal, Depends(require_scope(Scope.TRAININGS_WRITE))]
OfferReader = Annotated[Principal, Depends(require_scope(Scope.TRAININGS_READ))]
CATALOGUE_BODY_DESCRIPTION = (
    "Le catalogue entier de la CAE, conforme au schéma training-catalogue (voir "
    "/v1/schemas/training-catalogue), en JSON UTF-8. Une session absente est retirée."
)


@router.put(
    "/catalogue",
    summary="Déposer le catalogue de formations de la CAE (remplace le précédent)",
    description=(
        "Le catalogue est gardé comme une nouvelle révision ; la réponse dit quelles sessions "
        "sont nouvelles, modifiées ou retirées. Le même contenu renvoyé ne change rien."
    ),
    responses=problem_responses(*BODY_ERRORS, 409),
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": CATALOGUE_BODY_DESCRIPTION,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/TrainingCatalogue"}}
            },
        }
    },
)
async def submit_catalogue(
    request: Request,
    settings: SettingsDep,
    writer: CatalogueWriter,
    response: Response,
    dry_run: Annotated[bool, Query(description="Tout vérifier sans rien enregistrer")] = False,
    idempotency_key: Annotated[str | None, Header(max_length=100)] = None,
    x_cae_hub_connector: ConnectorHeader = None,
    x_cae_hub_schema_version: SchemaVersionHeader = None,
) -> CatalogueSummary:
    member = get_member(writer)
    body = await request.body()
    admission: Admission = request.app.state.admission
    days = settings.schema_deprecation_days
    async with admission.prepare.slot():
        prepared = await to_thread.run_sync(_prepare, body, x_cae_hub_schema_version, days)
    del body
    response.headers.update(deprecation_headers(prepared.acceptance))

    def store(session: Session) -> CatalogueSummary:
        return catalogue_service.store(
            session,
            member,
            prepared,
            dry_run=dry_run,
            idempotency_key=idempotency_key,
            connector=x_cae_hub_connector,
            actor=writer.actor,
            settings=settings,
        )

    return await write_unit(request, store)


@router.get(
    "/catalogue",
    summary="Le catalogue de la CAE en vigueur dans le hub",
    description="La révision en vigueur, son empreinte et le catalogue tel que le hub le garde.",
    responses=problem_responses(404),
)
def read_catalogue(reader: OfferReader, session: SessionDep) -> CatalogueRevisionInfo:
    return catalogue_service.read(session, get_member(reader))


@router.get(
    "/catalogue/held",
    summary="Le catalogue que le hub détient : révision en vigueur et empreinte",
    description=(
        "Sans le contenu : de quoi vérifier à chaque synchronisation que le hub détient bien "
        "le catalogue qu'il a accusé reçu (après une restauration, par exemple). Liste vide "
        "avant le premier catalogue."
    ),
)
def held_catalogue(reader: OfferReader, session: SessionDep) -> HeldCatalogues:
    return catalogue_service.held(session, get_member(reader))


def _prepare(body: bytes, version: str | None, days: int) -> PreparedCatalogue:
    return catalogue_service.prepare(
        decode_catalogue(body), schema_version=version, deprecation_days=days
    )


@router.get(
    "/sessions",
    summary="Chercher dans l'offre de formation du réseau",
    description=(
        "Une CAE voit ses propres sessions et celles que les autres CAE offrent au réseau "
        "(au moins une place offerte) ; l'équipe de la fédération voit toutes les sessions. "
        "Les sessions retirées ne paraissent que sur demande (retirees=true), et pour une CAE "
        "seulement les siennes."
    ),
)
def browse_sessions(
    reader: OfferReader,
    session: SessionDep,
    q: Annotated[
        str | None, Query(max_length=200, description="Mots de l'intitulé, de l'objectif…")
    ] = None,
    metier: Annotated[str | None, Query(max_length=10, description="Code NAF : 43.91A")] = None,
    formacode: Annotated[str | None, Query(pattern=r"^[0-9]{5}$")] = None,
    departement: Annotated[str | None, Query(max_length=3)] = None,
    region: Annotated[str | None, Query(max_length=2)] = None,
    modalite: Annotated[
        int | None, Query(ge=0, le=2, description="0 présentiel, 1 mixte, 2 à distance")
    ] = None,
    debut_min: Annotated[
        str | None, Query(pattern=DAY, description="Commençant ce jour (AAAA-MM-JJ) ou après")
    ] = None,
    debut_max: Annotated[
        str | None, Query(pattern=DAY, description="Commençant ce jour (AAAA-MM-JJ) ou avant")
    ] = None,
    places_min: Annotated[
        int | None, Query(ge=1, le=1000, description="Au moins autant de places restantes")
    ] = None,
    retirees: Annotated[bool, Query(description="Inclure les sessions retirées")] = False,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    par_page: Annotated[int, Query(ge=1, le=MAX_PER_PAGE)] = 20,
) -> SessionPage:
    return offer_service.browse(
        session,
        caller=reader.member,
        staff=reader.staff is not None,
        q=q,
        trade=metier,
        formacode=formacode,
        departement=departement,
        region=region,
        modality=modalite,
        start_from=parse_day(debut_min, "query.debut_min"),
        start_to=parse_day(debut_max, "query.debut_max"),
        seats_min=places_min,
        include_withdrawn=retirees,
        page=page,
        per_page=par_page,
    )


@router.get(
    "/export.lheo.xml",
    summary="L'offre mutualisée du réseau au format LHÉO 2.3",
    description=(
        "Toutes les sessions offertes au réseau, dans un fichier LHÉO 2.3 conforme au schéma "
        "XSD officiel ; l'extension de mutualisation est dans les <extras>."
    ),
    response_class=Response,
    responses={
        200: {"content": {"application/xml": {}}, "description": "Fichier LHÉO 2.3"},
        **problem_responses(404),
    },
)
def export_lheo(_: OfferReader, session: SessionDep) -> Response:
    return Response(
        offer_service.export_lheo(session),
        media_type="application/xml",
        headers={"Content-Disposition": 'attachment; filename="catalogue-reseau.lheo.xml"'},
    )


SessionId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Identifiant de la session")]
RequestId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Identifiant de la demande")]


@router.post(
    "/sessions/{session_id}/requests",
    status_code=201,
    summary="Demander des places sur une session offerte au réseau",
    description=(
        "Un nombre de places et la référence interne de la CAE, jamais le nom d'un stagiaire. "
        "La CAE qui offre la session est prévenue par e-mail ; la réponse porte le reçu signé. "
        "Avec Idempotency-Key, une demande renvoyée n'est enregistrée qu'une fois."
    ),
    responses=problem_responses(*BODY_ERRORS, 404, 409),
)
def request_seats(
    session_id: SessionId,
    body: SeatRequestCreate,
    writer: CatalogueWriter,
    session: SessionDep,
    settings: SettingsDep,
    idempotency_key: Annotated[str | None, Header(max_length=100)] = None,
) -> SeatRequestInfo:
    return pooling_service.request_seats(
        session,
        get_member(writer),
        session_id,
        body,
        settings=settings,
        idempotency_key=idempotency_key,
        actor=writer.actor,
    )


@router.get(
    "/requests",
    summary="Les demandes de places de la CAE : faites et reçues",
    description="Les plus récentes d'abord ; sens=faites ou sens=recues pour un seul côté.",
)
def list_requests(
    reader: OfferReader,
    session: SessionDep,
    settings: SettingsDep,
    sens: Annotated[
        Literal["faites", "recues"] | None,
        Query(description="faites ou recues ; absent : les deux"),
    ] = None,
    statut: Annotated[SeatRequestStatus | None, Query(description="Un seul statut")] = None,
) -> SeatRequestList:
    return pooling_service.listing(
        session,
        get_member(reader),
        settings=settings,
        direction=sens,
        status=statut.value if statut is not None else None,
    )


@router.get(
    "/requests/{request_id}",
    summary="Une demande de places, avec la session et l'estimation OPCO",
    responses=problem_responses(404),
)
def read_request(
    request_id: RequestId, reader: OfferReader, session: SessionDep, settings: SettingsDep
) -> SeatRequestInfo:
    return pooling_service.read(session, get_member(reader), request_id, settings=settings)


@router.post(
    "/requests/{request_id}/decision",
    summary="Répondre à une demande de places (CAE qui offre la session)",
    description=(
        "acceptee (places : acceptation partielle, au plus les places demandées), refusee ou "
        "liste_attente. Les places accordées ne dépassent jamais les places offertes. La CAE "
        "demandeuse est prévenue par e-mail ; la réponse porte le reçu signé."
    ),
    responses=problem_responses(*BODY_ERRORS, 404, 409),
)
def decide_request(
    request_id: RequestId,
    body: SeatDecision,
    writer: CatalogueWriter,
    session: SessionDep,
    settings: SettingsDep,
) -> SeatRequestInfo:
    return pooling_service.decide(
        session, get_member(writer), request_id, body, settings=settings, actor=writer.actor
    )


__all__ = ["router"]
