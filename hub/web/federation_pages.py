"""Staff pages: completeness of a semester, the member CAEs, and publishing a semester."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from sqlmodel import Session

from cae_contract.catalogue import get_catalogue
from cae_contract.format import fr_period
from cae_contract.periods import Period
from cae_contract.problems import ErrorItem
from cae_contract.registry import get_registry
from hub.collation import french_key, french_sorted
from hub.db import SessionDep, app_settings
from hub.errors import ValidationFailed
from hub.indicators.service import report_service
from hub.members.models import Scope
from hub.members.service import member_service, member_user_service, token_service
from hub.stats.provisional import ProvisionalRequired, is_running, refusal_detail
from hub.stats.service import disclosure_rules, stats_service
from hub.web.auth import CheckedForm, PublisherPage, StaffPage
from hub.web.dashboard import dashboard_service, semester_window
from hub.web.rendering import PageRoute, redirect, render
from hub.web.service import WebUser

router = APIRouter(route_class=PageRoute)

PROVISIONAL_CHECKBOX = "Je confirme une publication provisoire : le semestre n'est pas terminé"
SirenPath = Annotated[str, Path(max_length=20)]
PeriodPath = Annotated[str, Path(max_length=20)]
MEMBER_HISTORY = 4
# What a token may do, in the words of the people who manage the member CAEs.
SCOPE_LABELS = {
    Scope.REPORTS_READ: "lire les rapports",
    Scope.REPORTS_WRITE: "envoyer les rapports",
    Scope.STATS_READ: "lire les statistiques",
    Scope.STATS_PUBLISH: "publier les statistiques",
    Scope.ADMIN: "administrer le hub",
}


@router.get("/completude")
def completeness(
    request: Request,
    user: StaffPage,
    session: SessionDep,
    periode: str | None = None,
    region: str = "",
) -> Response:
    offered = dashboard_service.periods(session, user.principal)
    period = dashboard_service.chosen_semester(periode, offered)
    regions = get_registry().code_list("code-region")
    if region and region not in regions:
        raise ValidationFailed(
            f"Région inconnue : « {region[:10]} ».",
            errors=[ErrorItem("query.region", "code INSEE de région attendu")],
        )
    result = stats_service.completeness(session, period_text=str(period), member=None)
    present = french_sorted(
        {r.region for r in result.rows}, key=lambda code: regions.get(code, code)
    )
    rows = [r for r in result.rows if not region or r.region == region]
    # Late members first, then in French order of their names.
    rows.sort(key=lambda r: (r.reported, r.received_at is not None, french_key(r.name)))
    return render(
        request,
        "completeness.html",
        user=user,
        title=f"Complétude — {fr_period(period)}",
        period=str(period),
        periods=offered,
        completeness=result,
        rows=rows,
        reported=sum(r.reported for r in rows),
        region=region,
        regions=[(code, regions.get(code, code)) for code in present],
        region_labels=regions,
    )


@router.get("/membres")
def members(request: Request, user: StaffPage, session: SessionDep) -> Response:
    listed = member_service.list(session, include_inactive=True)
    tokens = Counter(
        t.member_siren
        for t in token_service.list(session)
        if t.status == "active" and t.member_siren
    )
    return render(
        request,
        "members.html",
        user=user,
        title="CAE membres",
        members=listed,
        active_tokens=tokens,
        region_labels=get_registry().code_list("code-region"),
    )


@router.get("/membres/{siren}")
def member(request: Request, user: StaffPage, session: SessionDep, siren: SirenPath) -> Response:
    found = member_service.get_by_siren(session, siren)
    registry = get_registry()
    latest = dashboard_service.default_period(session, user.principal)
    periods = [str(p) for p in reversed(semester_window(latest, MEMBER_HISTORY))]
    assert found.id is not None
    reports = report_service.current_of_periods(session, found.id, periods)
    history = [(p, reports.get(p)) for p in periods]
    return render(
        request,
        "member.html",
        user=user,
        title=found.name,
        member=found,
        region_label=registry.code_list("code-region").get(found.region, found.region),
        trades=[(c, registry.code_list("code-trade").get(c, c)) for c in found.trades],
        departements=[
            (c, registry.code_list("code-departement").get(c, c)) for c in found.departements
        ],
        tokens=token_service.list(session, member_siren=found.siren),
        scope_labels=SCOPE_LABELS,
        accounts=member_user_service.list(session, member_siren=found.siren),
        history=history,
    )


def _publication_page(
    request: Request,
    user: WebUser,
    session: Session,
    period: Period,
    *,
    done: int | None = None,
    refusal: str | None = None,
) -> Response:
    state = stats_service.completeness(session, period_text=str(period), member=None)
    # A republication is protected with the earlier ones: staff see its cost first.
    secret = None
    if state.publication and any(r.revised_after_publication for r in state.rows):
        secret = stats_service.publication_preview(
            session, period_text=str(period), settings=app_settings(request)
        )
    return render(
        request,
        "publication.html",
        status_code=409 if refusal else 200,
        secret=secret,
        indicator_labels={i.code: i.label for i in get_catalogue().indicators.values()},
        user=user,
        title=f"Publier le {fr_period(period)}",
        period=str(period),
        period_end=period.end,
        # Not ended yet: publishing needs the provisional confirmation (hub.stats.provisional).
        running=is_running(period),
        refusal=refusal,
        provisional_checkbox=PROVISIONAL_CHECKBOX,
        completeness=state,
        included=[r for r in state.rows if r.reported],
        missing=[r for r in state.rows if not r.reported],
        rules=disclosure_rules(app_settings(request)),
        done=done,
    )


@router.get("/publication/{periode}")
def publication_form(
    request: Request,
    user: PublisherPage,
    session: SessionDep,
    periode: PeriodPath,
    publiee: int | None = None,
) -> Response:
    period = dashboard_service.parse_semester(periode, where="path.periode")
    return _publication_page(request, user, session, period, done=publiee)


@router.post("/publication/{periode}")
def publish(
    request: Request,
    user: PublisherPage,
    session: SessionDep,
    form: CheckedForm,
    periode: PeriodPath,
) -> Response:
    period = dashboard_service.parse_semester(periode, where="path.periode")
    staff = user.principal.staff
    assert staff is not None
    try:
        summary = stats_service.publish(
            session,
            period_text=str(period),
            staff=staff,
            settings=app_settings(request),
            provisional=form.get("provisoire") == "oui",
        )
    except ProvisionalRequired:
        detail = refusal_detail(period, confirm=f"cochez la case « {PROVISIONAL_CHECKBOX} »")
        return _publication_page(
            request, user, session, period, refusal=f"Rien n'a été publié. {detail}"
        )
    return redirect(f"/publication/{summary.period}?publiee={summary.number}")
