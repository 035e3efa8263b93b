"""French formatting of numbers, amounts, periods and dates, for pages, charts and documents.

Follows French typography as the CLDR ``fr`` locale writes it: digits grouped by three with a
narrow no-break space (U+202F) from 1 000 upwards, a decimal comma, a narrow no-break space
before ``%`` and a no-break space (U+00A0) before ``€``. Negative numbers take the true minus
sign (U+2212), which screen readers say « moins » and which never wraps away from its digits.
Rounding is half away from zero, as people round by hand (2,25 → 2,3). Every function answers
« — » for a missing value (``None``, or a number that is not finite).
"""

from __future__ import annotations

import math
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

from markupsafe import Markup

from cae_contract.periods import PARIS, Period, today

__all__ = [
    "MINUS",
    "MISSING",
    "NBSP",
    "NNBSP",
    "fr_date",
    "fr_datetime",
    "fr_decimal",
    "fr_eur",
    "fr_int",
    "fr_percent",
    "fr_period",
    "fr_period_html",
    "fr_signed_change",
    "is_running",
    "with_unit",
]

NNBSP = "\u202f"
"""Narrow no-break space: thousands separator and space before ``%``."""
NBSP = "\u00a0"
"""No-break space: before ``€`` and inside times (« 14 h 05 »)."""
MINUS = "\u2212"
MISSING = "—"

Number = float | Decimal
MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)


def _rounded(x: Number | None, digits: int) -> Decimal | None:
    """``x`` rounded half away from zero to ``digits`` decimals; None when there is no value."""
    if x is None or isinstance(x, bool):
        return None
    if isinstance(x, float) and not math.isfinite(x):
        return None
    # str() gives the shortest decimal that round-trips, so 2.675 rounds as written, not as
    # its binary approximation 2.67499…
    exact = x if isinstance(x, Decimal) else Decimal(str(x))
    if not exact.is_finite():
        return None
    value = exact.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    return value if value != 0 else abs(value)  # no « −0 »


def _group(digits: str) -> str:
    head = len(digits) % 3 or 3
    parts = [digits[:head]] + [digits[i : i + 3] for i in range(head, len(digits), 3)]
    return NNBSP.join(parts)


def _number(value: Decimal, digits: int, *, plus: bool = False) -> str:
    sign = MINUS if value < 0 else ("+" if plus and value > 0 else "")
    whole, _, fraction = f"{abs(value):.{digits}f}".partition(".")
    return sign + _group(whole) + ("," + fraction if digits > 0 else "")


def fr_int(x: Number | None) -> str:
    """A whole number: ``12345 → "12 345"`` (U+202F), rounded when given a fraction."""
    value = _rounded(x, 0)
    return MISSING if value is None else _number(value, 0)


def fr_decimal(x: Number | None, digits: int = 1) -> str:
    """A number with ``digits`` decimals: ``1234.5 → "1 234,5"``."""
    value = _rounded(x, digits)
    return MISSING if value is None else _number(value, digits)


def fr_eur(x: Number | None, digits: int = 0) -> str:
    """An amount in euros: ``1234 → "1 234 €"`` (U+00A0 before the sign)."""
    value = _rounded(x, digits)
    return MISSING if value is None else f"{_number(value, digits)}{NBSP}€"


def fr_percent(x: Number | None, digits: int = 1) -> str:
    """A percentage given in percent, not as a ratio: ``12.5 → "12,5 %"``."""
    value = _rounded(x, digits)
    return MISSING if value is None else f"{_number(value, digits)}{NNBSP}%"


def fr_signed_change(x: Number | None, *, digits: int = 0, percent: bool = False) -> str:
    """A change, always signed: ``+3,2 %`` (``percent=True, digits=1``), ``−1 234``; no
    change at all is written ``0`` without a sign."""
    value = _rounded(x, digits)
    if value is None:
        return MISSING
    text = _number(value, digits, plus=True)
    return f"{text}{NNBSP}%" if percent else text


def _period(period: str | Period) -> Period | None:
    if isinstance(period, Period):
        return period
    try:
        return Period.parse(period)
    except ValueError:
        return None


def fr_period(period: str | Period | None) -> str:
    """``"2025-S2" → "2e semestre 2025"``, ``"2025-S1" → "1er semestre 2025"``,
    ``"2025" → "année 2025"``; any other text is returned unchanged."""
    if period is None:
        return MISSING
    parsed = _period(period)
    if parsed is None:
        return str(period)
    if parsed.semester is None:
        return f"année {parsed.year}"
    return f"{parsed.semester}{'er' if parsed.semester == 1 else 'e'} semestre {parsed.year}"


def fr_period_html(period: str | Period | None) -> Markup:
    """:func:`fr_period` with the ordinal suffix raised: ``2<sup>e</sup> semestre 2025``."""
    if period is None:
        return Markup.escape(MISSING)
    parsed = _period(period)
    if parsed is None or parsed.semester is None:
        return Markup.escape(fr_period(period))
    suffix = "er" if parsed.semester == 1 else "e"
    return Markup("{}<sup>{}</sup> semestre {}").format(parsed.semester, suffix, parsed.year)


def _paris(moment: datetime) -> datetime:
    # The hub stores instants in UTC; a naive one can only be such an instant.
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(PARIS)


def fr_date(day: date | datetime | None) -> str:
    """``date(2026, 11, 23) → "23 novembre 2026"``, ``"1er novembre 2026"``; an instant is
    first brought to Europe/Paris."""
    if day is None:
        return MISSING
    if isinstance(day, datetime):
        day = _paris(day).date()
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS[day.month - 1]} {day.year}"


def fr_datetime(moment: datetime | None) -> str:
    """An instant in Europe/Paris: ``"23 novembre 2026 à 14 h 05"`` (U+00A0 around « h »);
    a naive datetime is taken as UTC."""
    if moment is None:
        return MISSING
    local = _paris(moment)
    return f"{fr_date(local.date())} à {local.hour}{NBSP}h{NBSP}{local.minute:02d}"


def with_unit(label: str, unit: str) -> str:
    """« label (unit) », unless the label already ends with its unit in parentheses."""
    if not unit or label.rstrip().endswith(f"({unit})"):
        return label
    return f"{label} ({unit})"


def is_running(period: Period | str) -> bool:
    """Whether ``period`` has not ended yet in France: its figures are partial."""
    found = Period.parse(period) if isinstance(period, str) else period
    return found.end >= today()
