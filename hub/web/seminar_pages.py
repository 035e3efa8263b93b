"""Pages of the working groups and seminars: groups, seminars with their packs, roadmaps.

Staff manage groups and seminars and rebuild packs; a member CAE's account reads the
groups, the packs of its groups and of the plenary, and keeps its own roadmap.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from hub.db import SessionDep, app_settings
from hub.errors import NotFound
from hub.seminars.models import (
    AUDIENCE_NAMES,
    GROUP_NAMES,
    PAYROLL_SKILL,
    PLENARY,
    SKILLS,
    ItemKind,
    SeminarPack,
)
from hub.seminars.packs import pack_css, pack_service
from hub.seminars.roadmaps import GOAL_INDICATORS, roadmap_service
from hub.seminars.service import group_service, parse_group, seminar_service
from hub.seminars.skills import skill_service
from hub.web.auth import CheckedForm, MemberPage, PageUser, StaffPage
from hub.web.rendering import PAGE_HEADERS, PageRoute, redirect, render
from hub.web.service import WebUser

router = APIRouter(route_class=PageRoute)

SEMINARS_PATH = "/seminaires"
GROUPS_PATH = "/groupes"
ROADMAP_PATH = "/feuille-de-route"
SKILLS_PATH = "/competences"
SeminarPath = Annotated[int, Path(ge=1, le=2**31 - 1)]
AudiencePath = Annotated[str, Path(max_length=20)]


def _field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _audiences(session: SessionDep, user: WebUser) -> list[str]:
    """The packs a person may read: every one for staff; a CAE's groups and the plenary."""
    if user.is_staff:
        return list(AUDIENCE_NAMES)
    member = user.principal.member
    assert member is not None and member.id is not None
    return [*group_service.groups_of_member(session, member.id), PLENARY]


def _readable_pack(
    session: SessionDep, user: WebUser, seminar: int, audience: str, version: int | None
) -> SeminarPack:
    code = parse_group(audience, where="path.audience", plenary=True)
    if code not in _audiences(session, user):
        raise NotFound("Aucun pack à cette adresse.")
    return pack_service.pack(session, seminar, code, version)


@router.get(f"{SEMINARS_PATH}/pack.css")
def pack_stylesheet() -> Response:
    return Response(
        pack_css(),
        media_type="text/css; charset=utf-8",
        headers={"Cache-Control": "public, max-age=3600", "X-Content-Type-Options": "nosniff"},
    )


@router.get(SEMINARS_PATH)
def seminars(request: Request, user: PageUser, session: SessionDep) -> Response:
    readable = set(_audiences(session, user))
    listed = []
    for seminar in seminar_service.list(session):
        packs = [p for p in pack_service.packs(session, seminar.id) if p.audience in readable]
        listed.append((seminar, packs))
    return render(
        request,
        "seminars.html",
        user=user,
        title="Séminaires",
        seminars=listed,
        audiences=AUDIENCE_NAMES,
    )


@router.post(SEMINARS_PATH)
def create_seminar(user: StaffPage, session: SessionDep, form: CheckedForm) -> Response:
    seminar = seminar_service.create(
        session,
        period=_field(form, "semestre"),
        day=_field(form, "date"),
        place=_field(form, "lieu"),
    )
    return redirect(f"{SEMINARS_PATH}/{seminar.id}")


@router.get(SEMINARS_PATH + "/{seminaire}")
def seminar_page(
    request: Request, user: PageUser, session: SessionDep, seminaire: SeminarPath
) -> Response:
    view = seminar_service.view(session, seminaire)
    readable = set(_audiences(session, user))
    packs = [p for p in pack_service.packs(session, seminaire) if p.audience in readable]
    return render(
        request,
        "seminar.html",
        user=user,
        title=f"Séminaire du {view.seminar.day:%d/%m/%Y}",
        view=view,
        packs=packs,
        audiences={code: name for code, name in AUDIENCE_NAMES.items() if code in readable},
        all_audiences=AUDIENCE_NAMES,
        built=request.query_params.get("produit"),
    )


@router.post(SEMINARS_PATH + "/{seminaire}/points")
def add_item(
    user: StaffPage, session: SessionDep, form: CheckedForm, seminaire: SeminarPath
) -> Response:
    kind = ItemKind.QUESTION if _field(form, "nature") == "question" else ItemKind.AGENDA
    seminar_service.add_item(
        session, seminaire, audience=_field(form, "groupe"), kind=kind, text=_field(form, "texte")
    )
    return redirect(f"{SEMINARS_PATH}/{seminaire}")


@router.post(SEMINARS_PATH + "/{seminaire}/packs/{groupe}")
def rebuild_pack(
    request: Request,
    user: StaffPage,
    session: SessionDep,
    form: CheckedForm,
    seminaire: SeminarPath,
    groupe: AudiencePath,
) -> Response:
    pack = pack_service.build(
        session,
        app_settings(request),
        seminar_id=seminaire,
        audience=groupe,
        staff=user.principal.staff,
    )
    return redirect(f"{SEMINARS_PATH}/{seminaire}?produit={pack.audience}-{pack.version}")


