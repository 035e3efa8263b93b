"""HTTP endpoints of the members domain: ``/v1/me`` and the admin API."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, status

from hub.audit.service import Actor
from hub.db import SessionDep
from hub.errors import API_ERRORS, BODY_ERRORS, problem_responses
from hub.members.auth import AdminOnly, CurrentPrincipal
from hub.members.models import StaffAccount
from hub.members.schemas import (
    MemberCreate,
    MemberPublic,
    MemberUpdate,
    MePublic,
    StaffCreate,
    StaffCreated,
    StaffPublic,
    TokenIssue,
    TokenIssued,
    TokenPublic,
)
from hub.members.service import member_service, staff_service, token_service

SIREN = {"pattern": r"^[0-9]{9}$"}  # declared only: the service answers in French
SirenPath = Annotated[
    str,
    Path(max_length=20, description="SIREN de la CAE (9 chiffres)", json_schema_extra=SIREN),
]


def _actor(admin: StaffAccount) -> Actor:
    return Actor("staff", admin.id)


router = APIRouter(prefix="/v1", responses=problem_responses(*API_ERRORS, 401, 403))
admin = APIRouter(prefix="/admin", tags=["administration"])


@router.get("/me", tags=["compte"], summary="Le membre ou le compte derrière le jeton")
def me(principal: CurrentPrincipal, session: SessionDep) -> MePublic:
    token = token_service.describe(session, [principal.token])[0]
    return MePublic(
        kind="member" if principal.member is not None else "staff",
        role=principal.role,
        scopes=sorted(principal.scopes),
        token=token,
        member=MemberPublic.model_validate(principal.member) if principal.member else None,
        staff=StaffPublic.model_validate(principal.staff) if principal.staff else None,
    )


@admin.get("/members", summary="Lister les CAE membres")
def list_members(
    _: AdminOnly, session: SessionDep, include_inactive: bool = False
) -> list[MemberPublic]:
    members = member_service.list(session, include_inactive=include_inactive)
    return [MemberPublic.model_validate(m) for m in members]


@admin.post(
    "/members",
    status_code=status.HTTP_201_CREATED,
    summary="Enregistrer une CAE membre",
    responses=problem_responses(409, *BODY_ERRORS),
)
def create_member(admin: AdminOnly, session: SessionDep, data: MemberCreate) -> MemberPublic:
    member = member_service.create(session, data, actor=_actor(admin))
    return MemberPublic.model_validate(member)


@admin.get("/members/{siren}", summary="Lire une CAE membre", responses=problem_responses(404))
def get_member(_: AdminOnly, session: SessionDep, siren: SirenPath) -> MemberPublic:
    return MemberPublic.model_validate(member_service.get_by_siren(session, siren))


@admin.patch(
    "/members/{siren}",
    summary="Modifier une CAE membre",
    responses=problem_responses(404, *BODY_ERRORS),
)
def update_member(
    admin: AdminOnly, session: SessionDep, siren: SirenPath, data: MemberUpdate
) -> MemberPublic:
    member = member_service.update(session, siren, data, actor=_actor(admin))
    return MemberPublic.model_validate(member)


@admin.post(
    "/members/{siren}/deactivate",
    summary="Désactiver une CAE membre",
    responses=problem_responses(404),
)
def deactivate_member(admin: AdminOnly, session: SessionDep, siren: SirenPath) -> MemberPublic:
    member = member_service.deactivate(session, siren, actor=_actor(admin))
    return MemberPublic.model_validate(member)


@admin.get("/staff", summary="Lister les comptes de l'équipe")
def list_staff(_: AdminOnly, session: SessionDep) -> list[StaffPublic]:
    return [StaffPublic.model_validate(s) for s in staff_service.list(session)]


@admin.post(
    "/staff",
    status_code=status.HTTP_201_CREATED,
    summary="Créer un compte d'équipe",
    responses=problem_responses(409, *BODY_ERRORS),
)
def create_staff(admin: AdminOnly, session: SessionDep, data: StaffCreate) -> StaffCreated:
    account, drawn = staff_service.create(session, data, actor=_actor(admin))
    return StaffCreated(**StaffPublic.model_validate(account).model_dump(), password=drawn)


@admin.get(
    "/tokens", summary="Lister les jetons (jamais leur secret)", responses=problem_responses(404)
)
def list_tokens(
    _: AdminOnly,
    session: SessionDep,
    member_siren: Annotated[str | None, Query(max_length=9, json_schema_extra=SIREN)] = None,
    staff_email: Annotated[
        str | None, Query(max_length=254, json_schema_extra={"format": "email"})
    ] = None,
) -> list[TokenPublic]:
    return list(token_service.list(session, member_siren=member_siren, staff_email=staff_email))


@admin.post(
    "/tokens",
    status_code=status.HTTP_201_CREATED,
    summary="Émettre un jeton (son secret n'est montré qu'une fois)",
    responses=problem_responses(404, *BODY_ERRORS),
)
def issue_token(admin: AdminOnly, session: SessionDep, data: TokenIssue) -> TokenIssued:
    token, secret = token_service.issue(session, data, actor=_actor(admin))
    public = token_service.describe(session, [token])[0]
    return TokenIssued(**public.model_dump(), token=secret)


@admin.post(
    "/tokens/{token_id}/revoke", summary="Révoquer un jeton", responses=problem_responses(404)
)
def revoke_token(
    admin: AdminOnly, session: SessionDep, token_id: Annotated[int, Path(ge=1, le=2**31 - 1)]
) -> TokenPublic:
    token = token_service.revoke(session, token_id, actor=_actor(admin))
    return token_service.describe(session, [token])[0]


router.include_router(admin)
