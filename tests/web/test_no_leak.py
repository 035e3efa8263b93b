"""Suppressed values never reach a page, a chart or an export served by the dashboard.

The test computes the true value of every hidden cell from the reports themselves, then
looks for it, written every way a page or a file could write it, in what the hub serves.
"""

from __future__ import annotations

import bisect
import io
import itertools
import re
import zipfile

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from cae_contract.catalogue import get_catalogue
from hub.stats.lattice import build_lattice, cell_id
from hub.stats.patterns import region_of, table_dims
from hub.stats.repository import StatsRepository
from hub.stats.schemas import StatsTable
from hub.stats.service import gather, stats_service
from tests.web.conftest import DRAFT, PUBLISHED

QUERIES = [
    ("revenue_eur", ("trade",), PUBLISHED[1]),
    ("revenue_eur", ("trade", "departement"), PUBLISHED[1]),
    ("revenue_eur", ("departement",), DRAFT),
    ("gross_payroll_eur", ("trade",), PUBLISHED[0]),
]


def _table(
    session: Session, client: TestClient, indicator: str, by: tuple[str, ...], period: str
) -> StatsTable:
    return stats_service.table(
        session,
        indicator_code=indicator,
        period_text=period,
        by_text=",".join(by) or None,
        draft=period == DRAFT,
        staff=True,
        settings=client.app.state.settings,  # type: ignore[attr-defined]
    )


