"""``/v1/delegations``: payroll mandates between CAEs, their keys and encrypted payloads."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import ValidationError
from sqlmodel import Session

from cae_contract.payroll import MONTH_PATTERN, Month
from cae_contract.problems import ErrorItem, field_message
from hub.db import SessionDep, write_unit
from hub.delegations.exchange import exchange_service
from hub.delegations.keys import key_service
from hub.delegations.schemas import (
    DataKeyIn,
    DataKeyInfo,
    KeyInfo,
    KeysIn,
    MandateInfo,
    MonthInfo,
    PayloadContent,
    PayloadIn,
    PayloadInfo,
)
from hub.delegations.service import ACTIVE, SUSPENDED, mandate_service
from hub.errors import API_ERRORS, BODY_ERRORS, ValidationFailed, problem_responses
from hub.members.auth import get_member, require_scope
from hub.members.models import Scope
from hub.members.service import Principal
from hub.schemas.uploads import decode_document

router = APIRouter(
    prefix="/v1/delegations",
    tags=["délégation de paie"],
    responses=problem_responses(*API_ERRORS, 401, 403, 404),
)

Writer = Annotated[Principal, Depends(require_scope(Scope.DELEGATIONS_WRITE))]
Reader = Annotated[Principal, Depends(require_scope(Scope.DELEGATIONS_READ))]
Uid = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$", description="Identifiant du mandat")]
PayloadUid = Annotated[str, Path(pattern=r"^[0-9a-f]{16}$", description="Identifiant du contenu")]
# The upload's body is checked before its mandate is looked up: its address is not refused first.
LooseUid = Annotated[str, Path(max_length=32, description="Identifiant du mandat")]
Number = Annotated[int, Path(ge=1, le=2_000_000_000)]
MandateBody = Annotated[
    dict[str, Any],
    Body(description="Le mandat, conforme au schéma payroll-mandate (voir /v1/schemas)"),
]


@router.post(
    "/mandates",
    status_code=201,
    summary="Proposer un mandat de délégation de la gestion sociale à une autre CAE",
    responses=problem_responses(*BODY_ERRORS),
)
def propose(writer: Writer, session: SessionDep, document: MandateBody) -> MandateInfo:
    return mandate_service.propose(session, get_member(writer), document, actor=writer.actor)


@router.get("/mandates", summary="Les mandats de la CAE, délégante ou délégataire")
def list_mandates(reader: Reader, session: SessionDep) -> list[MandateInfo]:
    return mandate_service.mandates_of(session, get_member(reader))


@router.get("/mandates/{uid}", summary="Un mandat et toutes ses versions")
def read_mandate(uid: Uid, reader: Reader, session: SessionDep) -> MandateInfo:
    member = get_member(reader)
    return mandate_service.describe(session, mandate_service.get(session, member, uid), member)


@router.get(
    "/mandates/{uid}/document.html",
    summary="Le mandat rédigé (HTML), avec sa version et son empreinte",
    response_class=HTMLResponse,
)
def mandate_document(
    uid: Uid,
    reader: Reader,
    session: SessionDep,
    version: Annotated[int | None, Query(ge=1, le=10_000)] = None,
) -> HTMLResponse:
    html = mandate_service.document_html(session, get_member(reader), uid, version)
    return HTMLResponse(html)


@router.post(
    "/mandates/{uid}/versions",
    status_code=201,
    summary="Proposer un avenant : une nouvelle version que l'autre CAE accepte",
    responses=problem_responses(*BODY_ERRORS, 409),
)
def amend(uid: Uid, writer: Writer, session: SessionDep, document: MandateBody) -> MandateInfo:
    return mandate_service.amend(session, get_member(writer), uid, document, actor=writer.actor)


@router.post(
    "/mandates/{uid}/versions/{version}/accept",
    summary="Accepter la version proposée par l'autre CAE",
    responses=problem_responses(409),
)
def accept(uid: Uid, version: Number, writer: Writer, session: SessionDep) -> MandateInfo:
    member = get_member(writer)
    return mandate_service.decide(session, member, uid, version, accept=True, actor=writer.actor)


@router.post(
    "/mandates/{uid}/versions/{version}/decline",
    summary="Refuser la version proposée par l'autre CAE",
    responses=problem_responses(409),
)
def decline(uid: Uid, version: Number, writer: Writer, session: SessionDep) -> MandateInfo:
    member = get_member(writer)
    return mandate_service.decide(session, member, uid, version, accept=False, actor=writer.actor)


@router.post(
    "/mandates/{uid}/suspend", summary="Suspendre le mandat", responses=problem_responses(409)
)
def suspend(uid: Uid, writer: Writer, session: SessionDep) -> MandateInfo:
    member = get_member(writer)
    return mandate_service.set_status(session, member, uid, SUSPENDED, actor=writer.actor)


@router.post(
    "/mandates/{uid}/resume",
    summary="Reprendre un mandat suspendu",
    responses=problem_responses(409),
)
def resume(uid: Uid, writer: Writer, session: SessionDep) -> MandateInfo:
    member = get_member(writer)
    return mandate_service.set_status(session, member, uid, ACTIVE, actor=writer.actor)


@router.post(
    "/mandates/{uid}/end",
    summary="Mettre fin au mandat",
    description=(
        "Les clés du mandat et les contenus chiffrés sont détruits dès que la délégante a "
        "récupéré ce que la délégataire lui a envoyé (ou tout de suite si le mandat prévoit "
        "la suppression) : plus rien de ce qui a transité n'est alors déchiffrable."
    ),
    responses=problem_responses(409),
)
def end(uid: Uid, writer: Writer, session: SessionDep) -> MandateInfo:
    return exchange_service.end(session, get_member(writer), uid, actor=writer.actor)


@router.get("/mandates/{uid}/keys", summary="Les clés publiques des deux CAE du mandat")
def mandate_keys(uid: Uid, reader: Reader, session: SessionDep) -> list[KeyInfo]:
    return key_service.of_mandate(session, get_member(reader), uid)


@router.put(
    "/mandates/{uid}/data-key",
    summary="Poser la clé du mandat, emballée pour chaque CAE",
    responses=problem_responses(*BODY_ERRORS, 409),
)
def put_data_key(uid: Uid, writer: Writer, session: SessionDep, given: DataKeyIn) -> DataKeyInfo:
    return exchange_service.put_data_key(
        session, get_member(writer), uid, given, actor=writer.actor
    )


@router.get("/mandates/{uid}/data-key", summary="La clé du mandat emballée pour la CAE")
def data_key(uid: Uid, reader: Reader, session: SessionDep) -> DataKeyInfo:
    return exchange_service.data_key(session, get_member(reader), uid)


@router.post(
    "/mandates/{uid}/payloads",
    status_code=201,
    summary="Déposer un contenu chiffré et signé (variables, bulletins, DSN…)",
    description=(
        "Le hub vérifie la signature de l'émetteur sur l'empreinte du contenu chiffré, sans "
        "jamais le déchiffrer, et refuse tout envoi hors d'un mandat en vigueur, de ses tâches "
        "et de ses dates."
    ),
    responses=problem_responses(*BODY_ERRORS, 409),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": PayloadIn.model_json_schema()}},
        }
    },
)
async def send_payload(uid: LooseUid, request: Request, writer: Writer) -> PayloadInfo:
    # The body is read here, after authentication, checked like every upload (UTF-8, no NUL,
    # named field), and may be as large as a report: the guard streams it (hub.guards).
    member = get_member(writer)
    document = decode_document(await request.body(), what="Le contenu")
    try:
        given = PayloadIn.model_validate(document)
    except ValidationError as error:
        items = [ErrorItem(_json_path(e["loc"]), field_message(dict(e))) for e in error.errors()]
        raise ValidationFailed("Le contenu déposé est mal formé.", errors=items) from None

    def store(session: Session) -> PayloadInfo:
        return exchange_service.send(session, member, uid, given, actor=writer.actor)

    return await write_unit(request, store)


def _json_path(loc: tuple[int | str, ...]) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc)


@router.get("/mandates/{uid}/payloads", summary="Les contenus du mandat (métadonnées seules)")
def list_payloads(
    uid: Uid,
    reader: Reader,
    session: SessionDep,
    month: Annotated[str | None, Query(pattern=MONTH_PATTERN)] = None,
    pending: Annotated[bool, Query(description="Seulement ceux à recevoir")] = False,
) -> list[PayloadInfo]:
    member = get_member(reader)
    return exchange_service.payloads_of(session, member, uid, month=month, pending=pending)


@router.get(
    "/mandates/{uid}/months/{month}",
    summary="Les tâches du mois : échéances et états",
)
def month_tasks(
    uid: Uid,
    month: Annotated[str, Path(pattern=MONTH_PATTERN, description="AAAA-MM")],
    reader: Reader,
    session: SessionDep,
) -> MonthInfo:
    tasks = exchange_service.month_tasks(session, get_member(reader), uid, Month.parse(month))
    return MonthInfo(mandate=uid, month=month, tasks=tasks)


@router.get("/payloads/{uid}", summary="Un contenu chiffré, pour le déchiffrer chez soi")
def fetch_payload(uid: PayloadUid, reader: Reader, session: SessionDep) -> PayloadContent:
    return exchange_service.fetch(session, get_member(reader), uid)


@router.post(
    "/payloads/{uid}/ack",
    summary="Accuser réception d'un contenu vérifié et déchiffré",
    responses=problem_responses(409),
)
def acknowledge(uid: PayloadUid, writer: Writer, session: SessionDep) -> PayloadInfo:
    return exchange_service.acknowledge(session, get_member(writer), uid, actor=writer.actor)


@router.put(
    "/keys",
    summary="Publier les clés publiques de la CAE (les précédentes sont remplacées)",
    responses=problem_responses(*BODY_ERRORS, 409),
)
def publish_keys(writer: Writer, session: SessionDep, keys: KeysIn) -> KeyInfo:
    return key_service.publish(session, get_member(writer), keys, actor=writer.actor)


@router.get("/keys", summary="Les clés publiques de la CAE, en vigueur et passées")
def own_keys(reader: Reader, session: SessionDep) -> list[KeyInfo]:
    return key_service.of_member(session, get_member(reader))


@router.post(
    "/keys/{key_id}/revoke",
    summary="Révoquer des clés (perdues ou compromises)",
)
def revoke_key(key_id: Number, writer: Writer, session: SessionDep) -> KeyInfo:
    return key_service.revoke(session, get_member(writer), key_id, actor=writer.actor)


__all__ = ["router"]
