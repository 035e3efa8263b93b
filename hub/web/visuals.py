"""Charts of the pages, drawn from the same published cells as the tables next to them.

Suppressed cells reach the charts as ``None`` (the stats service never gives their value),
so a chart cannot show more than its table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from hub.stats.schemas import StatsCell, StatsTable
from hub.web.charts import bar_chart, line_chart, sparkline
from hub.web.dashboard import is_running
from hub.web.format import NBSP, fr_period, fr_signed_change
from hub.web.overview import Figure, Overview
from hub.web.tables import (
    TOTAL,
    CellView,
    RowView,
    SecretKind,
    TableView,
    categories_of,
    cell_view,
    dimension_phrase,
    dimension_title,
    format_value,
    legend_of,
    secret_kind,
)

MAX_SERIES = 6
RUNNING_LABEL = "en cours, partiel"
PARTIAL_COMPARISON = "semestre en cours, partiel, comparé à un semestre complet"


def _svg(markup: str) -> Markup:
    # Built by hub.web.charts, which escapes every label and value it writes.
    return Markup(markup)  # noqa: S704


def _published(cell: StatsCell | None) -> float | None:
    return None if cell is None or cell.suppressed is not None else cell.value


def figure_sparkline(figure: Figure) -> Markup:
    periods = [p for p, _ in figure.trend]
    unit = figure.current.indicator.unit if figure.current else ""
    return _svg(
        sparkline(
            [v for _, v in figure.trend],
            title=f"{figure.headline.label} : évolution sur {len(periods)} semestres",
            unit=unit,
            periods=periods,
        )
    )


def table_chart(table: StatsTable) -> Markup | None:
    """Bars of a table with one or two breakdowns (margins left out); None without any."""
    by = table.by
    if not by:
        return None
    index = {tuple(c.dims.get(d) for d in by): c for c in table.cells}
    title = f"{table.indicator.label}, {fr_period(table.period)}"
    if len(by) == 1:
        cats = categories_of(table, by[0])
        values = [_published(index.get((code,))) for code, _ in cats]
        return _svg(
            bar_chart(
                [label for _, label in cats],
                {table.indicator.label: values},
                title=f"{title}, par {dimension_phrase(by[0])}",
                unit=table.indicator.unit,
            )
        )
    rows, columns = categories_of(table, by[0]), categories_of(table, by[1])
    outer, inner, flip = (rows, columns, False)
    if len(inner) > MAX_SERIES and len(outer) <= MAX_SERIES:
        outer, inner, flip = columns, rows, True
    if len(inner) > MAX_SERIES:
        # Too many series to read: the first breakdown's totals.
        values = [_published(index.get((code, None))) for code, _ in rows]
        return _svg(
            bar_chart(
                [label for _, label in rows],
                {table.indicator.label: values},
                title=f"{title}, par {dimension_phrase(by[0])} (totaux)",
                unit=table.indicator.unit,
            )
        )
    series = {}
    for code, label in inner:
        keys = [(o, code) if not flip else (code, o) for o, _ in outer]
        series[label] = [_published(index.get(k)) for k in keys]
    first, second = (by[1], by[0]) if flip else (by[0], by[1])
    return _svg(
        bar_chart(
            [label for _, label in outer],
            series,
            title=(f"{title}, par {dimension_phrase(first)} et {dimension_phrase(second)}"),
            unit=table.indicator.unit,
        )
    )


def trend_series(
    points: Sequence[tuple[str, StatsTable | None]], by: Sequence[str]
) -> tuple[list[tuple[str | None, str]], dict[str, list[StatsCell | None]]]:
    """The columns of a trend (categories of the breakdown, then the total) and, per period,
    the cell of each column."""
    columns: dict[str | None, str] = {}
    if by:
        for _, table in points:
            if table is not None:
                for code, label in categories_of(table, by[0]):
                    columns.setdefault(code, label)
    columns[None] = TOTAL
    cells: dict[str, list[StatsCell | None]] = {}
    for period, table in points:
        if table is None:
            continue
        index = {tuple(c.dims.get(d) for d in by): c for c in table.cells}
        if by:
            cells[period] = [index.get((code,)) for code in columns]
        else:
            cells[period] = [index.get(())]
    return list(columns.items()), cells


def trend_chart(
    points: Sequence[tuple[str, StatsTable | None]], by: Sequence[str], label: str, unit: str
) -> Markup:
    columns, cells = trend_series(points, by)
    periods = [p for p, _ in points]
    unpublished = [p for p, table in points if table is None]
    chosen = [(i, name) for i, (_, name) in enumerate(columns)]
    if len(chosen) > MAX_SERIES + 1:
        chosen = [chosen[-1]]  # too many lines to read: the total only
    series = {
        name: [_published(cells[p][i]) if p in cells else None for p in periods]
        for i, name in chosen
    }
    return _svg(
        line_chart(
            periods,
            series,
            title=f"{label} : évolution par semestre",
            unit=unit,
            unpublished=unpublished,
        )
    )


def trend_table(
    points: Sequence[tuple[str, StatsTable | None]], by: Sequence[str], *, caption: str
) -> TableView:
    """Semesters in rows, the breakdown's categories and the total in columns."""
    columns, cells = trend_series(points, by)
    indicator = next((t.indicator for _, t in points if t is not None), None)
    rows = []
    seen: list[StatsCell] = []
    for period, table in points:
        header = fr_period(period) + (f" ({RUNNING_LABEL})" if is_running(period) else "")
        if table is None or indicator is None:
            rows.append(RowView(header, [CellView("non publié")] * len(columns)))
            continue
        views = [cell_view(indicator, cell) for cell in cells[period]]
        seen += [c for c in cells[period] if c is not None]
        rows.append(RowView(header, views))
    tables = [t for _, t in points if t is not None]
    legend = legend_of(tables[-1], seen) if tables else []
    corner = "Semestre" + (f" \\ {dimension_title(by[0])}" if by else "")
    return TableView(caption, corner, [name for _, name in columns], rows, legend, False)


