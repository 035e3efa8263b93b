"""Searching pages and exports for the values disclosure control hides.

A page is read as the numbers it contains, whatever their French or raw form (« 12 345,67 »,
« 12 345 € », ``12345.67``): each is brought back to a decimal and compared with the hidden
values. Small counts (1, 2, 17…) appear on any page for other reasons, so only values that
identify a cell are searched: amounts of 10 000 € and more (in cents, in euros, to one
decimal) anywhere in the HTML; counts of 100 and more in the text and attributes, SVG
geometry and styles set aside. A hidden value equal to a published one, a year, or a figure
the reader legitimately knows (a member's own report) is not searched: finding it would prove
nothing. Every hidden cell, small or not, is also checked where it is drawn (see the tests).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from tests.web_e2e.dataset import Truth

MIN_AMOUNT = 10_000
MIN_COUNT = 100
YEARS = range(2000, 2041)

# A figure stands alone: digits glued to letters are part of a word, a code or an identifier
# (« 43.21A », « S2 », the random hex of an SVG's id), not a value.
_NUMBER = re.compile(
    r"(?<![\w.,])(?:\d{1,3}(?:[ \u00a0\u202f]\d{3})+|\d+)(?:[.,]\d+)?(?!\w|[.,]\d)",
)
_GEOMETRY = re.compile(
    r"\s(?:d|x|y|x1|x2|y1|y2|cx|cy|r|rx|ry|dx|dy|width|height|points|viewBox|transform|"
    r"stroke-width|stroke-dasharray|font-size|offset|style)=\"[^\"]*\""
)
_STYLE = re.compile(r"<style\b.*?</style>", re.DOTALL | re.IGNORECASE)


def _as_decimal(written: str) -> Decimal:
    return Decimal(re.sub(r"[ \u00a0\u202f]", "", written).replace(",", "."))


def numbers(text: str) -> set[Decimal]:
    """Every number written in ``text``, as a decimal (French or raw notation)."""
    return {_as_decimal(match.group(0)) for match in _NUMBER.finditer(text)}


def _found(text: str, wanted: dict[Decimal, str]) -> list[str]:
    """``wanted`` values written in ``text``, each with the text around it."""
    found = []
    for match in _NUMBER.finditer(text):
        number = _as_decimal(match.group(0))
        if number in wanted:
            around = text[max(0, match.start() - 80) : match.end() + 40]
            found.append(f"{wanted[number]}, écrit « {match.group(0)} » dans : {around!r}")
    return found


def _forms(value: float) -> set[Decimal]:
    """The ways a page may write ``value``: exact, to one decimal, in whole units."""
    exact = Decimal(str(value))
    return {
        exact,
        exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP),
        exact.quantize(Decimal(1), rounding=ROUND_HALF_UP),
    }


@dataclass(frozen=True)
class Secrets:
    """Hidden values worth searching for, by the scope they are searched in."""

    anywhere: dict[Decimal, str]
    in_text: dict[Decimal, str]

    def leaks(self, html: str) -> list[str]:
        """Hidden values found in ``html`` (a page or an export's text)."""
        text = _GEOMETRY.sub(" ", _STYLE.sub(" ", html))
        return sorted({*_found(html, self.anywhere), *_found(text, self.in_text)})

    def leaked_numbers(self, values: Iterable[float]) -> list[str]:
        """Hidden values among exported numbers (spreadsheet cells)."""
        found = set()
        for value in values:
            for form in _forms(value):
                if form in self.anywhere:
                    found.add(self.anywhere[form])
                if form in self.in_text:
                    found.add(self.in_text[form])
        return sorted(found)

    def __len__(self) -> int:
        return len(self.anywhere) + len(self.in_text)


def secrets(
    truth: Truth, *, periods: Iterable[str] | None = None, known: Iterable[float] = ()
) -> Secrets:
    """The hidden values of ``periods`` (all by default) that a page must never show."""
    wanted = set(periods) if periods is not None else None
    innocent: set[Decimal] = {Decimal(y) for y in YEARS}
    for value in [*truth.shown_values(), *known]:
        innocent |= _forms(value)
    anywhere: dict[Decimal, str] = {}
    in_text: dict[Decimal, str] = {}
    for (period, indicator, by), key, cell in truth.hidden():
        if wanted is not None and period not in wanted:
            continue
        where = f"{indicator} {period} {'×'.join(by) or 'total'} {key} = {cell.value}"
        if truth.kinds[indicator] == "amount":
            if cell.value < MIN_AMOUNT:
                continue
            forms = _forms(cell.value)
            if forms & innocent:
                continue
            anywhere.update(dict.fromkeys(forms, where))
        elif cell.value >= MIN_COUNT:
            exact = Decimal(int(cell.value))
            if exact not in innocent:
                in_text[exact] = where
    return Secrets(anywhere, in_text)