@router.get(SEMINARS_PATH + "/{seminaire}/packs/{groupe}")
def pack_html(
    user: PageUser,
    session: SessionDep,
    seminaire: SeminarPath,
    groupe: AudiencePath,
    version: int | None = None,
) -> Response:
    pack = _readable_pack(session, user, seminaire, groupe, version)
    return Response(pack.html, media_type="text/html; charset=utf-8", headers=PAGE_HEADERS)


@router.get(SEMINARS_PATH + "/{seminaire}/packs/{groupe}/pdf")
def pack_pdf(
    user: PageUser,
    session: SessionDep,
    seminaire: SeminarPath,
    groupe: AudiencePath,
    version: int | None = None,
) -> Response:
    pack = _readable_pack(session, user, seminaire, groupe, version)
    name = f"seminaire-{seminaire}-{pack.audience}-v{pack.version}.pdf"
    return Response(
        pack.pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get(GROUPS_PATH)
def groups(request: Request, user: PageUser, session: SessionDep) -> Response:
    return render(
        request,
        "groups.html",
        user=user,
        title="Groupes de travail",
        groups=group_service.groups(session),
    )


@router.post(GROUPS_PATH + "/{groupe}/{action}")
def change_group(
    user: StaffPage,
    session: SessionDep,
    form: CheckedForm,
    groupe: AudiencePath,
    action: Annotated[str, Path(max_length=20)],
) -> Response:
    code = parse_group(groupe, where="path.groupe")
    if action == "cae":
        group_service.add_member(session, code, _field(form, "siren"))
    elif action == "retrait":
        group_service.remove_member(session, code, _field(form, "siren"))
    elif action == "contact":
        group_service.add_contact(session, code, _field(form, "compte"))
    elif action == "animation":
        group_service.set_facilitator(session, code, _field(form, "compte"))
    else:
        raise NotFound("Cette page n'existe pas.")
    return redirect(f"{GROUPS_PATH}#groupe-{code}")


@router.get(ROADMAP_PATH)
def roadmap(request: Request, user: PageUser, session: SessionDep) -> Response:
    member = user.principal.member
    return render(
        request,
        "roadmap.html",
        user=user,
        title="Feuilles de route",
        progress=roadmap_service.progress(session, member) if member else [],
        lines=roadmap_service.aggregates(session, app_settings(request)),
        indicators=GOAL_INDICATORS,
        settings=app_settings(request),
        groups=GROUP_NAMES,
    )


@router.post(ROADMAP_PATH)
def set_goal(user: MemberPage, session: SessionDep, form: CheckedForm) -> Response:
    member = user.principal.member
    assert member is not None
    roadmap_service.set_goal(
        session,
        member,
        indicator=_field(form, "indicateur"),
        target=_field(form, "cible"),
        day=_field(form, "echeance"),
        shared=_field(form, "partage") == "oui",
    )
    return redirect(ROADMAP_PATH)


@router.post(ROADMAP_PATH + "/supprimer")
def remove_goal(user: MemberPage, session: SessionDep, form: CheckedForm) -> Response:
    member = user.principal.member
    assert member is not None
    roadmap_service.remove_goal(session, member, _field(form, "indicateur"))
    return redirect(ROADMAP_PATH)


@router.get(SKILLS_PATH)
def skills(request: Request, user: PageUser, session: SessionDep) -> Response:
    member = user.principal.member
    return render(
        request,
        "skills.html",
        user=user,
        title="Registre des compétences",
        register=skill_service.register(session),
        suggestions=skill_service.suggestions(session, member=member),
        skills=SKILLS,
        payroll=PAYROLL_SKILL,
        departements=member.departements if member else [],
    )


@router.post(SKILLS_PATH)
def declare_skill(user: MemberPage, session: SessionDep, form: CheckedForm) -> Response:
    member = user.principal.member
    assert member is not None
    skill_service.declare(
        session,
        member,
        skill=_field(form, "competence"),
        direction=_field(form, "sens"),
        days_per_month=_field(form, "jours_par_mois"),
        departement=_field(form, "departement"),
    )
    return redirect(SKILLS_PATH)


@router.post(SKILLS_PATH + "/retrait")
def withdraw_skill(user: MemberPage, session: SessionDep, form: CheckedForm) -> Response:
    member = user.principal.member
    assert member is not None
    skill_service.withdraw(
        session, member, skill=_field(form, "competence"), direction=_field(form, "sens")
    )
    return redirect(SKILLS_PATH)


@router.post(SKILLS_PATH + "/mise-en-relation")
def link_skill(user: MemberPage, session: SessionDep, form: CheckedForm) -> Response:
    member = user.principal.member
    assert member is not None
    skill_service.link(
        session,
        member,
        skill=_field(form, "competence"),
        offer_siren=_field(form, "offre"),
        mandate_ref=_field(form, "mandat"),
    )
    return redirect(SKILLS_PATH)
