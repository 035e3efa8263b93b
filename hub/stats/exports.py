"""A protected table as files: CSV, Excel workbook, Frictionless data package (what they
say is laid out in :mod:`hub.stats.export_layout`).

All three are written from the published :class:`~hub.stats.schemas.StatsTable` alone, whose
suppressed cells carry no value: a hidden value cannot reach a file because it never reaches
this module. A suppressed cell is an empty value with its status (« secret primaire » or
« secret secondaire ») and the reason in words.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Literal
from urllib.parse import quote

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cae_contract.format import fr_period
from hub.stats.disclosure import Reason, reason_label
from hub.stats.export_layout import (
    HIDDEN_MARK,
    PRIMARY,
    PUBLISHED,
    SECONDARY,
    SOURCE,
    TOTAL,
    ascii_filename,
    breakdown,
    columns,
    definition,
    dimension_title,
    french_filename,
    primary_reasons,
    provisional_note,
    publication_text,
    rows,
    rules_of,
    rules_text,
    timestamp,
    title_of,
)
from hub.stats.schemas import StatsTable

__all__ = [
    "EXPORT_FORMATS",
    "MEDIA_TYPES",
    "SOURCE",
    "Export",
    "ExportFormat",
    "content_disposition",
    "csv_bytes",
    "datapackage_zip",
    "export_table",
    "xlsx_bytes",
]

ExportFormat = Literal["csv", "xlsx", "datapackage"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("csv", "xlsx", "datapackage")
MEDIA_TYPES: dict[ExportFormat, str] = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "datapackage": "application/zip",
}
_EXTENSIONS: dict[ExportFormat, str] = {"csv": "csv", "xlsx": "xlsx", "datapackage": "zip"}


def _plain(value: float, decimal_char: str) -> str:
    """A number as data: no grouping, no exponent, no needless ``.0``."""
    if value == int(value):
        return str(int(value))
    return format(Decimal(repr(value)), "f").replace(".", decimal_char)


def csv_bytes(
    table: StatsTable,
    *,
    separator: Literal[",", ";"] = ",",
    bom: bool = True,
    note: bool = True,
) -> bytes:
    """The table as CSV with French headers, one row per cell (margins labelled « Total »);
    a provisional publication ends with a note line saying so.

    With ``separator=";"`` numbers take a decimal comma, as French spreadsheets expect. The
    byte-order mark lets spreadsheets recognise UTF-8; ``bom=False`` leaves it out for tools
    that read plain UTF-8 (the data package, whose CSV must match its schema: ``note=False``,
    the package says it in its description)."""
    decimal_char = "," if separator == ";" else "."
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=separator, lineterminator="\r\n")
    writer.writerow([c.name for c in columns(table)])
    for row in rows(table):
        writer.writerow(
            [
                "" if v is None else _plain(v, decimal_char) if isinstance(v, float | int) else v
                for v in row
            ]
        )
    line = provisional_note(table) if note else None
    if line is not None:
        writer.writerow([line])
    return buffer.getvalue().encode("utf-8-sig" if bom else "utf-8")


# -- Excel ------------------------------------------------------------------------------------

_BOLD = Font(bold=True)
_HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")
_MUTED = Font(color="595959")


def _number_format(table: StatsTable) -> str:
    kind = table.indicator.kind
    return "#,##0" if kind == "persons" else "0.0" if kind == "ratio" else "#,##0.00"


def xlsx_bytes(table: StatsTable, *, exported_at: datetime | None = None) -> bytes:
    """The table as an Excel workbook: a heading that states the source, indicator,
    semester, publication (or « brouillon non publié ») and disclosure rules, then the table
    (numbers formatted, header frozen, filters on), suppressed cells marked « s », and the
    legend underneath."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.title = "Tableau"
    info = table.indicator
    heading: list[tuple[str, str]] = [
        ("Source", SOURCE),
        ("Indicateur", f"{info.label} ({info.unit}) — code {info.code}"),
        ("Définition", definition(table)),
        ("Période", f"{fr_period(table.period)} ({table.period})"),
        ("Ventilation", breakdown(table)),
        ("Publication", publication_text(table)),
        ("CAE incluses", str(table.source.members_included)),
        ("Règles de diffusion", rules_text(table)),
    ]
    line = provisional_note(table)
    if line is not None:
        heading.insert(0, ("Statut", line.removeprefix("Note : ")))
    sheet.append([title_of(table)])
    sheet["A1"].font = Font(bold=True, size=14)
    for label, text in heading:
        sheet.append([f"{label} : {text}"])
    sheet.append([])
    cols = columns(table)
    sheet.append([c.name for c in cols])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    value_col = 2 * len(table.by) + 1
    number_format = _number_format(table)
    for row in rows(table):
        shown = [HIDDEN_MARK if i == value_col - 1 and v is None else v for i, v in enumerate(row)]
        sheet.append(shown)
        value = sheet.cell(sheet.max_row, value_col)
        if row[value_col - 1] is None:
            value.font = _MUTED
            value.alignment = Alignment(horizontal="right")
        else:
            value.number_format = number_format
    last_row = sheet.max_row
    sheet.append([])
    for line in _legend_lines(table):
        sheet.append([line])
        sheet.cell(sheet.max_row, 1).font = _MUTED
    sheet.freeze_panes = sheet.cell(header_row + 1, value_col).coordinate
    sheet.auto_filter.ref = f"A{header_row}:{get_column_letter(len(cols))}{last_row}"
    sheet.print_title_rows = f"{header_row}:{header_row}"
    sheet.page_setup.orientation = "landscape"
    _widths(sheet, header_row, last_row, len(cols))
    book.properties.title = title_of(table)
    book.properties.creator = SOURCE
    moment = timestamp(table, exported_at).astimezone(UTC).replace(tzinfo=None)
    book.properties.created = moment
    book.properties.modified = moment
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _legend_lines(table: StatsTable) -> list[str]:
    rules = rules_of(table)
    return [
        f"{HIDDEN_MARK} : valeur couverte par le secret statistique, jamais diffusée "
        "(« Statut » et « Motif » disent pourquoi).",
        f"{PRIMARY.capitalize()} : la cellule exposerait une CAE ("
        + " ; ".join(reason_label(r, rules) for r in primary_reasons(table))
        + ").",
        f"{SECONDARY.capitalize()} : {reason_label(Reason.SECONDARY, rules)}.",
        f"{TOTAL} : marge qui réunit toutes les catégories de la dimension.",
    ]


