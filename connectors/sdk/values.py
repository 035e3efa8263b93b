"""Values of CSV/XLSX exports as connectors read them.

``parse_decimal``, ``parse_date``, ``parse_month`` and ``parse_text`` read French-written
values (``1 234,56``, ``31/12/2025 14:05``, ``03/02/25``, ``3 fév. 2025``, ``juillet 2025``)
as well as ISO ones, spreadsheet serial dates (``45691``) and XLSX-typed cells;
``normalize_label`` reduces a header or a label for tolerant matching.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation

__all__ = [
    "Cell",
    "normalize_label",
    "parse_date",
    "parse_decimal",
    "parse_month",
    "parse_text",
    "serial_date",
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


_TIME = r"(?:[ T]+\d{1,2}[:h]\d{2}(?::\d{2}(?:\.\d+)?)?)?"
_FRENCH_DATE = re.compile(
    r"^(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4}|\d{2})" + _TIME + "$", re.IGNORECASE
)
_ISO_DATE = re.compile(
    r"^(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})"
    r"(?:[ T]+\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$",
    re.IGNORECASE,
)
# « 3 février 2025 », « lundi 3 fév. 2025 », « 1er mars 25 », « 03-févr.-2025 »,
# « 3 February 2025 »: words are compared without accents or case.
_NAMED_DATE = re.compile(
    r"^(?:[a-z]+\.?,?\s+)?(?P<d>\d{1,2})(?:er|st|nd|rd|th)?[\s/.-]+(?P<m>[a-z]+)\.?[\s/.-]+"
    r"(?P<y>\d{4}|\d{2})" + _TIME + "$"
)
# « February 3, 2025 », « Feb 3 2025 ».
_ENGLISH_DATE = re.compile(r"^(?P<m>[a-z]+)\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})$")
_SERIAL = re.compile(r"^\d{5}(?:[.,]\d+)?$")
MONTH_NAMES: dict[str, int] = {
    name: number
    for number, names in enumerate(
        (
            ("janvier", "janv", "jan", "january"),
            ("fevrier", "fevr", "fev", "feb", "february"),
            ("mars", "mar", "march"),
            ("avril", "avr", "apr", "april"),
            ("mai", "may"),
            ("juin", "jun", "june"),
            ("juillet", "juil", "jul", "july"),
            ("aout", "aug", "august"),
            ("septembre", "sept", "sep", "september"),
            ("octobre", "oct", "october"),
            ("novembre", "nov", "november"),
            ("decembre", "dec", "december"),
        ),
        start=1,
    )
    for name in names
}
"""French and English month names and their usual abbreviations, without accents."""
# Spreadsheets count days from 1899-12-30 (the 1900 leap-year bug is absorbed by the offset
# for every serial after February 1900). Only serials of 1920 to 2099 are taken for dates:
# another five-digit number in a date column is more likely a mistake than a date.
_SERIAL_EPOCH = date(1899, 12, 30)
_SERIAL_RANGE = ((date(1920, 1, 1) - _SERIAL_EPOCH).days, (date(2099, 12, 31) - _SERIAL_EPOCH).days)
TWO_DIGIT_PIVOT = 30
"""Two-digit years below it are 20xx, the others 19xx, as spreadsheets read them."""
_DATE_FORMS = "JJ/MM/AAAA, JJ/MM/AA, 3 février 2025 ou AAAA-MM-JJ attendu"


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).strip()


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year < TWO_DIGIT_PIVOT else 1900
    return year


def serial_date(value: Decimal) -> date:
    """The date of a spreadsheet serial number (45690 is 3 February 2025); ValueError when
    it is out of the years 1920 to 2099."""
    if not value.is_finite() or not _SERIAL_RANGE[0] <= int(value) <= _SERIAL_RANGE[1]:
        raise ValueError(f"une date est attendue ({_DATE_FORMS})")
    return _SERIAL_EPOCH + timedelta(days=int(value))


def parse_date(value: Cell) -> date | None:
    """A date as French spreadsheets write it: ``31/12/2025`` or ``31/12/25`` (optionally with
    a time), ``3 février 2025``, ``3 fév. 2025``, ``2025-12-31`` (ISO, optionally with a
    time), a spreadsheet serial number (``45690``, in text or as a number), or a typed XLSX
    date; None for an empty cell; ValueError otherwise (``13/13/2025`` included)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, Decimal):
        return serial_date(value)
    text = _plain(value)
    if not text:
        return None
    if _SERIAL.match(text):
        return serial_date(Decimal(text.replace(",", ".")))
    match = _FRENCH_DATE.match(text) or _ISO_DATE.match(text)
    month: int | None = None
    if match is None:
        match = _NAMED_DATE.match(text) or _ENGLISH_DATE.match(text)
        if match is None or match.group("m") not in MONTH_NAMES:
            raise ValueError(f"n'est pas une date ({_DATE_FORMS})")
        month = MONTH_NAMES[match.group("m")]
    try:
        return date(
            _year(match.group("y")),
            month or int(match.group("m")),
            int(match.group("d")),
        )
    except ValueError:
        raise ValueError("n'est pas une date du calendrier") from None


_MONTH = re.compile(r"^(?:(?P<m>\d{1,2})[/.-](?P<y>\d{4})|(?P<y2>\d{4})-(?P<m2>\d{1,2}))$")
_NAMED_MONTH = re.compile(r"^(?P<m>[a-z]+)\.?[\s/.-]+(?P<y>\d{4})$")


def parse_month(value: Cell) -> date | None:
    """The first day of a month written ``01/2026``, ``2026-01`` or ``janvier 2026`` (payroll
    months), or of the month of a full date; None for an empty cell; ValueError otherwise."""
    if isinstance(value, str):
        named = _NAMED_MONTH.match(_plain(value))
        if named is not None and named.group("m") in MONTH_NAMES:
            return date(int(named.group("y")), MONTH_NAMES[named.group("m")], 1)
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
