"""The export of the explorer's evolution view (CSV)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hub.db import SessionDep, app_settings
from hub.web.auth import PageUser
from hub.web.dashboard import dashboard_service
from hub.web.evolution import evolution_csv, evolution_disposition, evolution_points
from hub.web.rendering import PageRoute
from hub.web.stats_pages import TableQueryDep

router = APIRouter(route_class=PageRoute)


@router.get("/statistiques/evolution/export")
def evolution_export(
    request: Request,
    user: PageUser,
    session: SessionDep,
    query: TableQueryDep,
    depuis: str | None = None,
    separateur: str = "virgule",
) -> Response:
    separator = dashboard_service.separator(separateur)
    indicator, dims = dashboard_service.check_query(query.indicateur, query.par)
    offered = dashboard_service.periods(session, user.principal)
    end = dashboard_service.chosen_semester(query.periode, offered)
    by = dims[:1]
    points = evolution_points(
        session,
        user.principal,
        app_settings(request),
        indicator=indicator.code,
        end=end,
        start=depuis,
        by=by,
    )
    content = evolution_csv(points, by, separator=separator)
    return Response(
        content,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": evolution_disposition(
                indicator.code, points[0][0], points[-1][0], by
            ),
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