def _widths(sheet: Worksheet, first: int, last: int, count: int) -> None:
    for index in range(1, count + 1):
        texts = [
            str(sheet.cell(r, index).value or "")
            for r in range(first, last + 1)
            if sheet.cell(r, index).value is not None
        ]
        width = max((len(t) for t in texts), default=8)
        sheet.column_dimensions[get_column_letter(index)].width = min(60, max(10, width + 2))


# -- Frictionless data package ----------------------------------------------------------------

CONDITIONS = "conditions-utilisation.md"
_CONDITIONS_TEXT = """# Conditions d'utilisation

Ces tableaux sont produits par la {source} à partir des rapports d'indicateurs de ses CAE
membres. Ils sont protégés par le secret statistique : une cellule qui exposerait une CAE est
masquée (secret primaire), ainsi que les cellules qui permettraient de la recalculer (secret
secondaire). Les valeurs masquées ne sont jamais diffusées.

- Diffusion : CAE membres et équipe de la fédération.
- Réutilisation : citer la source « {source} », la période et le numéro de publication.
- Interdit : chercher à reconstituer une valeur masquée ou le chiffre d'une CAE.
"""


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def datapackage_zip(table: StatsTable, *, exported_at: datetime | None = None) -> bytes:
    """The table as a zipped Frictionless (tabular) data package: ``datapackage.json``, the
    CSV (plain UTF-8, comma, decimal point), its Table Schema with French field descriptions
    (suppressed values are missing values) and the conditions of use."""
    base = ascii_filename(table, "")
    data_path = f"{base}.csv"
    fields = []
    for column in columns(table):
        field: dict[str, Any] = {
            "name": column.name,
            "title": column.name,
            "type": column.type,
            "description": column.description,
        }
        if column.name == "Statut":
            field["constraints"] = {"required": True, "enum": [PUBLISHED, PRIMARY, SECONDARY]}
        elif column.type != "string":
            field["constraints"] = {"minimum": 0}
        else:
            field["constraints"] = {"required": column.name != "Motif"}
        fields.append(field)
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    if table.by:
        schema["primaryKey"] = [f"{dimension_title(d)} (code)" for d in table.by]
    created = timestamp(table, exported_at).astimezone(UTC)
    note = provisional_note(table)
    package = {
        "profile": "tabular-data-package",
        "name": _slug(f"cae-hub {base}"),
        "title": title_of(table),
        "description": (
            f"{definition(table)} Période : {fr_period(table.period)}. Ventilation : "
            f"{breakdown(table)}. Publication : {publication_text(table)}. "
            f"CAE incluses : {table.source.members_included}. {rules_text(table)}"
            + (f" {note}" if note else "")
        ),
        "created": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "keywords": ["CAE", "bâtiment", "coopératives d'activité et d'emploi", table.period],
        "licenses": [
            {
                "path": CONDITIONS,
                "title": "Diffusion aux CAE membres et à la fédération, source à citer",
            }
        ],
        "sources": [{"title": SOURCE}],
        "contributors": [{"title": SOURCE, "role": "publisher"}],
        "resources": [
            {
                "name": _slug(base),
                "path": data_path,
                "profile": "tabular-data-resource",
                "title": title_of(table),
                "description": "Une ligne par cellule du tableau, marges comprises.",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "dialect": {"delimiter": ",", "doubleQuote": True, "header": True},
                "schema": "tableschema.json",
            }
        ],
    }
    members = [
        ("datapackage.json", _json(package)),
        ("tableschema.json", _json(schema)),
        (data_path, csv_bytes(table, bom=False, note=False)),
        (CONDITIONS, _CONDITIONS_TEXT.format(source=SOURCE).encode("utf-8")),
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members:
            # A fixed date and mode: the same table always gives the same bytes.
            entry = zipfile.ZipInfo(name, date_time=created.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            archive.writestr(entry, content)
    return buffer.getvalue()


def _json(document: dict[str, Any]) -> bytes:
    return (json.dumps(document, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# -- file names and the bundle the endpoints serve --------------------------------------------


def content_disposition(utf8_name: str, ascii_name: str) -> str:
    """An attachment header with an ASCII name for old clients and the UTF-8 one (RFC 6266,
    RFC 5987) for the others."""
    encoded = quote(utf8_name, safe="!#$&+-.^_`|~")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{encoded}"


@dataclass(frozen=True)
class Export:
    """One export ready to serve."""

    content: bytes
    media_type: str
    filename: str
    ascii_filename: str

    @property
    def content_disposition(self) -> str:
        return content_disposition(self.filename, self.ascii_filename)


def export_table(
    table: StatsTable,
    format: ExportFormat,
    *,
    separator: Literal[",", ";"] = ",",
    exported_at: datetime | None = None,
) -> Export:
    """The table in ``format``, with its media type and file names."""
    if format == "csv":
        content = csv_bytes(table, separator=separator)
    elif format == "xlsx":
        content = xlsx_bytes(table, exported_at=exported_at)
    else:
        content = datapackage_zip(table, exported_at=exported_at)
    extension = _EXTENSIONS[format]
    return Export(
        content,
        MEDIA_TYPES[format],
        french_filename(table, extension),
        ascii_filename(table, extension),
    )
