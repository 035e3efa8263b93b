"""Pages of the training pool: the network's offer (search), the seat requests a CAE made and
those it received on its own offers, and the pooling activity per semester for staff (with its
CSV and XLSX exports)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from cae_contract.periods import Period, today
from cae_contract.registry import get_registry
from hub.db import SessionDep, app_settings
from hub.errors import ValidationFailed
from hub.trainings.activity import COLUMNS, DIMENSIONS, activity_service
from hub.trainings.pooling import STATUS_LABELS, fr_lheo_day, pooling_service
from hub.trainings.schemas import SeatRequestInfo
from hub.trainings.service import offer_service
from hub.web.auth import MemberPage, PageUser, StaffPage
from hub.web.rendering import PageRoute, render

router = APIRouter(route_class=PageRoute)

MODALITIES = {0: "présentiel", 1: "mixte", 2: "à distance"}
SEARCH_PAGE_SIZE = 50


def _codes(code_list: str) -> list[tuple[str, str]]:
    annotations = get_registry().code_annotations(code_list)
    return sorted(
        ((code, str(info.get("title", code))) for code, info in annotations.items()),
        key=lambda pair: pair[1],
    )


def _blank(value: str | None) -> str | None:
    return value.strip() or None if value is not None else None


@router.get("/formations")
def offer_search(
    request: Request,
    user: PageUser,
    session: SessionDep,
    q: Annotated[str | None, Query(max_length=200)] = None,
    metier: Annotated[str | None, Query(max_length=10)] = None,
    region: Annotated[str | None, Query(max_length=2)] = None,
    modalite: Annotated[str | None, Query(max_length=1)] = None,
) -> Response:
    mode = _blank(modalite)
    if mode is not None and mode not in {"0", "1", "2"}:
        raise ValidationFailed("Modalité inconnue : 0 présentiel, 1 mixte, 2 à distance.")
    found = offer_service.browse(
        session,
        caller=user.principal.member,
        staff=user.principal.staff is not None,
        q=_blank(q),
        trade=_blank(metier),
        region=_blank(region),
        modality=int(mode) if mode is not None else None,
        per_page=SEARCH_PAGE_SIZE,
    )
    return render(
        request,
        "trainings.html",
        user=user,
        title="Formations du réseau",
        found=found,
        chosen={"q": q or "", "metier": metier or "", "region": region or "", "modalite": mode},
        trades=_codes("code-trade"),
        regions=_codes("code-region"),
        modalities=MODALITIES,
        day=fr_lheo_day,
    )


def _requests(
    request: Request, user: MemberPage, session: SessionDep, direction: str
) -> list[SeatRequestInfo]:
    assert user.principal.member is not None
    return pooling_service.listing(
        session, user.principal.member, settings=app_settings(request), direction=direction
    ).items


@router.get("/formations/demandes")
def requests_made(request: Request, user: MemberPage, session: SessionDep) -> Response:
    return render(
        request,
        "seat_requests.html",
        user=user,
        title="Mes demandes de places",
        made=True,
        requests=_requests(request, user, session, "faites"),
        offers=[],
        statuses={s.value: label for s, label in STATUS_LABELS.items()},
        day=fr_lheo_day,
    )


@router.get("/formations/demandes-recues")
def requests_received(request: Request, user: MemberPage, session: SessionDep) -> Response:
    own = offer_service.browse(
        session, caller=user.principal.member, staff=False, per_page=100
    ).items
    return render(
        request,
        "seat_requests.html",
        user=user,
        title="Mes offres et les demandes reçues",
        made=False,
        requests=_requests(request, user, session, "recues"),
        offers=[o for o in own if o.own and o.offered],
        statuses={s.value: label for s, label in STATUS_LABELS.items()},
        day=fr_lheo_day,
    )


@router.get("/mutualisation")
def pooling_activity(
    request: Request,
    user: StaffPage,
    session: SessionDep,
    periode: Annotated[str | None, Query(max_length=10)] = None,
    format: Annotated[str | None, Query(max_length=4)] = None,
) -> Response:
    current = Period.semester_of(today())
    try:
        period = Period.parse(periode) if periode else current
    except ValueError:
        raise ValidationFailed(f"Semestre inconnu : « {periode} » (ex. 2027-S1).") from None
    if not period.is_semester:
        raise ValidationFailed(f"Semestre attendu (ex. 2027-S1), pas « {periode} ».")
    activity = activity_service.semester(session, period)
    if format in ("csv", "xlsx"):
        content = (
            activity_service.csv_bytes(activity)
            if format == "csv"
            else activity_service.xlsx_bytes(activity)
        )
        media = (
            "text/csv; charset=utf-8"
            if format == "csv"
            else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        return Response(
            content,
            media_type=media,
            headers={
                "Content-Disposition": f'attachment; filename="mutualisation-{period}.{format}"',
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )
    if format is not None:
        raise ValidationFailed(f"Format d'export inconnu : « {format} » (csv ou xlsx).")
    semesters = [current.following(), current]
    for _ in range(6):
        semesters.append(semesters[-1].previous())
    return render(
        request,
        "pooling_activity.html",
        user=user,
        title=f"Mutualisation des formations — {period}",
        activity=activity,
        period=period,
        semesters=semesters,
        columns=COLUMNS,
        dimensions=DIMENSIONS,
    )
