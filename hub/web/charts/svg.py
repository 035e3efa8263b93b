"""Building blocks of the SVG charts: escaping, text measure, nice ticks, units, the frame.

Everything here is deterministic: coordinates are written with one decimal, identifiers come
from a hash of the chart's input, and no set or clock is consulted.
"""

from __future__ import annotations

import hashlib
import html
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from cae_contract.format import NBSP, fr_decimal, fr_eur, fr_int, fr_percent
from cae_contract.periods import Period

Values = Sequence[float | None]
"""One value per category or period; None for a suppressed cell."""

FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
TEXT = "#1a1a1a"
MUTED = "#595959"
GRID = "#d9d9d9"
HATCH_FILL = "#e6e6e6"
HATCH_INK = "#595959"

# Okabe & Ito's colour-blind-safe palette, darkest first. Orange and sky blue reach 3:1
# against white only through their outline (WCAG 1.4.11); yellow is left out altogether.
PALETTE: tuple[tuple[str, str | None], ...] = (
    ("#0072B2", None),
    ("#D55E00", None),
    ("#009E73", None),
    ("#CC79A7", None),
    ("#000000", None),
    ("#E69F00", "#6B4A00"),
    ("#56B4E9", "#1F5A80"),
)
_IDENT = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}")
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def esc(text: object) -> str:
    """Text safe inside an SVG element or a double-quoted attribute, standalone or inline."""
    return html.escape(_INVALID_XML.sub("", str(text)), quote=True)


def num(x: float) -> str:
    """A coordinate, with one decimal at most."""
    text = f"{round(x, 1) + 0.0:.1f}"
    return text[:-2] if text.endswith(".0") else text


def text_width(text: str, size: float) -> float:
    """A generous estimate of the width of ``text`` in a sans-serif font."""
    return len(text) * size * 0.58


def wrap(text: str, max_chars: int, max_lines: int) -> list[str]:
    """``text`` cut into lines of at most ``max_chars`` at spaces; an ellipsis ends it when
    it needs more than ``max_lines``."""
    max_chars = max(4, max_chars)
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if len(candidate) <= max_chars:
            current = candidate
            continue
        if current:
            lines.append(current)
        current = word
    lines.append(current)
    lines = [line if len(line) <= max_chars else line[: max_chars - 1] + "…" for line in lines]
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        lines = [*lines[: max_lines - 1], (last[: max_chars - 1]).rstrip() + "…"]
    return lines or [""]


def palette(index: int) -> tuple[str, str | None]:
    return PALETTE[index % len(PALETTE)]


def chart_id(*parts: object) -> str:
    """An identifier derived from the chart's input: the same chart always gets the same
    one, and two different charts inlined in one page do not collide."""
    digest = hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()
    return f"graphique-{digest[:10]}"


def nice_ticks(lo: float, hi: float, *, integer: bool = False, most: int = 7) -> list[Decimal]:
    """Round tick values covering [lo, hi]: the finest step of 1, 2, 2.5 or 5 times a power of
    ten that needs at most ``most`` intervals (whole steps only when ``integer``)."""
    if hi < lo:
        lo, hi = hi, lo
    if hi == lo:
        pad = abs(hi) * 0.1 or 1.0
        lo, hi = (lo - pad, hi + pad) if lo != 0 else (0.0, 1.0)
    exponent = math.floor(math.log10((hi - lo) / most))
    candidates = (
        Decimal(multiple) * Decimal(10) ** power
        for power in (exponent, exponent + 1, exponent + 2)
        for multiple in ("1", "2", "2.5", "5")
    )
    for step in candidates:
        if integer and step < 1:
            continue
        first = math.floor(lo / float(step) + 1e-9)
        last = math.ceil(hi / float(step) - 1e-9)
        if last - first <= most:
            return [(step * i).normalize() + 0 for i in range(first, last + 1)]
    raise AssertionError("a step of 100 times the span always fits")  # pragma: no cover


