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

Cell values are read by ``connectors.sdk.values`` (re-exported here).
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any
from zipfile import BadZipFile

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from connectors.sdk.errors import ConfigError, SkippableRecordError
from connectors.sdk.values import (
    Cell,
    normalize_label,
    parse_date,
    parse_decimal,
    parse_month,
    parse_text,
)

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
    unread: tuple[str, ...] = ()
    """Headers of the file that no field took (names, addresses… and misspelt columns)."""

    def has(self, name: str) -> bool:
        """Whether the file carries the column ``name`` (optional columns may be absent)."""
        return name in self.headers

    def __iter__(self) -> Iterator[Row]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


Extra = Callable[[str], str | None]
"""A header → the field it holds, for columns a connector recognises by their form (« CA HT
2025 ») rather than by a list of labels; None for the others."""


def read_table(
    path: Path,
    columns: Sequence[Column],
    *,
    sheet: str | None = None,
    label: str | None = None,
    extra: Extra | None = None,
) -> Table:
    """Read ``path`` (CSV or XLSX) keeping only ``columns`` (and the columns ``extra`` names).

    ``label`` names the file in messages (default: its file name); ``sheet`` picks an XLSX
    sheet (default: the first one), and messages then name it too (``Table.label`` is
    « cae.xlsx, feuille Entrepreneurs », a row « cae.xlsx, feuille Entrepreneurs, ligne 6 »).
    Raises ConfigError when the file is missing or unreadable, or when a required column is
    absent.
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
    if sheet is not None and suffix in XLSX_SUFFIXES:
        return _table(records, columns, f"{label}, feuille {sheet}", ", ligne", extra)
    return _table(records, columns, label, " ligne", extra)


def _table(
    records: list[list[Cell]],
    columns: Sequence[Column],
    label: str,
    line: str,
    extra: Extra | None,
) -> Table:
    header_index, positions = _find_header(records, columns, label)
    header = records[header_index]
    headers = {name: _header_text(header[index]) for name, index in positions.items()}
    taken = set(positions.values())
    unread: list[str] = []
    for position, cell in enumerate(header):
        text = _header_text(cell)
        if position in taken or not text:
            continue
        name = extra(text) if extra is not None else None
        if name is None:
            unread.append(text)
        elif name in positions:
            raise ConfigError(
                f"le fichier « {label} » a deux colonnes pour la même donnée : "
                f"« {headers[name]} » et « {text} » ; supprimez-en une"
            )
        else:
            positions[name] = position
            headers[name] = text
    rows: list[Row] = []
    for index in range(header_index + 1, len(records)):
        record = records[index]
        if all(cell is None for cell in record):
            continue
        values: dict[str, Cell] = {column.name: None for column in columns}
        for name, position in positions.items():
            values[name] = record[position] if position < len(record) else None
        number = index + 1
        rows.append(Row(number, f"{label}{line} {number}", values, headers))
    return Table(label, headers, rows, tuple(unread))


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
        elif (loose := _loosely(sheet, workbook.sheetnames)) is not None:
            worksheet = workbook[loose]  # « feuil1 », « Feuil 1 »
        else:
            names = [f"« {name} »" for name in workbook.sheetnames]
            listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " et " + names[-1]
            raise ConfigError(
                f"le classeur « {label} » n'a pas de feuille « {sheet} » ; "
                f"{'sa feuille est' if len(names) == 1 else 'ses feuilles sont'} {listed} : "
                "indiquez le nom exact de la feuille à lire (sheet) dans la configuration"
            )
        return [
            [_xlsx_cell(value) for value in row] for row in worksheet.iter_rows(values_only=True)
        ]
    finally:
        workbook.close()


def _loosely(sheet: str, names: Sequence[str]) -> str | None:
    """The one sheet whose name matches ``sheet`` but for case, accents and spaces."""
    found = [name for name in names if normalize_label(name) == normalize_label(sheet)]
    return found[0] if len(found) == 1 else None


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
