"""Server-rendered SVG charts of the federation's statistics, for pages and printed documents.

Each function answers a standalone SVG document (also fit to be inlined in HTML) that names
itself to assistive technology: ``role="img"`` and ``aria-labelledby`` pointing to its
``<title>`` and to a ``<desc>`` that reads the data out in French. A suppressed cell is given
as ``None``: it is drawn as a hatched mark of fixed size at the baseline, explained in the
legend, and no value, size or attribute of the drawing depends on what it hides. The same input
always gives the same bytes.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence

from cae_contract.format import fr_period
from hub.web.charts.plots import draw_lines, draw_sparkline, horizontal_bars, vertical_bars
from hub.web.charts.svg import (
    HATCH_INK,
    MUTED,
    Frame,
    Unit,
    Values,
    chart_id,
    nice_ticks,
    palette,
    readout,
    secret_sentence,
)

__all__ = ["bar_chart", "line_chart", "sparkline"]

HIDDEN_LABEL = "Secret statistique"

# Layout, in SVG user units (pixels at 100 %).
CHART_WIDTH = 640
SPARKLINE_WIDTH = 120
SPARKLINE_HEIGHT = 32
AXIS_ROOM = 90  # left of the plot: the value axis and its labels
LABEL_FONT_SIZE = 11
CHAR_WIDTH_EM = 0.58  # mean width of a character of the labels' font, in em
LABEL_GAP = 8
MAX_VERTICAL_BARS = 16  # more bars than this across the frame: bars go horizontal
EMPTY_TEXT_X = 12
EMPTY_TEXT_DY = 20
EMPTY_HEIGHT = 40


def _checked(labels: Sequence[object], series: Mapping[str, Values]) -> list[str]:
    names = list(series)
    for name in names:
        if len(series[name]) != len(labels):
            raise ValueError(f"series {name!r} has {len(series[name])} values for {len(labels)}")
        if not all(v is None or math.isfinite(v) for v in series[name]):
            raise ValueError(f"series {name!r} has a value that is not a finite number")
    return names


def _known(series: Mapping[str, Values]) -> list[float]:
    return [v for values in series.values() for v in values if v is not None]


def _empty(frame: Frame, top: float) -> str:
    frame.text(EMPTY_TEXT_X, top + EMPTY_TEXT_DY, "Aucune donnée à afficher.", fill=MUTED)
    return frame.render(top + EMPTY_HEIGHT)


def _legend_items(
    names: Sequence[str], secret: str | None, *, with_series: bool
) -> list[tuple[str, str, str | None]]:
    items: list[tuple[str, str, str | None]] = []
    if with_series:
        items += [(name, *palette(i)) for i, name in enumerate(names)]
    if secret:
        items.append((HIDDEN_LABEL, secret, HATCH_INK))
    return items


def bar_chart(
    categories: Sequence[str],
    series: Mapping[str, Values],
    *,
    title: str,
    unit: str,
    description: str | None = None,
    horizontal: bool | None = None,
    digits: int | None = None,
    width: int = CHART_WIDTH,
    show_title: bool = True,
    id_prefix: str | None = None,
) -> str:
    """Bars of one series, or groups of bars of several series (one colour each, with a
    legend), over ``categories``. ``series`` maps a series name to one value per category,
    ``None`` for a suppressed cell. ``unit`` is the indicator's (``personnes``, ``EUR``,
    ``%``…); ``digits`` fixes the decimals of the values read out (default: 0 for whole
    numbers, else 1). Bars run horizontally when ``horizontal`` is True, or by default when
    the category labels are long or many."""
    names = _checked(categories, series)
    known = _known(series)
    frame = Frame(
        width,
        id_prefix
        or chart_id(
            "bars",
            categories,
            list(series.items()),
            title,
            unit,
            description,
            horizontal,
            digits,
            width,
            show_title,
        ),
        title,
        "",
        "graphique graphique-barres",
    )
    top = frame.heading(title, show=show_title)
    if not categories or not names:
        frame.desc = f"Diagramme en barres. {description or ''} Aucune donnée.".replace("  ", " ")
        return _empty(frame, top)
    integer = all(v == int(v) for v in known) and not digits
    ticks = nice_ticks(min([0.0, *known]), max([0.0, *known]), integer=integer)
    scale = Unit.for_values(unit, known, ticks, digits)
    hidden = sum(v is None for values in series.values() for v in values)
    frame.desc = _bar_desc(categories, series, scale, description, hidden)
    secret = frame.secret_pattern() if hidden else None
    top += frame.legend(top, _legend_items(names, secret, with_series=len(names) > 1))
    if horizontal is None:
        slot = (width - AXIS_ROOM) / len(categories)
        longest = max(len(c) for c in categories)
        label_width = longest * LABEL_FONT_SIZE * CHAR_WIDTH_EM
        horizontal = (
            len(categories) * len(names) > MAX_VERTICAL_BARS or label_width > 2 * slot - LABEL_GAP
        )
    draw = horizontal_bars if horizontal else vertical_bars
    return draw(frame, top, categories, series, ticks, scale, secret)


def _bar_desc(
    categories: Sequence[str],
    series: Mapping[str, Values],
    unit: Unit,
    description: str | None,
    hidden: int,
) -> str:
    grouped = len(series) > 1
    parts = ["Diagramme en barres" + (" groupées." if grouped else ".")]
    if description:
        parts.append(description)
    if grouped:
        parts += [f"{name} : {readout(categories, vs, unit)}." for name, vs in series.items()]
    else:
        [values] = series.values()
        parts.append(readout(categories, values, unit) + ".")
        shown = [(v, c) for c, v in zip(categories, values, strict=True) if v is not None]
        if len(shown) > 1:
            best = max(shown, key=lambda pair: pair[0])
            parts.append(f"Plus grande valeur : {best[1]} ({unit.full(best[0])}).")
    return " ".join(parts) + secret_sentence(hidden)


def line_chart(
    periods: Sequence[str],
    series: Mapping[str, Values],
    *,
    title: str,
    unit: str,
    unpublished: Collection[str] = (),
    description: str | None = None,
    zero: bool = True,
    digits: int | None = None,
    width: int = CHART_WIDTH,
    show_title: bool = True,
    id_prefix: str | None = None,
) -> str:
    """Lines over ``periods`` (``2025-S1``…), one per series, each with its own colour and
    marker shape. ``None`` is a suppressed value: the line breaks there and a hatched mark
    sits on the period axis. Periods in ``unpublished`` have no figures yet (their values are
    ignored): the line breaks and the period is labelled as such. The value axis starts at
    zero unless ``zero`` is False."""
    names = _checked(periods, series)
    hidden_periods = set(unpublished)
    cleaned = {
        name: [None if p in hidden_periods else v for p, v in zip(periods, vs, strict=True)]
        for name, vs in series.items()
    }
    known = _known(cleaned)
    frame = Frame(
        width,
        id_prefix
        or chart_id(
            "lines",
            periods,
            list(cleaned.items()),
            title,
            unit,
            sorted(hidden_periods),
            description,
            zero,
            digits,
            width,
            show_title,
        ),
        title,
        "",
        "graphique graphique-courbes",
    )
    top = frame.heading(title, show=show_title)
    if not periods or not names:
        frame.desc = f"Courbe d’évolution. {description or ''} Aucune donnée.".replace("  ", " ")
        return _empty(frame, top)
    integer = all(v == int(v) for v in known) and not digits
    low = min([0.0, *known]) if zero else min(known, default=0.0)
    high = max([0.0, *known]) if zero else max(known, default=1.0)
    ticks = nice_ticks(low, high, integer=integer)
    scale = Unit.for_values(unit, known, ticks, digits)
    hidden = sum(
        v is None and p not in hidden_periods
        for vs in cleaned.values()
        for p, v in zip(periods, vs, strict=True)
    )
    labels = [fr_period(p) for p in periods]
    parts = [f"Courbe d’évolution, de {labels[0]} à {labels[-1]}."]
    if description:
        parts.append(description)
    for name, vs in cleaned.items():
        spoken = " ; ".join(
            f"{label} : "
            + ("non publiée" if p in hidden_periods else "secret statistique" if v is None else "")
            + (scale.full(v) if v is not None else "")
            for p, label, v in zip(periods, labels, vs, strict=True)
        )
        parts.append(f"{name} : {spoken}." if len(names) > 1 else f"{spoken}.")
    frame.desc = " ".join(parts) + secret_sentence(hidden)
    secret = frame.secret_pattern() if hidden else None
    top += frame.legend(top, _legend_items(names, secret, with_series=len(names) > 1))
    return draw_lines(frame, top, periods, cleaned, hidden_periods, ticks, scale, secret)


def sparkline(
    values: Values,
    *,
    title: str,
    unit: str = "",
    periods: Sequence[str] | None = None,
    digits: int | None = None,
    width: int = SPARKLINE_WIDTH,
    height: int = SPARKLINE_HEIGHT,
    id_prefix: str | None = None,
) -> str:
    """A small line without axes, to sit next to a figure; ``None`` is a suppressed value
    (the line breaks and a small hatched mark sits at the bottom). ``title`` names it for
    assistive technology; ``periods``, when given, are read out in the text alternative."""
    labels = [fr_period(p) for p in periods] if periods is not None else None
    if labels is not None and len(labels) != len(values):
        raise ValueError(f"{len(values)} values for {len(labels)} periods")
    _checked(values, {title: values})
    known = [v for v in values if v is not None]
    ident = id_prefix or chart_id(
        "spark", list(values), title, unit, periods, digits, width, height
    )
    frame = Frame(width, ident, title, "", "graphique graphique-tendance")
    ticks = nice_ticks(min(known, default=0.0), max(known, default=1.0))
    scale = Unit.for_values(unit, known, ticks, digits)
    hidden = sum(v is None for v in values)
    if not known:
        frame.desc = "Aucune valeur publiée." + secret_sentence(hidden)
    else:
        first, last = known[0], known[-1]
        at = [labels[i] for i, v in enumerate(values) if v is not None] if labels else None
        start = scale.full(first) + (f" ({at[0]})" if at else "")
        end = scale.full(last) + (f" ({at[-1]})" if at else "")
        frame.desc = (
            f"Évolution sur {len(values)} périodes : de {start} à {end} ; "
            f"minimum {scale.full(min(known))}, maximum {scale.full(max(known))}."
            + secret_sentence(hidden)
        )
    secret = frame.secret_pattern() if hidden else None
    return draw_sparkline(frame, values, labels, secret, height=height)