@dataclass(frozen=True)
class Unit:
    """How the numbers of one chart are written: on the axis (maybe in millions) and in the
    text alternative (in full, with their unit)."""

    unit: str
    digits: int
    divisor: int = 1

    @classmethod
    def for_values(
        cls, unit: str, values: Sequence[float], ticks: Sequence[Decimal], digits: int | None
    ) -> Unit:
        if digits is None:
            digits = 1 if unit == "%" or any(v != int(v) for v in values) else 0
        top = max((abs(t) for t in ticks), default=Decimal(0))
        divisor = 1
        if unit != "%":
            for candidate in (10**9, 10**6):
                if top >= candidate:
                    divisor = candidate
                    break
        return cls(unit, digits, divisor)

    @property
    def words(self) -> str:
        base = "euros" if self.unit in ("EUR", "€") else self.unit
        if self.divisor == 1:
            return base
        scale = "milliards" if self.divisor == 10**9 else "millions"
        return f"{scale} {'d’' if base[:1].lower() in 'aeiouyéèêh' else 'de '}{base}"

    @property
    def axis_title(self) -> str:
        return f"en {self.words}" if self.words else ""

    def tick(self, value: Decimal, ticks: Sequence[Decimal]) -> str:
        scaled = [t / self.divisor for t in ticks]
        places = max((max(0, -int(t.normalize().as_tuple().exponent)) for t in scaled), default=0)
        shown = value / self.divisor
        return fr_decimal(shown, places) if places else fr_int(shown)

    def short(self, value: float) -> str:
        """A value label drawn next to its bar, in the axis' scale."""
        if self.divisor != 1:
            scaled = value / self.divisor
            # Keep a small amount visible rather than rounded to « 0,0 ».
            return fr_decimal(scaled, 2 if 0 < abs(scaled) < 0.05 else 1)
        return fr_decimal(value, self.digits) if self.digits else fr_int(value)

    def full(self, value: float) -> str:
        """A value in words for the text alternative: ``12 345 personnes``, ``1 234 €``."""
        if self.unit in ("EUR", "€"):
            return fr_eur(value, self.digits)
        if self.unit == "%":
            return fr_percent(value, self.digits)
        number = fr_decimal(value, self.digits) if self.digits else fr_int(value)
        unit = self.unit
        if unit.isalpha() and unit.islower() and unit.endswith("s") and abs(value) < 2:
            unit = unit[:-1]  # « 1 personne », « 1,5 heure »
        return f"{number}{NBSP}{unit}" if unit else number