@dataclass(frozen=True)
class FigureCard:
    """One headline figure as the overview shows it."""

    code: str
    label: str
    indicator: str
    sub: bool
    value: str
    secret: SecretKind | None
    reason: str | None
    legend: str | None
    change: str
    sparkline: Markup


def _change_text(figure: Figure, previous_period: str) -> str:
    change = figure.change
    since = f"par rapport au {fr_period(previous_period)}"
    if change is None or figure.current is None or figure.previous is None:
        return f"Évolution non disponible {since}"
    info = figure.current.indicator
    if info.kind == "ratio":
        points = abs(round(change, 1)) >= 2  # « 1,5 point », « 2,0 points »
        return f"{fr_signed_change(change, digits=1)}{NBSP}point{'s' if points else ''} {since}"
    if info.kind == "persons":
        text = fr_signed_change(change)
    elif info.unit == "EUR":
        text = f"{fr_signed_change(change)}{NBSP}€"
    else:
        text = f"{fr_signed_change(change, digits=1)}{NBSP}{info.unit}"
    before = figure.previous.value
    if before:
        text += f" ({fr_signed_change(100 * change / before, digits=1, percent=True)})"
    return f"{text} {since}"


def _change_of(figure: Figure, overview: Overview) -> str:
    text = _change_text(figure, overview.previous_period)
    if overview.running and figure.change is not None:
        # A half semester against a whole one: said, not left for the reader to guess.
        text += f" ({PARTIAL_COMPARISON})"
    return text


def figure_cards(overview: Overview) -> list[FigureCard]:
    cards = []
    for figure in overview.figures:
        current = figure.current
        secret = reason = legend = None
        value = "—"
        if current is not None and current.suppressed is not None:
            secret, reason, legend = (
                secret_kind(current.suppressed),
                current.suppressed.value,
                current.legend,
            )
            value = "s"
        elif current is not None:
            value = format_value(current.indicator, current.value)
        cards.append(
            FigureCard(
                code=figure.headline.code,
                label=figure.headline.label,
                indicator=figure.headline.indicator,
                sub=figure.headline.sub,
                value=value,
                secret=secret,
                reason=reason,
                legend=legend,
                change=_change_of(figure, overview),
                sparkline=figure_sparkline(figure),
            )
        )
    return cards
