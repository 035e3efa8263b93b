"""The plots inside a chart's frame: bars (across or down), lines over periods, sparklines.

A suppressed value is drawn as a hatched square of fixed size: its position depends only on
its category or period, never on what it hides.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from decimal import Decimal

from cae_contract.format import fr_period
from hub.web.charts.svg import (
    GRID,
    MUTED,
    TEXT,
    Frame,
    Unit,
    Values,
    esc,
    marker,
    num,
    palette,
    period_label,
    text_width,
    wrap,
)

MARKERS = ("circle", "square", "triangle", "diamond")


def _bar_style(index: int) -> str:
    fill, outline = palette(index)
    line = f' stroke="{outline}" stroke-width="1"' if outline else ""
    return f'fill="{fill}"{line}'


def _bar(frame: Frame, x: float, y: float, w: float, h: float, style: str, tip: str) -> None:
    frame.add(
        f"<g><title>{esc(tip)}</title>"
        f'<rect x="{num(x)}" y="{num(y)}" width="{num(w)}" height="{num(h)}" {style}/></g>'
    )


def horizontal_bars(
    frame: Frame,
    top: float,
    categories: Sequence[str],
    series: Mapping[str, Values],
    ticks: Sequence[Decimal],
    unit: Unit,
    secret: str | None,
) -> str:
    lo, hi = float(ticks[0]), float(ticks[-1])
    names = list(series)
    wrapped = [wrap(c, int(frame.width * 0.4 / (12 * 0.58)), 2) for c in categories]
    label_w = max(40.0, *(text_width(line, 12) for rows in wrapped for line in rows)) + 10
    known = [v for values in series.values() for v in values if v is not None]
    room = max([18.0, *(text_width(unit.short(v), 11) + 8 for v in known)])
    left = 12 + label_w + (room if lo < 0 else 0)
    right = frame.width - 12 - room
    bar_h = 18.0 if len(names) == 1 else 12.0
    rows = max(len(r) for r in wrapped)
    band = max(len(names) * bar_h + 12, 14.4 * rows + 12)
    plot_top, plot_bottom = top + 4, top + 4 + band * len(categories)

    def px(v: float) -> float:
        return left + (v - lo) / (hi - lo) * (right - left)

    for t in ticks:
        x = px(float(t))
        stroke = TEXT if t == 0 else GRID
        frame.add(
            f'<line x1="{num(x)}" y1="{num(plot_top)}" x2="{num(x)}" y2="{num(plot_bottom)}" '
            f'stroke="{stroke}" stroke-width="1"/>'
        )
        frame.text(x, plot_bottom + 16, unit.tick(t, ticks), anchor="middle")
    frame.text((left + right) / 2, plot_bottom + 34, unit.axis_title, anchor="middle", fill=MUTED)
    zero = px(0.0)
    for i, category in enumerate(categories):
        y0 = plot_top + i * band
        first = y0 + band / 2 - (len(wrapped[i]) - 1) * 7.2 + 4
        frame.lines(12 + label_w - 6, first, wrapped[i], size=12, anchor="end")
        for j, name in enumerate(names):
            y = y0 + (band - len(names) * bar_h) / 2 + j * bar_h
            value = series[name][i]
            where = category if len(names) == 1 else f"{name} — {category}"
            if value is None:
                side = bar_h - 4
                x = zero + 1 if zero + side + 14 <= right else zero - side - 1
                outline = palette(j)[0] if len(names) > 1 else ""
                frame.secret_mark(x, y + 2, side, secret or "", where, stroke=outline)
                frame.text(x + side + 4, y + bar_h / 2 + 4, "s", size=11, fill=MUTED)
                continue
            end = px(value)
            _bar(
                frame,
                min(zero, end),
                y + 1,
                abs(end - zero),
                bar_h - 2,
                _bar_style(j),
                f"{where} : {unit.full(value)}",
            )
            label_x, anchor = (end + 4, "start") if value >= 0 else (end - 4, "end")
            frame.text(label_x, y + bar_h / 2 + 4, unit.short(value), size=11, anchor=anchor)
    return frame.render(plot_bottom + 48)


def vertical_bars(
    frame: Frame,
    top: float,
    categories: Sequence[str],
    series: Mapping[str, Values],
    ticks: Sequence[Decimal],
    unit: Unit,
    secret: str | None,
) -> str:
    lo, hi = float(ticks[0]), float(ticks[-1])
    names = list(series)
    tick_texts = [unit.tick(t, ticks) for t in ticks]
    left = 12 + 18 + max(text_width(t, 12) for t in tick_texts) + 8
    right = frame.width - 12
    band = (right - left) / len(categories)
    bar_w = min(48.0, band * 0.75 / len(names))
    plot_top, plot_bottom = top + 16, top + 16 + 220

    def py(v: float) -> float:
        return plot_bottom - (v - lo) / (hi - lo) * (plot_bottom - plot_top)

    for t, label in zip(ticks, tick_texts, strict=True):
        y = py(float(t))
        stroke = TEXT if t == 0 else GRID
        frame.add(
            f'<line x1="{num(left)}" y1="{num(y)}" x2="{num(right)}" y2="{num(y)}" '
            f'stroke="{stroke}" stroke-width="1"/>'
        )
        frame.text(left - 6, y + 4, label, anchor="end")
    middle = (plot_top + plot_bottom) / 2
    frame.text(
        18, middle, unit.axis_title, anchor="middle", fill=MUTED,
        extra=f' transform="rotate(-90 18 {num(middle)})"',
    )  # fmt: skip
    zero = py(0.0)
    rows = 1
    for i, category in enumerate(categories):
        x0 = left + i * band + (band - bar_w * len(names)) / 2
        lines = wrap(category, int(band / (11 * 0.58)), 2)
        rows = max(rows, len(lines))
        frame.lines(left + (i + 0.5) * band, plot_bottom + 16, lines, size=11, anchor="middle")
        for j, name in enumerate(names):
            x = x0 + j * bar_w
            value = series[name][i]
            where = category if len(names) == 1 else f"{name} — {category}"
            if value is None:
                side = min(12.0, bar_w - 2)
                above = zero - side - 1 >= plot_top + 12
                y = zero - side - 1 if above else zero + 1
                outline = palette(j)[0] if len(names) > 1 else ""
                frame.secret_mark(
                    x + (bar_w - side) / 2, y, side, secret or "", where, stroke=outline
                )
                label_y = y - 3 if above else y + side + 11
                frame.text(x + bar_w / 2, label_y, "s", size=10, anchor="middle", fill=MUTED)
                continue
            end = py(value)
            _bar(
                frame,
                x + 1,
                min(zero, end),
                bar_w - 2,
                abs(zero - end),
                _bar_style(j),
                f"{where} : {unit.full(value)}",
            )
            short = unit.short(value)
            if text_width(short, 10) <= bar_w + 4:
                label_y = end - 4 if value >= 0 else end + 12
                frame.text(x + bar_w / 2, label_y, short, size=10, anchor="middle")
    return frame.render(plot_bottom + 16 + 13.2 * rows + 10)


def draw_lines(
    frame: Frame,
    top: float,
    periods: Sequence[str],
    series: Mapping[str, Values],
    unpublished: Collection[str],
    ticks: Sequence[Decimal],
    scale: Unit,
    secret: str | None,
) -> str:
    """Lines over periods below ``top``: a value axis, period labels, one marker shape per
    series, a hatched mark on the period axis for each suppressed value."""
    names = list(series)
    labels = [fr_period(p) for p in periods]
    lo, hi = float(ticks[0]), float(ticks[-1])
    tick_texts = [scale.tick(t, ticks) for t in ticks]
    left = 12 + 18 + max(text_width(t, 12) for t in tick_texts) + 8
    right = frame.width - 24
    plot_top, plot_bottom = top + 12, top + 12 + 220
    step = (right - left) / max(1, len(periods) - 1)

    def px(i: int) -> float:
        return left + i * step if len(periods) > 1 else (left + right) / 2

    def py(v: float) -> float:
        return plot_bottom - (v - lo) / (hi - lo) * (plot_bottom - plot_top)

    for t, label in zip(ticks, tick_texts, strict=True):
        y = py(float(t))
        frame.add(
            f'<line x1="{num(left)}" y1="{num(y)}" x2="{num(right)}" y2="{num(y)}" '
            f'stroke="{TEXT if t == 0 else GRID}" stroke-width="1"/>'
        )
        frame.text(left - 6, y + 4, label, anchor="end")
    middle = (plot_top + plot_bottom) / 2
    frame.text(
        18, middle, scale.axis_title, anchor="middle", fill=MUTED,
        extra=f' transform="rotate(-90 18 {num(middle)})"',
    )  # fmt: skip
    frame.add(
        f'<line x1="{num(left)}" y1="{num(plot_bottom)}" x2="{num(right)}" '
        f'y2="{num(plot_bottom)}" stroke="{TEXT}" stroke-width="1"/>'
    )
    every = max(1, round(len(periods) * 52 / (right - left + 52)))
    for i, p in enumerate(periods):
        if i % every and i != len(periods) - 1:
            continue
        rows = period_label(p)
        if p in unpublished:
            rows = [*rows, "non publiée"]
        frame.lines(px(i), plot_bottom + 16, rows, size=11, anchor="middle")
    for j, (name, vs) in enumerate(series.items()):
        colour, _ = palette(j)
        runs: list[list[tuple[float, float]]] = [[]]
        for i, v in enumerate(vs):
            if v is None:
                runs.append([])
            else:
                runs[-1].append((px(i), py(v)))
        for run in runs:
            if len(run) > 1:
                points = " ".join(f"{num(x)},{num(y)}" for x, y in run)
                frame.add(
                    f'<polyline points="{points}" fill="none" stroke="{colour}" '
                    'stroke-width="2.5" stroke-linejoin="round"/>'
                )
        for i, (p, label, v) in enumerate(zip(periods, labels, vs, strict=True)):
            where = f"{name} — {label}" if len(names) > 1 else label
            if v is not None:
                tip = f"{where} : {scale.full(v)}"
                marker(frame, MARKERS[j % len(MARKERS)], px(i), py(v), colour, tip)
            elif p not in unpublished:
                y = plot_bottom - 14 - 12 * j
                frame.secret_mark(px(i) - 5, y, 10, secret or "", where, stroke=colour)
    return frame.render(plot_bottom + 16 + 13.2 * 3 + 10)


def draw_sparkline(
    frame: Frame, values: Values, labels: Sequence[str] | None, secret: str | None, *, height: int
) -> str:
    """A line without axes over the whole frame; small hatched marks for suppressed values."""
    width = frame.width
    known = [v for v in values if v is not None]
    lo, hi = min(known, default=0.0), max(known, default=1.0)
    if hi == lo:
        lo, hi = lo - 1, hi + 1
    pad = 3.0

    def px(i: int) -> float:
        return pad + i * (width - 2 * pad) / max(1, len(values) - 1)

    def py(v: float) -> float:
        return height - pad - 6 - (v - lo) / (hi - lo) * (height - 2 * pad - 6)

    colour, _ = palette(0)
    runs: list[list[str]] = [[]]
    for i, v in enumerate(values):
        if v is None:
            runs.append([])
            where = labels[i] if labels else f"période {i + 1}"
            frame.secret_mark(px(i) - 3, height - pad - 6, 6, secret or "", where)
        else:
            runs[-1].append(f"{num(px(i))},{num(py(v))}")
    for run in runs:
        if len(run) > 1:
            frame.add(
                f'<polyline points="{" ".join(run)}" fill="none" stroke="{colour}" '
                'stroke-width="1.5" stroke-linejoin="round"/>'
            )
        elif run:
            x, y = run[0].split(",")
            frame.add(f'<circle cx="{x}" cy="{y}" r="1.5" fill="{colour}"/>')
    last_index = max((i for i, v in enumerate(values) if v is not None), default=None)
    if last_index is not None:
        value = values[last_index]
        assert value is not None
        frame.add(
            f'<circle cx="{num(px(last_index))}" cy="{num(py(value))}" r="2.5" fill="{colour}"/>'
        )
    return frame.render(height, background=False)