@dataclass
class Frame:
    """One SVG document under construction."""

    width: float
    ident: str
    title: str
    desc: str
    css_class: str
    body: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        if not _IDENT.fullmatch(self.ident):
            raise ValueError(f"invalid chart id prefix {self.ident!r}")

    def add(self, element: str) -> None:
        self.body.append(element)

    def text(
        self,
        x: float,
        y: float,
        content: str,
        *,
        size: float = 12,
        anchor: str = "start",
        fill: str = TEXT,
        weight: str | None = None,
        extra: str = "",
    ) -> None:
        bold = f' font-weight="{weight}"' if weight else ""
        self.add(
            f'<text x="{num(x)}" y="{num(y)}" font-size="{num(size)}" text-anchor="{anchor}" '
            f'fill="{fill}"{bold}{extra}>{esc(content)}</text>'
        )

    def lines(
        self,
        x: float,
        y: float,
        lines: Sequence[str],
        *,
        size: float,
        anchor: str = "start",
        weight: str | None = None,
    ) -> None:
        """A label over several lines, the first one's baseline at ``y``."""
        spans = "".join(
            f'<tspan x="{num(x)}" dy="{num(0 if i == 0 else size * 1.2)}">{esc(line)}</tspan>'
            for i, line in enumerate(lines)
        )
        bold = f' font-weight="{weight}"' if weight else ""
        self.add(
            f'<text x="{num(x)}" y="{num(y)}" font-size="{num(size)}" text-anchor="{anchor}" '
            f'fill="{TEXT}"{bold}>{spans}</text>'
        )

    def heading(self, title: str, *, show: bool) -> float:
        """Draws the visible title when asked; answers the height it took."""
        if not show:
            return 8
        rows = wrap(title, int((self.width - 24) / (15 * 0.58)), 3)
        self.lines(12, 22, rows, size=15, weight="600")
        return 22 + 18 * (len(rows) - 1) + 12

    def secret_pattern(self) -> str:
        pattern = f"{self.ident}-secret"
        self.add(
            f'<defs><pattern id="{pattern}" width="6" height="6" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate(45)"><rect width="6" height="6" fill="{HATCH_FILL}"/>'
            f'<line x1="0" y1="0" x2="0" y2="6" stroke="{HATCH_INK}" stroke-width="2.5"/>'
            "</pattern></defs>"
        )
        return f"url(#{pattern})"

    def secret_mark(
        self, x: float, y: float, side: float, fill: str, label: str, *, stroke: str = ""
    ) -> None:
        """A hatched square of a fixed size that stands for a hidden value and carries none."""
        self.add(
            f'<g class="secret"><title>{esc(label)} : secret statistique</title>'
            f'<rect x="{num(x)}" y="{num(y)}" width="{num(side)}" height="{num(side)}" '
            f'fill="{fill}" stroke="{stroke or HATCH_INK}" stroke-width="1"/></g>'
        )

    def legend(self, y: float, items: Sequence[tuple[str, str, str | None]]) -> float:
        """Swatches with their names (name, fill, outline), wrapped; answers the height used."""
        if not items:
            return 0
        x, row = 12.0, 0
        for name, fill, outline in items:
            width = 18 + text_width(name, 12) + 16
            if x + width > self.width - 12 and x > 12:
                x, row = 12.0, row + 1
            top = y + row * 20
            line = f' stroke="{outline}" stroke-width="1"' if outline else ""
            self.add(
                f'<rect x="{num(x)}" y="{num(top)}" width="12" height="12" fill="{fill}"{line}/>'
            )
            self.text(x + 17, top + 10.5, name)
            x += width
        return (row + 1) * 20 + 6

    def render(self, height: float, *, background: bool = True) -> str:
        ident = self.ident
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" class="{self.css_class}" '
            f'width="{num(self.width)}" height="{num(height)}" '
            f'viewBox="0 0 {num(self.width)} {num(height)}" role="img" '
            f'aria-labelledby="{ident}-titre {ident}-desc" font-family="{esc(FONT)}">'
            f'<title id="{ident}-titre">{esc(self.title)}</title>'
            f'<desc id="{ident}-desc">{esc(self.desc)}</desc>'
            + ('<rect width="100%" height="100%" fill="#ffffff"/>' if background else "")
            + "".join(self.body)
            + "</svg>"
        )


def secret_sentence(count: int) -> str:
    if not count:
        return ""
    if count == 1:
        return " 1 valeur est couverte par le secret statistique : elle n’est pas représentée."
    return (
        f" {count} valeurs sont couvertes par le secret statistique : "
        "elles ne sont pas représentées."
    )


def readout(labels: Sequence[str], values: Values, unit: Unit) -> str:
    return " ; ".join(
        f"{label} : {'secret statistique' if v is None else unit.full(v)}"
        for label, v in zip(labels, values, strict=True)
    )


def period_label(text: str) -> list[str]:
    try:
        period = Period.parse(text)
    except ValueError:
        return wrap(text, 10, 2)
    if period.semester is None:
        return [str(period.year)]
    return [f"{period.semester}{'er' if period.semester == 1 else 'e'} sem.", str(period.year)]


def marker(frame: Frame, shape: str, x: float, y: float, fill: str, tip: str) -> None:
    size = 4.5
    if shape == "circle":
        mark = f'<circle cx="{num(x)}" cy="{num(y)}" r="{num(size)}"'
    elif shape == "square":
        mark = (
            f'<rect x="{num(x - size)}" y="{num(y - size)}" width="{num(2 * size)}" '
            f'height="{num(2 * size)}"'
        )
    else:
        if shape == "triangle":
            points = [(x, y - size - 1), (x + size + 1, y + size), (x - size - 1, y + size)]
        else:
            points = [(x, y - size - 1), (x + size + 1, y), (x, y + size + 1), (x - size - 1, y)]
        mark = '<polygon points="' + " ".join(f"{num(a)},{num(b)}" for a, b in points) + '"'
    frame.add(f'<g><title>{esc(tip)}</title>{mark} fill="{fill}" stroke="#ffffff"/></g>')
