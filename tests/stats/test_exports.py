"""Exports of protected tables, read back with the tools their users have: the csv module,
openpyxl, zipfile and Frictionless. The tables come from the stats service over a generated
federation whose true figures the test knows, so it can look for every hidden value in the
bytes of every file."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import frictionless
import openpyxl
import pytest
from sqlalchemy import Engine

from bench.federation import Federation, generate_federation
from cae_contract.periods import Period
from hub.db import session_factory
from hub.stats.exports import (
    content_disposition,
    csv_bytes,
    datapackage_zip,
    export_table,
    xlsx_bytes,
)
from hub.stats.lattice import cell_id
from hub.stats.repository import StatsRepository
from hub.stats.schemas import StatsCell, StatsTable
from hub.stats.served import table_keys
from hub.stats.service import clear_caches, stats_service
from tests.databases import settings_for
from tests.factories import create_staff
from tests.stats.linked import truth
from tests.stats.tables import load_federation

PERIOD = "2025-S1"
# (indicator, breakdown, kind): amounts have values distinctive enough to search for.
QUERIES = [
    ("revenue_eur", ("trade", "departement"), "amount"),
    ("revenue_eur", ("trade",), "amount"),
    ("gross_payroll_eur", ("trade",), "amount"),
    ("entrepreneurs", ("trade", "sex"), "persons"),
    ("exits", ("exit_reason",), "persons"),
    ("support_staff_fte", (), "amount"),
]


@dataclass
class Exported:
    """The tables of the queries, published and draft, with the true value of each cell."""

    published: dict[tuple[str, tuple[str, ...]], StatsTable]
    draft: StatsTable
    truth: dict[tuple[str, tuple[str, ...]], dict[tuple[str | None, ...], float]]

    def value_of(self, table: StatsTable, cell: StatsCell) -> float:
        """The true value of a cell, published or not."""
        key = (table.indicator.code, tuple(table.by))
        return self.truth[key][tuple(cell.dims[d] for d in table.by)]

    def hidden(self) -> list[tuple[StatsTable, float]]:
        return [
            (table, self.value_of(table, cell))
            for table in self.published.values()
            for cell in table.cells
            if cell.suppressed is not None
        ]


def _truth(
    federation: Federation, indicator: str, by: tuple[str, ...], recode: Mapping[str, Any]
) -> dict:
    """The true value of every cell of the table, as the publication groups categories."""
    lattice = truth(federation, Period.parse(PERIOD), indicator, recode)
    codes = {d: lattice.codes.get(d, []) for d in by}
    return {key: lattice.value(cell_id(zip(by, key, strict=True))) for key in table_keys(by, codes)}


@pytest.fixture(scope="module")
def exported(engine: Engine) -> Iterator[Exported]:
    """One federation per backend, published once, rolled back at the end of the module."""
    # Published tables are cached by publication id, and rolled-back tests reuse ids: start
    # and end with an empty cache so that no other test's tables are mistaken for these.
    clear_caches()
    settings = settings_for(str(engine.url))
    federation = generate_federation(caes=14, first=PERIOD, semesters=1, seed=3, dominant=1)
    with engine.connect() as connection:
        transaction = connection.begin()
        factory = session_factory(connection, join_transaction_mode="create_savepoint")
        with factory() as session:
            load_federation(session, federation)
            staff = create_staff(session)
            stats_service.publish(session, period_text=PERIOD, staff=staff, settings=settings)
            published = {
                (indicator, by): stats_service.table(
                    session,
                    indicator_code=indicator,
                    period_text=PERIOD,
                    by_text=",".join(by),
                    draft=False,
                    staff=True,
                    settings=settings,
                )
                for indicator, by, _ in QUERIES
            }
            [publication] = StatsRepository(session).period_publications(PERIOD)
            assert publication.id is not None
            stored = StatsRepository(session).patterns(publication.id)
            draft = stats_service.table(
                session,
                indicator_code="revenue_eur",
                period_text=PERIOD,
                by_text="trade",
                draft=True,
                staff=True,
                settings=settings,
            )
        yield Exported(
            published,
            draft,
            {(i, by): _truth(federation, i, by, stored[i].recode) for i, by, _ in QUERIES},
        )
        transaction.rollback()
    clear_caches()


def _spellings(value: float) -> list[str]:
    """Every way a file could write ``value``: 123456.7 / 123456,70 / 123 456,7…"""
    whole, cents = f"{value:.2f}".split(".")
    grouped = re.sub(r"(\d)(?=(\d{3})+$)", r"\1 ", whole)
    decimals = {cents, cents.rstrip("0")} - {""}
    forms = {whole} if cents == "00" else set()
    for sep in (".", ","):
        forms |= {f"{whole}{sep}{d}" for d in decimals}
    for space in ("\u202f", "\u00a0", " "):
        g = grouped.replace(" ", space)
        forms |= {f"{g},{d}" for d in decimals} | ({g} if cents == "00" else set())
    return sorted(forms)


def _leaks(text: str, values: list[float]) -> list[str]:
    """The spellings of ``values`` standing alone in free text (XML, JSON, Markdown): 1234.5
    must not match inside 11234.56 or 1 234.5."""
    forms = sorted({f for v in values for f in _spellings(v)}, key=len, reverse=True)
    before = r"(?<!\d)(?<!\d[.,])(?<!\d[\u202f\u00a0 ])"
    after = r"(?!\d)(?![.,]\d)(?![\u202f\u00a0 ]\d{3})"
    return re.findall(before + "(?:" + "|".join(map(re.escape, forms)) + ")" + after, text)


def _field_leaks(text: str, values: list[float], delimiter: str) -> list[str]:
    """The CSV fields of ``text`` that spell one of ``values``."""
    forms = {f for v in values for f in _spellings(v)}
    rows = csv.reader(io.StringIO(text), delimiter=delimiter)
    return [field for row in rows for field in row if field.strip() in forms]


def _file_leaks(kind: str, content: bytes, values: list[float]) -> list[str]:
    if kind in (",", ";"):
        return _field_leaks(content.decode("utf-8-sig"), values, kind)
    found = []
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        for name in archive.namelist():
            text = archive.read(name).decode("utf-8")
            if name.endswith(".csv"):
                found += _field_leaks(text, values, ",")
            else:
                found += _leaks(text, values)
    return found


def _files(table: StatsTable) -> dict[str, bytes]:
    return {
        ",": csv_bytes(table),
        ";": csv_bytes(table, separator=";"),
        "xlsx": xlsx_bytes(table),
        "datapackage": datapackage_zip(table),
    }


def test_the_federation_has_hidden_amounts_to_look_for(exported: Exported) -> None:
    hidden = exported.hidden()
    amounts = [v for t, v in hidden if t.indicator.kind == "amount"]
    assert len(amounts) >= 5
    assert all(v >= 100 for v in amounts), "values large enough to be told apart"


def test_no_hidden_value_reaches_any_file(exported: Exported) -> None:
    by_table: dict[int, tuple[StatsTable, list[float]]] = {}
    for table, value in exported.hidden():
        if table.indicator.kind == "amount":
            by_table.setdefault(id(table), (table, []))[1].append(value)
    for table, values in by_table.values():
        for kind, content in _files(table).items():
            found = _file_leaks(kind, content, values)
            assert found == [], (kind, table.indicator.code, table.by)


def test_the_search_finds_a_value_that_is_there(exported: Exported) -> None:
    """Publish one hidden cell on purpose: every file must then be caught holding it."""
    for table, value in exported.hidden():
        if table.indicator.kind != "amount":
            continue
        index = next(
            i
            for i, c in enumerate(table.cells)
            if c.suppressed is not None and exported.value_of(table, c) == value
        )
        cells = list(table.cells)
        cells[index] = cells[index].model_copy(
            update={"value": value, "suppressed": None, "contributors": 3}
        )
        leaky = table.model_copy(update={"cells": cells})
        for kind, content in _files(leaky).items():
            assert _file_leaks(kind, content, [value]), kind
        return
    pytest.fail("no hidden amount")


@pytest.mark.parametrize(
    ("key", "value_header"),
    [
        (("revenue_eur", ("trade", "departement")), "Chiffre d'affaires HT (EUR)"),
        (
            ("entrepreneurs", ("trade", "sex")),
            "Entrepreneurs (stock en fin de période) (personnes)",
        ),
    ],
)
def test_csv_rows_match_the_table(
    exported: Exported, key: tuple[str, tuple[str, ...]], value_header: str
) -> None:
    table = exported.published[key]
    first, second = table.by
    content = csv_bytes(table)
    assert content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))
    assert rows[0] == [
        "Métier du bâtiment (code NAF) (code)",
        "Métier du bâtiment (code NAF)",
        f"{'Département' if second == 'departement' else 'Sexe'} (code)",
        "Département" if second == "departement" else "Sexe",
        value_header,
        "CAE contributrices",
        "Statut",
        "Motif",
    ]
    assert len(rows) == len(table.cells) + 1
    for row, cell in zip(rows[1:], table.cells, strict=True):
        assert row[0] == (cell.dims[first] or "Total")
        assert row[2] == (cell.dims[second] or "Total")
        if cell.suppressed is None:
            assert row[6] == "publiée"
            assert float(row[4]) == pytest.approx(cell.value)
            assert int(row[5]) == cell.contributors
            assert row[7] == ""
        else:
            assert row[4:6] == ["", ""]
            expected = "secret secondaire" if cell.suppressed == "secondary" else "secret primaire"
            assert row[6] == expected
            assert row[7] == table.legend[cell.suppressed.value]
    statuses = {r[6] for r in rows[1:]}
    assert {"publiée", "secret primaire"} <= statuses
    if table.indicator.kind == "persons":
        assert "secret secondaire" in statuses
    assert rows[-1][:4] == ["Total", "Total", "Total", "Total"]


def test_semicolon_csv_uses_a_decimal_comma(exported: Exported) -> None:
    table = exported.published[("revenue_eur", ("trade",))]
    rows = list(
        csv.reader(io.StringIO(csv_bytes(table, separator=";").decode("utf-8-sig")), delimiter=";")
    )
    values = {(r[0]): r[2] for r in rows[1:] if r[4] == "publiée"}
    cells = {c.dims["trade"] or "Total": c.value for c in table.cells if c.suppressed is None}
    assert values.keys() == cells.keys()
    for code, text in values.items():
        assert "." not in text
        assert float(text.replace(",", ".")) == pytest.approx(cells[code])
    assert any("," in text for text in values.values())


def test_persons_are_whole_numbers_and_a_table_without_breakdown_has_one_row(
    exported: Exported,
) -> None:
    persons = exported.published[("entrepreneurs", ("trade", "sex"))]
    rows = list(csv.reader(io.StringIO(csv_bytes(persons).decode("utf-8-sig"))))
    assert all(re.fullmatch(r"\d+", r[4]) for r in rows[1:] if r[6] == "publiée")
    total = exported.published[("support_staff_fte", ())]
    rows = list(csv.reader(io.StringIO(csv_bytes(total).decode("utf-8-sig"))))
    assert rows[0][0] == "Équipe d'appui (ETP) (ETP)"
    assert len(rows) == 2


def test_workbook_states_its_source_and_rules(exported: Exported) -> None:
    table = exported.published[("revenue_eur", ("trade", "departement"))]
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(table)))
    sheet = book["Tableau"]
    lines = [str(c.value) for c in sheet["A"] if c.value is not None]
    heading = "\n".join(lines[:10])
    assert "Source : Fédération des CAE du bâtiment — cae-hub" in heading
    assert "Chiffre d'affaires HT" in lines[0] and "1er semestre 2025" in lines[0]
    assert "Période : 1er semestre 2025 (2025-S1)" in heading
    assert re.search(r"Publication : publication n° 1 du \d+ \w+ 2\d{3} à", heading)
    assert "moins de 3 CAE contributrices" in heading
    assert "plus de 85 % de la valeur" in heading
    assert "10 %" in heading

    header = next(
        r for r in range(1, 20) if sheet.cell(r, 1).value == "Métier du bâtiment (code NAF) (code)"
    )
    assert sheet.freeze_panes == f"E{header + 1}"
    assert sheet.column_dimensions["B"].width > sheet.column_dimensions["A"].width
    for offset, cell in enumerate(table.cells, start=1):
        value = sheet.cell(header + offset, 5)
        if cell.suppressed is None:
            assert value.value == pytest.approx(cell.value)
            assert value.number_format == "#,##0.00"
        else:
            assert value.value == "s"
            assert sheet.cell(header + offset, 6).value is None
            assert sheet.cell(header + offset, 7).value in {"secret primaire", "secret secondaire"}
    legend = [str(c.value) for c in sheet["A"][header + len(table.cells) :] if c.value]
    assert legend[0].startswith("s : valeur couverte par le secret statistique")
    assert any(line.startswith("Secret secondaire :") for line in legend)


def test_draft_workbook_says_it_is_not_published(exported: Exported) -> None:
    book = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(exported.draft)))
    heading = "\n".join(str(c.value) for c in book["Tableau"]["A"][:10] if c.value)
    assert "brouillon non publié" in heading
    assert "(brouillon)" in book["Tableau"]["A1"].value
    persons = exported.published[("entrepreneurs", ("trade", "sex"))]
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(persons)))["Tableau"]
    rules = next(str(c.value) for c in sheet["A"] if str(c.value).startswith("Règles"))
    assert "effectif de 1 ou 2 personnes" in rules
    assert "85 %" not in rules


@pytest.mark.parametrize("key", [(i, by) for i, by, _ in QUERIES])
def test_data_packages_pass_frictionless_validation(
    exported: Exported, tmp_path: Path, key: tuple[str, tuple[str, ...]]
) -> None:
    table = exported.published[key]
    with zipfile.ZipFile(io.BytesIO(datapackage_zip(table))) as archive:
        names = archive.namelist()
        archive.extractall(tmp_path)
    assert names[:2] == ["datapackage.json", "tableschema.json"]
    report = frictionless.validate(tmp_path / "datapackage.json")
    assert report.valid, report.flatten(["type", "note"])
    package = json.loads((tmp_path / "datapackage.json").read_text("utf-8"))
    assert package["sources"][0]["title"] == "Fédération des CAE du bâtiment — cae-hub"
    assert (tmp_path / package["licenses"][0]["path"]).read_text("utf-8").startswith("# Conditions")
    schema = json.loads((tmp_path / "tableschema.json").read_text("utf-8"))
    assert schema["missingValues"] == [""]
    value_field = schema["fields"][2 * len(table.by)]
    assert value_field["type"] == ("integer" if table.indicator.kind == "persons" else "number")
    assert "secret statistique" in value_field["description"]
    rows = frictionless.Resource(tmp_path / package["resources"][0]["path"]).read_rows()
    assert len(rows) == len(table.cells)


def test_frictionless_reads_suppressed_cells_as_missing(exported: Exported, tmp_path: Path) -> None:
    table = exported.published[("revenue_eur", ("trade", "departement"))]
    with zipfile.ZipFile(io.BytesIO(datapackage_zip(table))) as archive:
        archive.extractall(tmp_path)
    package = frictionless.Package(tmp_path / "datapackage.json")
    rows = package.resources[0].read_rows()
    value = "Chiffre d'affaires HT (EUR)"
    for row, cell in zip(rows, table.cells, strict=True):
        if cell.suppressed is None:
            assert float(row[value]) == pytest.approx(cell.value)
        else:
            assert row[value] is None
            assert row["CAE contributrices"] is None
            assert row["Statut"] in {"secret primaire", "secret secondaire"}


def test_exports_are_reproducible(exported: Exported) -> None:
    table = exported.published[("revenue_eur", ("trade",))]
    assert datapackage_zip(table) == datapackage_zip(table)
    assert csv_bytes(table) == csv_bytes(table)


def test_export_bundles_name_their_files(exported: Exported) -> None:
    table = exported.published[("entrepreneurs", ("trade", "sex"))]
    bundle = export_table(table, "xlsx")
    assert bundle.media_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert bundle.ascii_filename == "entrepreneurs_2025-S1_trade-sex.xlsx"
    assert bundle.filename == (
        "Entrepreneurs (stock en fin de période) — 1er semestre 2025, "
        "par métier du bâtiment (code NAF) et sexe.xlsx"
    )
    header = bundle.content_disposition
    assert header.startswith('attachment; filename="entrepreneurs_2025-S1_trade-sex.xlsx"; ')
    assert "filename*=UTF-8''Entrepreneurs%20%28stock%20en%20fin%20de%20p%C3%A9riode%29" in header
    header.encode("ascii")  # an HTTP header must be plain ASCII
    draft = export_table(exported.draft, "datapackage")
    assert draft.media_type == "application/zip"
    assert draft.ascii_filename == "revenue_eur_2025-S1_trade_brouillon.zip"
    assert draft.filename.endswith("(brouillon).zip")
    semicolon = export_table(table, "csv", separator=";")
    assert semicolon.media_type == "text/csv; charset=utf-8"
    assert semicolon.content == csv_bytes(table, separator=";")


def test_content_disposition_percent_encodes_the_utf8_name() -> None:
    header = content_disposition('a/b:c"d.csv', "abcd.csv")
    assert header == "attachment; filename=\"abcd.csv\"; filename*=UTF-8''a%2Fb%3Ac%22d.csv"
