"""Exports downloaded through the browser from the explorer, read back with csv and openpyxl:
the values are the page's, and a suppressed cell is empty in every file."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from hub.stats.disclosure import CellKey
from tests.web_e2e.browser import Visitor
from tests.web_e2e.checks import assert_no_hidden_value
from tests.web_e2e.dataset import PUBLISHED, Cell, Dataset
from tests.web_e2e.leaks import secrets
from tests.web_e2e.reading import ShownCell, grid, read_table, shown_value

PERIOD = PUBLISHED[-1]
STATUS = {"primary": "secret primaire", "secondary": "secret secondaire"}


@dataclass(frozen=True)
class Case:
    indicator: str
    by: tuple[str, ...]

    @property
    def url(self) -> str:
        par = "".join(f"&par={d}" for d in self.by)
        return f"/statistiques?indicateur={self.indicator}&periode={PERIOD}{par}&vue=tableau"

    def named(self, file_name: str, extension: str) -> bool:
        """The browser saves the file under the table's French title."""
        return file_name.endswith(f".{extension}") and "1er semestre 2025" in file_name


CASES = [
    pytest.param(Case("entrepreneurs", ("trade", "sex")), id="personnes"),
    pytest.param(Case("revenue_eur", ("trade", "departement")), id="montants"),
]


@dataclass(frozen=True)
class Row:
    value: Decimal | None
    contributors: int | None
    status: str
    reason: str


def download(visitor: Visitor, link_name: str, folder: Path) -> tuple[str, Path]:
    """Click an export link as a person would; the file's name and where it was saved."""
    page = visitor.page
    link = page.get_by_role("link", name=link_name, exact=True)
    assert link.get_attribute("download") is not None, link_name
    with page.expect_download() as started:
        link.click()
    done = started.value
    assert done.failure() is None, done.failure()
    name = done.suggested_filename
    folder.mkdir(exist_ok=True)
    target = folder / name
    done.save_as(target)
    return name, target


def key_of(codes: list[Any], by: tuple[str, ...]) -> CellKey:
    return tuple(None if code == "Total" else str(code) for code in codes[: len(by)])


def csv_rows(
    path: Path, by: tuple[str, ...], separator: str
) -> tuple[list[str], dict[CellKey, Row]]:
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "CSV sans BOM UTF-8"
    reader = csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=separator)
    header, *lines = list(reader)
    rows: dict[CellKey, Row] = {}
    width = 2 * len(by)
    for line in lines:
        assert len(line) == width + 4, line
        value, contributors, status, reason = line[width:]
        number = Decimal(value.replace(",", ".")) if value else None
        rows[key_of(line[0:width:2], by)] = Row(
            number, int(contributors) if contributors else None, status, reason
        )
    return header, rows


def xlsx_rows(path: Path, by: tuple[str, ...], header: list[str]) -> dict[CellKey, Row]:
    sheet = load_workbook(path, read_only=True, data_only=True).worksheets[0]
    lines = [list(line) for line in sheet.iter_rows(values_only=True)]
    start = next(i for i, line in enumerate(lines) if line[: len(header)] == header)
    rows: dict[CellKey, Row] = {}
    width = 2 * len(by)
    for line in lines[start + 1 :]:
        if not line or line[0] is None:
            break
        value, contributors, status, reason = line[width : width + 4]
        number = Decimal(str(value)) if isinstance(value, int | float) else None
        if number is None:
            assert value == "s", line
        rows[key_of(line[0:width:2], by)] = Row(
            number,
            contributors if isinstance(contributors, int) else None,
            str(status),
            str(reason or ""),
        )
    return rows


def check_rows(
    rows: dict[CellKey, Row], page: dict[CellKey, ShownCell], truth: dict[CellKey, Cell], kind: str
) -> None:
    """Every cell of the file is the page's cell: same value, or hidden in both."""
    assert set(rows) == set(page) == set(truth)
    for key, row in rows.items():
        shown, cell = page[key], truth[key]
        if shown.secret is None:
            assert row.value is not None and row.status == "publiée", (key, row)
            assert row.value == Decimal(str(cell.value)), (key, row, cell)
            on_page = row.value.quantize(Decimal(1), rounding=ROUND_HALF_UP)
            assert shown.number() == on_page == shown_value(kind, cell), key
            assert row.contributors == cell.contributors, key
        else:
            assert row.value is None and row.contributors is None, (key, row)
            assert row.status == STATUS[shown.secret], (key, row)
            assert row.reason, key


@pytest.mark.parametrize("case", CASES)
def test_csv_and_xlsx_exports_match_the_page_without_hidden_values(
    staff: Visitor, dataset: Dataset, case: Case, tmp_path: Path
) -> None:
    page = staff.page
    page.goto(case.url)
    truth = dataset.truth.table(PERIOD, case.indicator, case.by)
    kind = dataset.truth.kinds[case.indicator]
    assert any(c.reason is not None for c in truth.values()), "des cellules masquées attendues"
    on_page = grid(read_table(page), case.by)
    assert_no_hidden_value(page, dataset)
    hidden = secrets(dataset.truth)

    name, path = download(staff, "CSV (séparateur virgule)", tmp_path / "virgule")
    assert case.named(name, "csv"), name
    header, rows = csv_rows(path, case.by, ",")
    check_rows(rows, on_page, truth, kind)
    values = [float(r.value) for r in rows.values() if r.value is not None]
    assert not hidden.leaked_numbers(values)

    name, path = download(
        staff, "CSV (séparateur point-virgule, pour Excel)", tmp_path / "point-virgule"
    )
    assert case.named(name, "csv"), name
    semicolon_header, semicolon = csv_rows(path, case.by, ";")
    assert semicolon_header == header
    assert semicolon == rows

    name, path = download(staff, "Classeur XLSX", tmp_path / "xlsx")
    assert case.named(name, "xlsx"), name
    workbook = xlsx_rows(path, case.by, header)
    check_rows(workbook, on_page, truth, kind)
    values = [float(r.value) for r in workbook.values() if r.value is not None]
    assert not hidden.leaked_numbers(values)
    staff.watch.assert_clean()
