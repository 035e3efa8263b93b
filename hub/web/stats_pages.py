"""Pages of the figures: the overview of a semester, the statistics explorer and its exports,
and a member's preview of what the federation will see."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from cae_contract.catalogue import DERIVED_DIMENSION_LISTS, DIMENSIONS
from cae_contract.format import fr_period
from cae_contract.periods import Period
from hub.db import SessionDep, app_settings
from hub.errors import HubError
from hub.stats.exports import export_table
from hub.stats.schemas import StatsTable
from hub.stats.service import stats_service
from hub.web.auth import MemberPage, PageUser
from hub.web.dashboard import catalogue_choices, dashboard_service
from hub.web.evolution import evolution_points
from hub.web.overview import overview_service
from hub.web.rendering import PageRoute, page_status, render
from hub.web.service import WebUser
from hub.web.tables import dimension_phrase, dimension_title, preview_rows, table_view
from hub.web.visuals import figure_cards, table_chart, trend_chart, trend_table

router = APIRouter(route_class=PageRoute)

ParQuery = Annotated[list[str] | None, Query(max_length=40)]


@dataclass(frozen=True)
class TableQuery:
    """What the explorer, its exports and the preview are asked for, as typed in the address."""

    indicateur: str
    periode: str | None
    par: list[str]


def table_query(
    indicateur: str = "entrepreneurs", periode: str | None = None, par: ParQuery = None
) -> TableQuery:
    return TableQuery(indicateur, periode, [p.strip() for p in (par or []) if p and p.strip()])


TableQueryDep = Annotated[TableQuery, Depends(table_query)]


def _table(
    request: Request,
    user: WebUser,
    session: Session,
    indicator: str,
    period: Period,
    by: Sequence[str],
) -> StatsTable:
    """The table of one semester, the same for the explorer's page and for its exports."""
    return dashboard_service.table(
        session,
        user.principal,
        app_settings(request),
        indicator=indicator,
        period=str(period),
        by=by,
    )


def _dimension_choices() -> list[tuple[str, str]]:

    return [(d, dimension_title(d)) for d in (*DIMENSIONS, *DERIVED_DIMENSION_LISTS)]


_MOSTLY_SECRET = 0.5


def published_share(table: StatsTable) -> float | None:
    """Share of the non-empty interior cells that are published (None: no such cell)."""
    cells = [c for c in table.cells if not c.margin and (c.suppressed is not None or c.value)]
    if not cells:
        return None
    return sum(1 for c in cells if c.suppressed is None) / len(cells)


def coarser_breakdowns(dims: Sequence[str]) -> list[tuple[str, ...]]:
    """Coarser breakdowns to suggest: régions for départements, else one dimension less."""
    if "departement" in dims:
        return [tuple("region" if d == "departement" else d for d in dims)]
    if len(dims) == 2:
        return [(dims[0],), (dims[1],)]
    return []


def coarser_suggestion(
    request: Request,
    user: WebUser,
    session: Session,
    table: StatsTable,
    period: Period,
) -> dict[str, Any] | None:
    """When most of ``table`` is secret, the coarser breakdown that publishes most of its
    cells, if it publishes more (read from the same stored pattern)."""
    share = published_share(table)
    if table.source.status != "published" or share is None or share >= _MOSTLY_SECRET:
        return None
    best: tuple[float, tuple[str, ...]] | None = None
    for dims in coarser_breakdowns(table.by):
        other = _table(request, user, session, table.indicator.code, period, dims)
        other_share = published_share(other)
        if other_share is not None and (best is None or other_share > best[0]):
            best = (other_share, dims)
    if best is None or best[0] <= share:
        return None
    query = urlencode(
        [("indicateur", table.indicator.code), ("periode", str(period))]
        + [("par", d) for d in best[1]]
    )
    return {
        "query": query,
        "label": " et ".join(f"par {dimension_phrase(d)}" for d in best[1]),
        "share": round(100 * best[0]),
        "current": round(100 * share),
    }


@router.get("/tableau-de-bord")
def overview(
    request: Request, user: PageUser, session: SessionDep, periode: str | None = None
) -> Response:
    settings = app_settings(request)
    offered = dashboard_service.periods(session, user.principal)
    period = dashboard_service.chosen_semester(periode, offered)
    summary = overview_service.overview(session, user.principal, settings, period)
    own = None
    if user.principal.member is not None:
        rows = stats_service.completeness(
            session, period_text=str(period), member=user.principal.member
        ).rows
        own = rows[0] if rows else None
    return render(
        request,
        "overview.html",
        user=user,
        title=f"Tableau de bord — {fr_period(summary.period)}",
        overview=summary,
        periods=offered,
        cards=figure_cards(summary),
        own=own,
    )


