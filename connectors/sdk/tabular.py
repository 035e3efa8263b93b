"""Read a CSV or XLSX export into rows keyed by canonical field name.

Exports written by hand or by management software differ in small ways; this reader absorbs
them so that connectors can speak of fields, not of files:

- headers match a field by its name or by any of its labels, ignoring case, accents, spaces
  and punctuation (``Date d'entrée`` = ``DATE_D_ENTREE`` = ``date_dentree``); column order
  does not matter; a header row may follow a few title lines;
- CSV separators ``;``, ``,`` or tab are sniffed; UTF-8 (with or without BOM) is tried first,
  then cp1252/Latin-1;
- empty cells become ``None``; only the declared columns are kept, so the other columns of an
  export (names, addresses…) never enter a row;
- each row keeps its number as a spreadsheet shows it (the header row counts), so that
  messages say « userdatas.csv ligne 14 » and never quote a person.

``parse_decimal``, ``parse_date`` and ``parse_text`` read French-written values (``1 234,56``,
``31/12/2025 14:05``) as well as ISO ones and XLSX-typed cells.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from connectors.sdk.errors import ConfigError, SkippableRecordError

__all__ = [
    "Cell",
    "Column",
    "Row",
    "Table",
    "normalize_label",
    "parse_date",
    "parse_decimal",
    "parse_month",
    "parse_text",
    "read_table",
]

Cell = str | Decimal | date | None
"""A cell as read: text from CSV; XLSX numbers become ``Decimal``, XLSX dates ``date`` or
``datetime``; empty cells ``None``."""

CSV_SUFFIXES = frozenset({".csv", ".txt", ".tsv"})
XLSX_SUFFIXES = frozenset({".xlsx", ".xlsm"})
_DELIMITERS = (";", "\t", ",")  # order breaks ties: French exports use ";"
_HEADER_SEARCH_ROWS = 10
_SNIFF_LINES = 50


@dataclass(frozen=True)
class Column:
    """A field a connector reads: its canonical ``name`` and the ``labels`` it may appear under."""

    name: str
    labels: tuple[str, ...] = ()
    required: bool = True

    @property
    def title(self) -> str:
        """How messages name the column when the file does not show it."""
        return self.labels[0] if self.labels else self.name

    def keys(self) -> frozenset[str]:
        return frozenset(normalize_label(text) for text in (self.name, *self.labels))


@dataclass(frozen=True)
class Row:
    """One data row: ``values`` keyed by canonical field name (absent optional columns: None)."""

    number: int
    source: str
    values: Mapping[str, Cell]
    headers: Mapping[str, str] = field(repr=False)

    def __getitem__(self, name: str) -> Cell:
        return self.values[name]

    def get(self, name: str) -> Cell:
        return self.values.get(name)

    def as_text(self, name: str) -> str | None:
        return parse_text(self.values.get(name))

    def as_decimal(self, name: str) -> Decimal | None:
        """The cell as a number, or SkippableRecordError naming the row and column."""
        try:
            return parse_decimal(self.values.get(name))
        except ValueError as error:
            raise self.error(name, str(error)) from None

    def as_date(self, name: str) -> date | None:
        """The cell as a date, or SkippableRecordError naming the row and column."""
        try:
            return parse_date(self.values.get(name))
        except ValueError as error:
            raise self.error(name, str(error)) from None

    def as_month(self, name: str) -> date | None:
        """The cell as the first day of a month, or SkippableRecordError."""
        try:
            return parse_month(self.values.get(name))
        except ValueError as error:
            raise self.error(name, str(error)) from None

    def error(self, name: str, problem: str) -> SkippableRecordError:
        """A skippable error about one cell; ``problem`` must not quote personal values."""
        header = self.headers.get(name, name)
        return SkippableRecordError(
            f"{self.source}, colonne « {header} » : {problem}", source=self.source
        )


@dataclass(frozen=True)
class Table:
    """The rows of one file, with the header each field was found under."""

    label: str
    headers: Mapping[str, str]
    rows: Sequence[Row]

    def has(self, name: str) -> bool:
        """Whether the file carries the column ``name`` (optional columns may be absent)."""
        return name in self.headers

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def normalize_label(text: str) -> str:
    """Header text reduced to lowercase ASCII letters and digits, for tolerant matching."""
    text = text.replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed.casefold() if ch.isascii() and ch.isalnum())


def read_table(
    path: Path,
    columns: Sequence[Column],
    *,
    sheet: str | None = None,
    label: str | None = None,
) -> Table:
    """Read ``path`` (CSV or XLSX) keeping only ``columns``.

    ``label`` names the file in messages (default: its file name); ``sheet`` picks an XLSX
    sheet (default: the first one). Raises ConfigError when the file is missing or unreadable,
    or when a required column is absent.
    """
    label = label or path.name
    if not path.is_file():
        raise ConfigError(f"le fichier « {label} » est introuvable ({path})")
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        records = _csv_records(path, label)
    elif suffix in XLSX_SUFFIXES:
        records = _xlsx_records(path, label, sheet)
    else:
        raise ConfigError(
            f"le fichier « {label} » n'est ni un CSV ni un classeur XLSX : "
            "enregistrez-le dans l'un de ces formats"
        )
    return _table(records, columns, label)


def _table(records: list[list[Cell]], columns: Sequence[Column], label: str) -> Table:
    header_index, positions = _find_header(records, columns, label)
    header = records[header_index]
    headers = {name: _header_text(header[index]) for name, index in positions.items()}
    rows: list[Row] = []
    for index in range(header_index + 1, len(records)):
        record = records[index]
        if all(cell is None for cell in record):
            continue
        values: dict[str, Cell] = {column.name: None for column in columns}
        for name, position in positions.items():
            values[name] = record[position] if position < len(record) else None
        number = index + 1
        rows.append(Row(number, f"{label} ligne {number}", values, headers))
    return Table(label, headers, rows)


def _find_header(
    records: list[list[Cell]], columns: Sequence[Column], label: str
) -> tuple[int, dict[str, int]]:
    """The header row: the first of the top rows that holds every required column and at
    least one known column (a title line holds none, even when every column is optional)."""
    best: tuple[int, dict[str, int]] | None = None
    for index, record in enumerate(records[:_HEADER_SEARCH_ROWS]):
        positions, twice = _match_columns(record, columns)
        if positions and all(column.name in positions for column in columns if column.required):
            if twice is not None:
                name, first, second = twice
                raise ConfigError(
                    f"le fichier « {label} » a deux colonnes pour le même champ ({name}) : "
                    f"« {first} » et « {second} » ; supprimez-en une"
                )
            return index, positions
        if best is None or len(positions) > len(best[1]):
            best = (index, positions)
    found = best[1] if best else {}
    missing = [column for column in columns if column.required and column.name not in found]
    if not missing:
        known = ", ".join(f"« {column.title} »" for column in columns)
        raise ConfigError(
            f"aucune colonne reconnue dans le fichier « {label} » (attendu : {known})"
        )
    names = ", ".join(f"« {column.title} » ({column.name})" for column in missing)
    plural = "les colonnes" if len(missing) > 1 else "la colonne"
    raise ConfigError(f"il manque {plural} {names} dans le fichier « {label} »")


def _match_columns(
    record: list[Cell], columns: Sequence[Column]
) -> tuple[dict[str, int], tuple[str, str, str] | None]:
    """Positions of the fields found in ``record``, and the first field found twice (its
    name and both headers), which only matters if ``record`` is the header row."""
    keys = {column.name: column.keys() for column in columns}
    positions: dict[str, int] = {}
    twice: tuple[str, str, str] | None = None
    for position, cell in enumerate(record):
        if cell is None:
            continue
        key = normalize_label(_header_text(cell))
        for name, accepted in keys.items():
            if key not in accepted:
                continue
            if name not in positions:
                positions[name] = position
            elif twice is None:
                twice = (name, _header_text(record[positions[name]]), _header_text(cell))
    return positions, twice


def _header_text(cell: Cell) -> str:
    return parse_text(cell) or ""


def _csv_records(path: Path, label: str) -> list[list[Cell]]:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise ConfigError(
            f"le fichier « {label} » ne peut pas être lu", detail=str(error)
        ) from error
    text = _decode(raw)
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [[_csv_cell(cell) for cell in record] for record in reader]
    except csv.Error as error:
        raise ConfigError(
            f"le fichier « {label} » n'est pas un CSV lisible (ligne {reader.line_num})",
            detail=str(error),
        ) from error


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        # cp1252 leaves five bytes undefined; Latin-1 decodes everything.
        return raw.decode("latin-1")


def _sniff_delimiter(text: str) -> str:
    """The separator that splits the first lines into the most, and most regular, fields."""
    best = _DELIMITERS[0]
    best_score = (False, 1)
    for delimiter in _DELIMITERS:
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            records = list(itertools.islice(reader, _SNIFF_LINES))
        except csv.Error:
            continue
        widths = [len(record) for record in records if any(cell.strip() for cell in record)]
        if not widths:
            continue
        header_width = widths[0]
        regular = header_width > 1 and all(width == header_width for width in widths[1:])
        score = (regular, header_width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _csv_cell(text: str) -> Cell:
    text = text.strip()
    return text or None


def _xlsx_records(path: Path, label: str, sheet: str | None) -> list[list[Cell]]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, BadZipFile, OSError, KeyError, ValueError) as error:
        raise ConfigError(
            f"le fichier « {label} » n'est pas un classeur XLSX lisible", detail=str(error)
        ) from error
    try:
        if sheet is None:
            worksheet = workbook.worksheets[0]
        elif sheet in workbook.sheetnames:
            worksheet = workbook[sheet]
        else:
            raise ConfigError(
                f"le classeur « {label} » n'a pas de feuille « {sheet} » "
                f"(feuilles : {', '.join(workbook.sheetnames)})"
            )
        return [
            [_xlsx_cell(value) for value in row] for row in worksheet.iter_rows(values_only=True)
        ]
    finally:
        workbook.close()


def _xlsx_cell(value: Any) -> Cell:
    if value is None or isinstance(value, Decimal | date):
        return value
    if isinstance(value, bool):
        return "oui" if value else "non"
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # repr gives the shortest text that round-trips, so 0.1 stays 0.1.
        return Decimal(repr(value))
    return _csv_cell(str(value))


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
