"""The evolution of an indicator over a range of semesters, as a CSV file.

Written from the same published tables as the explorer's evolution view: a suppressed cell is
« s » with no value, a semester with nothing to show is « non publié ».
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Literal

from sqlmodel import Session

from cae_contract.format import is_running
from cae_contract.periods import Period
from hub.config import Settings
from hub.members.service import Principal
from hub.stats.exports import content_disposition
from hub.stats.schemas import StatsCell, StatsTable
from hub.web.dashboard import dashboard_service
from hub.web.tables import dimension_title
from hub.web.visuals import CONTRIBUTORS, VARIATION, trend_series

HIDDEN = "s"
UNPUBLISHED = "non publié"


def _number(value: float, decimal: str) -> str:
    if value == int(value):
        return str(int(value))
    return f"{value:.6g}".replace(".", decimal)


def _value(cell: StatsCell | None, decimal: str) -> str:
    if cell is None or (cell.suppressed is None and cell.value is None):
        return ""
    if cell.suppressed is not None:
        return HIDDEN
    assert cell.value is not None
    return _number(cell.value, decimal)


def _status(period: str, table: StatsTable) -> str:
    if table.source.status != "published":
        status = "provisoire"
    else:
        status = "publié, provisoire" if table.source.provisional else "publié"
    return f"{status}, semestre en cours (partiel)" if is_running(period) else status


def evolution_csv(
    points: Sequence[tuple[str, StatsTable | None]],
    by: Sequence[str],
    *,
    separator: Literal[",", ";"] = ",",
) -> bytes:
    """One row per semester: the categories, the total, its variation in percent (points for
    a rate), the number of CAE and the status of the figures."""
    decimal = "," if separator == ";" else "."
    columns, cells = trend_series(points, by)
    out = io.StringIO()
    writer = csv.writer(out, delimiter=separator, lineterminator="\r\n")
    corner = "Semestre" + (f" \\ {dimension_title(by[0])}" if by else "")
    unit = next((t.indicator for _, t in points if t is not None), None)
    variation = VARIATION + (" (points)" if unit and unit.kind == "ratio" else " (%)")
    writer.writerow([corner, *(name for _, name in columns), variation, CONTRIBUTORS, "Statut"])
    previous: float | None = None
    for period, table in points:
        if table is None:
            writer.writerow([period, *[""] * len(columns), "", "", UNPUBLISHED])
            previous = None
            continue
        row = cells[period]
        total = row[-1]
        value = None if total is None or total.suppressed is not None else total.value
        change = ""
        if value is not None and previous is not None:
            if unit is not None and unit.kind == "ratio":
                change = _number(round(value - previous, 4), decimal)
            elif previous:
                change = _number(round(100 * (value - previous) / previous, 2), decimal)
        previous = value
        writer.writerow(
            [
                period,
                *(_value(c, decimal) for c in row),
                change,
                str(table.source.members_included),
                _status(period, table),
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def evolution_disposition(indicator: str, first: str, last: str, by: Sequence[str]) -> str:
    name = f"{indicator}_evolution_{first}_{last}_{'-'.join(by) or 'total'}.csv"
    return content_disposition(name, name)


def evolution_points(
    session: Session,
    principal: Principal,
    settings: Settings,
    *,
    indicator: str,
    end: Period,
    start: str | None,
    by: Sequence[str],
) -> list[tuple[str, StatsTable | None]]:
    """The tables of the semesters from ``start`` (« depuis », else the default length) up
    to ``end``."""
    first = dashboard_service.parse_semester(start, where="query.depuis") if start else None
    return dashboard_service.trend(
        session, principal, settings, indicator=indicator, period=end, by=by, start=first
    )
