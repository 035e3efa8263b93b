"""Writing the demonstration's files: tables as CSV or XLSX, TOML, secrets.

A table is written the way a given piece of software or a given person would: separator,
encoding, date and number format, title lines above the header in a workbook.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

Value = str | int | Decimal | date | None
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class TableStyle:
    """How a table is laid out in its file."""

    xlsx: bool = False
    delimiter: str = ","
    encoding: str = "utf-8"
    french: bool = False  # dates 31/12/2025 and decimal commas, as a French spreadsheet
    thousands: str = ""  # thousands separator of French numbers
    titles: tuple[str, ...] = ()  # lines above the header (workbooks)

    @property
    def suffix(self) -> str:
        return ".xlsx" if self.xlsx else ".csv"


def write_table(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Value]], style: TableStyle
) -> None:
    if style.xlsx:
        _write_xlsx(path, header, rows, style)
    else:
        _write_csv(path, header, rows, style)


def _write_csv(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Value]], style: TableStyle
) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=style.delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_text(value, style) for value in row])
    path.write_bytes(buffer.getvalue().encode(style.encoding))


def _text(value: Value, style: TableStyle) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y") if style.french else value.isoformat()
    if isinstance(value, Decimal):
        if not style.french:
            return format(value, "f")
        whole, _, decimals = format(value, ",.2f").partition(".")
        return f"{whole.replace(',', style.thousands)},{decimals}"
    return str(value)


def _write_xlsx(
    path: Path, header: Sequence[str], rows: Iterable[Sequence[Value]], style: TableStyle
) -> None:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Export")
    for title in style.titles:
        sheet.append([title])
    if style.titles:
        sheet.append([])
    sheet.append(list(header))
    for row in rows:
        sheet.append([float(v) if isinstance(v, Decimal) else v for v in row])
    workbook.save(path)


def write_toml(path: Path, comment: Sequence[str], document: Mapping[str, Any]) -> None:
    """A TOML file: ``document`` maps section names to tables (nested tables allowed)."""
    lines = [f"# {line}" if line else "#" for line in comment]
    for name, table in document.items():
        _toml_table(lines, name, table)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _toml_table(lines: list[str], name: str, table: Mapping[str, Any]) -> None:
    lines.append("")
    lines.append(f"[{name}]")
    nested = []
    for key, value in table.items():
        if isinstance(value, Mapping):
            nested.append((key, value))
        else:
            lines.append(f"{_toml_key(key)} = {_toml_value(value)}")
    for key, value in nested:
        _toml_table(lines, f"{name}.{_toml_key(key)}", value)


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    raise TypeError(f"no TOML form for {type(value).__name__}")


def write_secret(path: Path, secret: str) -> None:
    """A file only its owner can read (0600), created so from the start."""
    if path.exists():
        path.unlink()
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        handle.write(secret + "\n")