def hidden_values(session: Session, table: StatsTable) -> list[float]:
    """The true value of every suppressed cell, margins included, from the raw reports."""
    repository = StatsRepository(session)
    publication = None
    if table.source.status == "published":
        publication = repository.latest_publication(table.period)
        assert publication is not None and publication.id is not None
        reports = repository.published_reports(publication.id)
    else:
        reports = repository.current_reports(table.period)
    indicator = get_catalogue().indicators[table.indicator.code]
    if table.source.status == "published":
        # Published tables group rare categories as their stored pattern says.
        assert publication is not None and publication.id is not None
        recode = repository.patterns(publication.id)[indicator.code].recode
        scale = 1 if indicator.kind == "persons" else 100
        lattice = build_lattice(
            indicator.code,
            table_dims(indicator),
            [
                (report, dim_set, dims, centi // 100 if scale == 1 else centi / 100)
                for code, report, dim_set, dims, centi in repository.revision_cells(
                    [r.id for r in reports.values() if r.id is not None]
                )
                if code == indicator.code
            ],
            region_of=region_of(),
            recode=recode,
        )
        return [
            lattice.value(cell_id(cell.dims.items()))
            for cell in table.cells
            if cell.suppressed is not None
        ]
    rows = repository.cells([r.id for r in reports.values() if r.id is not None], indicator.code)
    interior = gather(rows, kind=indicator.kind, by=table.by, fixed={})
    truth: dict[tuple[str | None, ...], float] = {}
    for key, parts in interior.items():
        for mask in itertools.product([False, True], repeat=len(key)):
            margin = tuple(None if m else k for k, m in zip(key, mask, strict=True))
            truth[margin] = truth.get(margin, 0.0) + sum(parts.values())
    values = []
    for cell in table.cells:
        if cell.suppressed is not None:
            values.append(truth[tuple(cell.dims.get(d) for d in table.by)])
    return values


NUMBER = re.compile(r"\d(?:[\d\u202f\u00a0]*\d)?(?:[.,]\d+)?")


def numbers_in(text: str) -> list[float]:
    """Every number written in ``text``, in any of the ways the hub writes numbers (grouped
    with narrow no-break spaces, decimal comma or point), sorted."""
    found = []
    for token in NUMBER.findall(text):
        plain = token.replace("\u202f", "").replace("\u00a0", "").replace(",", ".")
        found.append(float(plain))
    return sorted(found)


def written(value: float, numbers: list[float]) -> bool:
    """Whether ``value`` is among ``numbers``, as written or rounded to the unit."""
    for target, tolerance in ((value, 0.006), (float(round(value)), 0.0)):
        at = bisect.bisect_left(numbers, target - tolerance)
        if at < len(numbers) and numbers[at] <= target + tolerance:
            return True
    return False


def _xlsx_values(content: bytes) -> list[object]:
    workbook = openpyxl.load_workbook(io.BytesIO(content))
    return [
        c for sheet in workbook.worksheets for row in sheet.iter_rows(values_only=True) for c in row
    ]


@pytest.mark.parametrize(("indicator", "by", "period"), QUERIES)
def test_hidden_values_appear_nowhere(
    staff_client: TestClient, session: Session, indicator: str, by: tuple[str, ...], period: str
) -> None:
    table = _table(session, staff_client, indicator, by, period)
    # Amounts only: small counts could be written anywhere for other reasons.
    hidden = [v for v in hidden_values(session, table) if v >= 5000]
    assert hidden, "amounts this federation hides should exist"
    query = f"indicateur={indicator}&periode={period}" + "".join(f"&par={d}" for d in by)
    texts = {
        "page": staff_client.get(f"/statistiques?{query}").text,
        "csv": staff_client.get(f"/statistiques/export?{query}&format=csv").content.decode(
            "utf-8-sig"
        ),
        "csv;": staff_client.get(
            f"/statistiques/export?{query}&format=csv&separateur=point-virgule"
        ).content.decode("utf-8-sig"),
    }
    package = staff_client.get(f"/statistiques/export?{query}&format=datapackage")
    with zipfile.ZipFile(io.BytesIO(package.content)) as archive:
        for name in archive.namelist():
            texts[name] = archive.read(name).decode("utf-8-sig")
    if by[:1] == ("trade",):
        texts["trend"] = staff_client.get(f"/statistiques?{query}&vue=evolution").text
    numbers = {where: numbers_in(text) for where, text in texts.items()}
    workbook = _xlsx_values(staff_client.get(f"/statistiques/export?{query}&format=xlsx").content)
    numbers["xlsx"] = sorted(
        [float(c) for c in workbook if isinstance(c, int | float)]
        + [n for c in workbook if isinstance(c, str) for n in numbers_in(c)]
    )
    # The search would find a value if one were there: published ones are found.
    shown = [c.value for c in table.cells if c.value is not None and c.suppressed is None]
    for where in ["page", "csv", "csv;", "xlsx"] if shown else []:
        assert any(written(v, numbers[where]) for v in shown), where
    for value in hidden:
        leaks = [where for where, found in numbers.items() if written(value, found)]
        assert not leaks, f"hidden value {value} written in {leaks}"


def test_the_overview_hides_what_is_suppressed(staff_client: TestClient, session: Session) -> None:
    html = staff_client.get(f"/tableau-de-bord?periode={PUBLISHED[1]}").text
    for indicator in ["revenue_eur", "entrepreneurs", "support_staff_fte"]:
        table = _table(session, staff_client, indicator, (), PUBLISHED[1])
        numbers = numbers_in(html)
        for value in hidden_values(session, table):
            assert value < 5000 or not written(value, numbers)


def test_exports_are_served_as_files(staff_client: TestClient) -> None:
    query = f"indicateur=revenue_eur&periode={PUBLISHED[1]}&par=trade"
    csv = staff_client.get(f"/statistiques/export?{query}&format=csv&separateur=point-virgule")
    assert csv.status_code == 200
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.content.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM, for spreadsheets
    assert ";" in csv.content.decode("utf-8-sig").splitlines()[0]
    assert "attachment;" in csv.headers["content-disposition"]
    xlsx = staff_client.get(f"/statistiques/export?{query}&format=xlsx")
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert _xlsx_values(xlsx.content)
    package = staff_client.get(f"/statistiques/export?{query}&format=datapackage")
    assert package.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(package.content)) as archive:
        assert "datapackage.json" in archive.namelist()
