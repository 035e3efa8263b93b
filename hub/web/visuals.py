"""Charts of the pages, drawn from the same published cells as the tables next to them.

Suppressed cells reach the charts as ``None`` (the stats service never gives their value),
so a chart cannot show more than its table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup

from cae_contract.catalogue import DIMENSION_LISTS
from cae_contract.format import MISSING, NBSP, fr_int, fr_period, fr_signed_change, is_running
from cae_contract.registry import get_registry
from hub.stats.schemas import IndicatorInfo, StatsCell, StatsTable
from hub.web.charts import bar_chart, line_chart, sparkline
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
    """The columns of a trend (categories of the breakdown in the order of their code list,
    NAF order for trades, then the total) and, per period, the cell of each column."""
    found: dict[str, str] = {}
    if by:
        for _, table in points:
            if table is not None:
                for code, label in categories_of(table, by[0]):
                    found.setdefault(code, label)
    rank = {code: i for i, code in enumerate(category_order(by[0]))} if by else {}
    ordered = sorted(found.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0]))
    columns: list[tuple[str | None, str]] = [*ordered, (None, TOTAL)]
    cells: dict[str, list[StatsCell | None]] = {}
    for period, table in points:
        if table is None:
            continue
        index = {tuple(c.dims.get(d) for d in by): c for c in table.cells}
        if by:
            cells[period] = [index.get((code,)) for code, _ in columns]
        else:
            cells[period] = [index.get(())]
    return columns, cells


def category_order(dim: str) -> list[str]:
    """The codes of ``dim`` in the order of its code list (NAF order for trades)."""
    return list(get_registry().code_list(DIMENSION_LISTS[dim]))


def top_categories(
    points: Sequence[tuple[str, StatsTable | None]], by: Sequence[str], limit: int = MAX_SERIES
) -> tuple[list[int], int]:
    """The columns (indexes, total left out) of the ``limit`` largest categories of the latest
    semester with published values, and how many categories there are."""
    columns, cells = trend_series(points, by)
    categories = len(columns) - 1
    latest = next(
        (
            cells[p]
            for p, _ in reversed(points)
            if p in cells and any(_published(c) for c in cells[p][:-1])
        ),
        None,
    )
    values = [(_published(latest[i]) if latest else None) for i in range(categories)]
    order = sorted(range(categories), key=lambda i: (values[i] is None, -(values[i] or 0), i))
    return sorted(order[:limit]), categories


def trend_chart(
    points: Sequence[tuple[str, StatsTable | None]], by: Sequence[str], label: str, unit: str
) -> Markup:
    """Lines of the total, or of each category; past :data:`MAX_SERIES` categories, those of
    the largest ones of the latest semester, named in the title."""
    columns, cells = trend_series(points, by)
    periods = [p for p, _ in points]
    unpublished = [p for p, table in points if table is None]
    chosen = [(i, name) for i, (_, name) in enumerate(columns)]
    title = f"{label} : évolution par semestre"
    if len(chosen) > MAX_SERIES + 1:
        kept, total = top_categories(points, by)
        chosen = [(i, columns[i][1]) for i in kept]
        title += (
            f", les {len(kept)} premières catégories du dernier semestre sur {total} "
            f"({dimension_phrase(by[0])}) ; toutes sont dans le tableau"
        )
    series = {
        name: [_published(cells[p][i]) if p in cells else None for p in periods]
        for i, name in chosen
    }
    return _svg(line_chart(periods, series, title=title, unit=unit, unpublished=unpublished))


def _variation(indicator: IndicatorInfo, now: StatsCell | None, before: StatsCell | None) -> str:
    current, previous = _published(now), _published(before)
    if current is None or previous is None:
        return MISSING
    change = current - previous
    if indicator.kind == "ratio":
        return f"{fr_signed_change(change, digits=1)}{NBSP}pt"
    if not previous:
        return fr_signed_change(change, digits=0 if indicator.kind == "persons" else 1)
    return fr_signed_change(100 * change / previous, digits=1, percent=True)


VARIATION = "Variation du total"
CONTRIBUTORS = "CAE"


def trend_table(
    points: Sequence[tuple[str, StatsTable | None]], by: Sequence[str], *, caption: str
) -> TableView:
    """Semesters in rows; the breakdown's categories, the total, its variation from the
    semester before and the number of CAE behind the figures in columns."""
    columns, cells = trend_series(points, by)
    indicator = next((t.indicator for _, t in points if t is not None), None)
    rows = []
    seen: list[StatsCell] = []
    previous: StatsCell | None = None
    width = len(columns) + 2
    for period, table in points:
        header = fr_period(period) + (f" ({RUNNING_LABEL})" if is_running(period) else "")
        if table is None or indicator is None:
            rows.append(RowView(header, [CellView("non publié")] * width))
            previous = None
            continue
        views = [cell_view(indicator, cell) for cell in cells[period]]
        total = cells[period][-1]
        views.append(CellView(_variation(indicator, total, previous)))
        views.append(CellView(fr_int(table.source.members_included)))
        previous = total
        seen += [c for c in cells[period] if c is not None]
        rows.append(RowView(header, views, provisional=table.source.provisional))
    tables = [t for _, t in points if t is not None]
    legend = legend_of(tables[-1], seen) if tables else []
    corner = "Semestre" + (f" \\ {dimension_title(by[0])}" if by else "")
    headers = [name for _, name in columns] + [VARIATION, CONTRIBUTORS]
    return TableView(caption, corner, headers, rows, legend, False)


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
