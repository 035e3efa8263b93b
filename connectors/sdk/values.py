"""Values of CSV/XLSX exports as connectors read them.

``parse_decimal``, ``parse_date``, ``parse_month`` and ``parse_text`` read French-written
values (``1 234,56``, ``31/12/2025 14:05``) as well as ISO ones and XLSX-typed cells;
``normalize_label`` reduces a header or a label for tolerant matching.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

__all__ = [
    "Cell",
    "normalize_label",
    "parse_date",
    "parse_decimal",
    "parse_month",
    "parse_text",
]

Cell = str | Decimal | date | None
"""A cell as read: text from CSV; XLSX numbers become ``Decimal``, XLSX dates ``date`` or
``datetime``; empty cells ``None``."""


def normalize_label(text: str) -> str:
    """Header text reduced to lowercase ASCII letters and digits, for tolerant matching."""
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed.casefold() if ch.isascii() and ch.isalnum())


def parse_text(value: Cell) -> str | None:
    """A cell as text: whole numbers without decimals (a postcode typed as a number stays
    ``33000``), dates in ISO form, empty text as None."""
    if value is None:
        return None
    if isinstance(value, Decimal):
        if value == value.to_integral_value():
            return str(int(value))
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return value.strip() or None


_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_SPACES = re.compile(r"[\s\u00a0\u202f']")


def parse_decimal(value: Cell | int | float) -> Decimal | None:
    """A number written the French way (``1 234,56``, ``-12,5 €``) or the English way
    (``1,234.56``), or a typed number; None for an empty cell; ValueError otherwise.

    When both ``,`` and ``.`` appear, the last one marks the decimals; a mark that appears
    once alone marks the decimals (``1,234`` is 1.234), several times groups thousands."""
    if value is None:
        return None
    if isinstance(value, bool | date):
        raise ValueError("un nombre est attendu")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        value = Decimal(repr(value))
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("un nombre est attendu")
        return value
    text = _SPACES.sub("", value).removesuffix("€").removesuffix("EUR")
    if not text:
        return None
    text = _decimal_point(text)
    if not _NUMBER.match(text):
        raise ValueError("n'est pas un nombre (par exemple 1 234,56 attendu)")
    try:
        return Decimal(text)
    except InvalidOperation:
        raise ValueError("n'est pas un nombre (par exemple 1 234,56 attendu)") from None


def _decimal_point(text: str) -> str:
    """Text with ``.`` as the only decimal mark and no thousands separators."""
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        return text.replace(thousands, "").replace(",", ".")
    for mark in (",", "."):
        if text.count(mark) > 1:
            return text.replace(mark, "")  # several marks can only group thousands
    return text.replace(",", ".")


_FRENCH_DATE = re.compile(
    r"^(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4})"
    r"(?:[ T]+\d{1,2}[:h]\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_ISO_DATE = re.compile(
    r"^(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})"
    r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)


def parse_date(value: Cell) -> date | None:
    """A date written ``31/12/2025`` (optionally with a time), ``2025-12-31`` (ISO, optionally
    with a time), or a typed XLSX date; None for an empty cell; ValueError otherwise."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, Decimal):
        raise ValueError("une date est attendue (JJ/MM/AAAA)")
    text = value.strip()
    if not text:
        return None
    match = _FRENCH_DATE.match(text) or _ISO_DATE.match(text)
    if match is None:
        raise ValueError("n'est pas une date (JJ/MM/AAAA ou AAAA-MM-JJ attendu)")
    try:
        return date(int(match.group("y")), int(match.group("m")), int(match.group("d")))
    except ValueError:
        raise ValueError("n'est pas une date du calendrier") from None


_MONTH = re.compile(r"^(?:(?P<m>\d{1,2})[/.-](?P<y>\d{4})|(?P<y2>\d{4})-(?P<m2>\d{1,2}))$")


def parse_month(value: Cell) -> date | None:
    """The first day of a month written ``01/2026`` or ``2026-01`` (payroll months), or of the
    month of a full date; None for an empty cell; ValueError otherwise."""
    if isinstance(value, str):
        match = _MONTH.match(value.strip())
        if match is not None:
            year = int(match.group("y") or match.group("y2"))
            month = int(match.group("m") or match.group("m2"))
            if not 1 <= month <= 12:
                raise ValueError("n'est pas un mois (MM/AAAA ou AAAA-MM attendu)")
            return date(year, month, 1)
    try:
        day = parse_date(value)
    except ValueError:
        raise ValueError("n'est pas un mois (MM/AAAA ou AAAA-MM attendu)") from None
    return None if day is None else day.replace(day=1)