@router.get("/statistiques")
def explorer(
    request: Request,
    user: PageUser,
    session: SessionDep,
    query: TableQueryDep,
    vue: str = "tableau",
    depuis: str | None = None,
) -> Response:
    settings = app_settings(request)
    offered = dashboard_service.periods(session, user.principal)
    context: dict[str, Any] = {
        "indicators": catalogue_choices(),
        "dimensions": _dimension_choices(),
        "periods": offered,
        "chosen": {
            "indicateur": query.indicateur,
            "par": query.par,
            "vue": vue,
            "periode": query.periode or "",
            "depuis": depuis or "",
        },
        "table": None,
        "view": None,
        "chart": None,
        "error": None,
        "export_query": "",
    }
    status = 200
    try:
        dashboard_service.check_view(vue)
        indicator, dims = dashboard_service.check_query(query.indicateur, query.par)
        period = dashboard_service.chosen_semester(query.periode, offered)
        context["chosen"]["periode"] = str(period)
        context["indicator"] = indicator
        if vue == "tableau":
            table = _table(request, user, session, indicator.code, period, dims)
            context.update(table=table, view=table_view(table), chart=table_chart(table))
            context["export_query"] = _export_query(indicator.code, str(period), dims)
            context["coarser"] = coarser_suggestion(request, user, session, table, period)
        else:
            points = evolution_points(
                session,
                user.principal,
                settings,
                indicator=indicator.code,
                end=period,
                start=depuis,
                by=dims[:1],
            )
            context["chosen"]["depuis"] = points[0][0]
            context["export_query"] = _export_query(indicator.code, str(period), dims[:1])
            context["export_query"] += f"&depuis={points[0][0]}"
            caption = f"{indicator.label} par semestre" + (
                f", par {dimension_phrase(dims[0])}" if dims else ""
            )
            context.update(
                trend_view=trend_table(points, dims[:1], caption=caption),
                chart=trend_chart(points, dims[:1], indicator.label, indicator.unit),
                trend_by=dims[:1],
                dropped=dims[1:],
            )
    except HubError as exc:
        status = page_status(exc)
        context["error"] = exc.detail
    return render(
        request, "explorer.html", user=user, status_code=status, title="Statistiques", **context
    )


def _export_query(indicator: str, period: str, by: tuple[str, ...]) -> str:
    from urllib.parse import urlencode

    return urlencode([("indicateur", indicator), ("periode", period), *[("par", d) for d in by]])


@router.get("/statistiques/export")
def export(
    request: Request,
    user: PageUser,
    session: SessionDep,
    query: TableQueryDep,
    format: str = "csv",
    separateur: str = "virgule",
) -> Response:
    kind = dashboard_service.export_format(format)
    separator = dashboard_service.separator(separateur)
    indicator, dims = dashboard_service.check_query(query.indicateur, query.par)
    period = (
        dashboard_service.parse_semester(query.periode)
        if query.periode
        else dashboard_service.default_period(session, user.principal)
    )
    table = _table(request, user, session, indicator.code, period, dims)
    result = export_table(table, kind, separator=separator)
    return Response(
        result.content,
        media_type=result.media_type,
        headers={
            "Content-Disposition": result.content_disposition,
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get("/apercu")
def preview(
    request: Request,
    user: MemberPage,
    session: SessionDep,
    query: TableQueryDep,
) -> Response:
    member = user.principal.member
    assert member is not None
    offered = dashboard_service.reported_periods(session, member)
    context: dict[str, Any] = {
        "indicators": [i for i in catalogue_choices() if not i.derived],
        "dimensions": _dimension_choices(),
        "chosen": {
            "indicateur": query.indicateur,
            "par": query.par,
            "periode": query.periode or "",
        },
        "preview": None,
        "error": None,
    }
    status = 200
    try:
        indicator, dims = dashboard_service.check_query(query.indicateur, query.par)
        context["indicator"] = indicator
        if query.periode or offered:
            period = dashboard_service.chosen_semester(query.periode, offered)
            context["chosen"]["periode"] = str(period)
            context["preview"] = result = dashboard_service.preview(
                session,
                member,
                app_settings(request),
                indicator=indicator.code,
                period=str(period),
                by=dims,
            )
            context["rows"] = preview_rows(result)
            context["dimension_titles"] = [dimension_title(d) for d in result.by] or ["Cellule"]
    except HubError as exc:
        status = page_status(exc)
        context["error"] = exc.detail
    context["periods"] = offered
    return render(
        request,
        "preview.html",
        user=user,
        status_code=status,
        title="Ce que la fédération verra",
        **context,
    )
