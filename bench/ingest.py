"""Ingest speed: one 10,000-cell report through ``PUT /v1/indicators/reports/{period}``.

Target: a 10,000-cell report is accepted and stored in under 1 second. The peer, measured in
the same run, is ``frictionless`` validating the same cells as a CSV file against an
equivalent Table Schema (code lists as enums, counts as non-negative integers, every field
required). Run with ``python -m bench.ingest``.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from frictionless import Resource, Schema, validate

from bench.federation import large_report
from bench.support import (
    Timing,
    add_member,
    bearer,
    heading,
    machine,
    measure_together,
    member_token,
    ratio,
    seconds,
    temporary_hub,
)
from cae_contract.catalogue import DIMENSION_LISTS, get_catalogue
from cae_contract.periods import Period
from cae_contract.registry import get_registry
from hub.members.schemas import complete_siren

CELLS = 10_000
LIMIT_SECONDS = 1.0
REPEAT = 7
WARMUP = 1
DIMS = ("trade", "departement", "sex", "age_band")
COLUMNS = ("indicator", *DIMS, "value")
FIRST_PERIOD = Period(2019, 1)
DRY_RUN_PERIOD = "2025-S1"
"""A period that no timed PUT stores, so that every dry run goes through every check."""

MEMBER = {
    "name": "CAE de mesure",
    "siren": complete_siren("90000000"),
    "region": "75",
    "departements": ["33"],
    "trades": ["43.21A"],
    "contact_email": "mesures@cae.example",
}


def table_schema() -> dict[str, Any]:
    """The Table Schema equivalent to what the hub checks for these cells."""
    registry = get_registry()

    def code_field(name: str, codes: list[str]) -> dict[str, Any]:
        return {
            "name": name,
            "type": "string",
            "constraints": {"required": True, "enum": codes},
        }

    return {
        "fields": [
            code_field("indicator", sorted(get_catalogue().indicators)),
            *(code_field(d, list(registry.code_list(DIMENSION_LISTS[d]))) for d in DIMS),
            {"name": "value", "type": "integer", "constraints": {"required": True, "minimum": 0}},
        ],
    }


def write_csv(document: dict[str, Any], path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for cell in document["cells"]:
            writer.writerow([cell["indicator"], *(cell["dims"][d] for d in DIMS), cell["value"]])


def frictionless_run(folder: Path, document: dict[str, Any]) -> Callable[[int], None]:
    """One validation of the cells, written once as ``cells.csv`` in ``folder``."""
    path = folder / "cells.csv"
    write_csv(document, path)
    schema = Schema.from_descriptor(table_schema())

    def run(_: int) -> None:
        report = validate(Resource(path=path.name, basepath=str(folder), schema=schema))
        if not report.valid or report.tasks[0].stats["rows"] != CELLS:
            raise RuntimeError(f"frictionless refused the cells: {report.flatten()[:3]}")

    return run


def floor_schema() -> list[str]:
    """``indicator_cell`` exactly as the hub creates it (columns, primary key, index and
    foreign key, compiled from its model), and the key of the table that foreign key names."""
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.schema import CreateIndex, CreateTable

    from hub.indicators.models import IndicatorCell

    table = IndicatorCell.__table__  # type: ignore[attr-defined]
    dialect = sqlite.dialect()
    return [
        "CREATE TABLE indicator_report (id INTEGER NOT NULL PRIMARY KEY)",
        str(CreateTable(table).compile(dialect=dialect)),
        *(str(CreateIndex(index).compile(dialect=dialect)) for index in table.indexes),
    ]


def sqlite_run(folder: Path, document: dict[str, Any]) -> Callable[[int], None]:
    """The floor: the same rows into a table shaped like ``indicator_cell`` (the hub's own
    DDL: same columns, index and foreign key) with the standard library's sqlite3 and the
    hub's pragmas (WAL, synchronous=NORMAL, foreign keys checked); per run, one transaction
    adding the parent row and the cells with one ``executemany``."""
    import sqlite3

    connection = sqlite3.connect(folder / "floor.sqlite3", isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA foreign_keys=ON")
    connection.execute("PRAGMA synchronous=NORMAL")
    for statement in floor_schema():
        connection.execute(statement)
    dim_set = ",".join(sorted(DIMS))

    def run(number: int) -> None:
        rows = [
            (
                number,
                cell["indicator"],
                dim_set,
                None,
                cell["dims"]["trade"],
                cell["dims"]["sex"],
                cell["dims"]["age_band"],
                cell["dims"]["departement"],
                None,
                cell["value"] * 100,
            )
            for cell in document["cells"]
        ]
        connection.execute("BEGIN")
        connection.execute("INSERT INTO indicator_report (id) VALUES (?)", (number,))
        connection.executemany(
            "INSERT INTO indicator_cell (report_id, indicator, dim_set, contract, trade, sex, "
            "age_band, departement, exit_reason, value_centi) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        connection.execute("COMMIT")

    return run


def measure_all(document: dict[str, Any]) -> dict[str, Timing]:
    """The stored PUT, the dry run and frictionless, taking turns in each repetition. Each
    stored PUT is for a new period, hence a new report of 10,000 cells."""
    periods = [FIRST_PERIOD]
    while len(periods) < WARMUP + REPEAT:
        periods.append(periods[-1].following())
    bodies = [json.dumps({**document, "period": str(p)}).encode() for p in periods]
    dry_body = json.dumps({**document, "period": DRY_RUN_PERIOD}).encode()

    with temporary_hub() as hub, tempfile.TemporaryDirectory(prefix="cae-hub-bench-") as folder:
        member = add_member(hub.engine, MEMBER)
        headers = {
            **bearer(member_token(hub.engine, member.siren)),
            "Content-Type": "application/json",
        }
        with TestClient(hub.app) as client:

            def put(url: str, body: bytes) -> None:
                response = client.put(url, content=body, headers=headers)
                summary = response.json()
                if (
                    response.status_code != 200
                    or summary["cells_accepted"] != CELLS
                    or summary["revision"] != 1
                    or summary["unchanged"]
                ):
                    raise RuntimeError(f"PUT {url}: {response.status_code} {response.text[:300]}")

            def stored(number: int) -> None:
                put(f"/v1/indicators/reports/{periods[number]}", bodies[number])

            def dry_run(_: int) -> None:
                put(f"/v1/indicators/reports/{DRY_RUN_PERIOD}?dry_run=true", dry_body)

            return measure_together(
                {
                    "stored": stored,
                    "dry run": dry_run,
                    "frictionless": frictionless_run(Path(folder), document),
                    "sqlite": sqlite_run(Path(folder), document),
                },
                repeat=REPEAT,
                warmup=WARMUP,
            )


def main() -> None:
    document = large_report(cells=CELLS)
    assert len(document["cells"]) == CELLS
    heading(f"Ingest: one {CELLS:,}-cell report, PUT /v1/indicators/reports/{{period}}")
    print(
        "SQLite in a temporary folder, the real app through fastapi.testclient, a member token; "
        f"{WARMUP} warm-up + {REPEAT} timed runs, the four contenders taking turns in each; "
        "median wall time reported."
    )
    print(f"Machine: {machine()}.")
    timings = measure_all(document)
    stored, dry_run, peer = timings["stored"], timings["dry run"], timings["frictionless"]

    def against_limit(timing: Timing) -> str:
        return (
            f"{seconds(timing.median)} per {CELLS:,}-cell report, "
            f"{CELLS / timing.median:,.0f} cells/s, "
            f"{100 * timing.median / LIMIT_SECONDS:.0f} % of the {LIMIT_SECONDS:g} s limit "
            f"(CPU time: {100 * timing.cpu_median / LIMIT_SECONDS:.0f} %)"
        )

    print(f"hub, stored report     {stored.describe()}")
    print(f"                       {against_limit(stored)}")
    print(f"hub, dry run           {dry_run.describe()}")
    print(f"                       {against_limit(dry_run)}")
    write = stored.median - dry_run.median
    print(
        "                       the database write adds "
        + (seconds(write) if write > 0 else "nothing measurable (within the noise)")
    )
    print(f"frictionless {version('frictionless'):<9} {peer.describe()}")
    print(
        "                       validate(Resource(CSV file, Table Schema)): code lists as enums, "
        "value integer >= 0, every field required"
    )
    print(
        f"hub / frictionless     stored report {ratio(stored.median, peer.median)}, "
        f"dry run {ratio(dry_run.median, peer.median)}"
    )
    floor = timings["sqlite"]
    print(f"raw SQLite executemany {floor.describe()}")
    print(
        "                       the same rows (built from the cells in the run) into "
        "indicator_cell as the hub's model creates it (index, foreign key), the hub's pragmas "
        "(WAL, synchronous=NORMAL, foreign_keys=ON), one transaction"
    )
    print(
        f"cells/s, stored report: {CELLS / stored.median:,.0f}; "
        f"as a ratio to frictionless {ratio(peer.median, stored.median)} (target ≥ 2×: "
        f"{'met' if peer.median / stored.median >= 2 else 'MISSED'}), "
        f"to raw SQLite executemany {ratio(floor.median, stored.median)} (target ≥ 0.25×: "
        f"{'met' if floor.median / stored.median >= 0.25 else 'MISSED'})"
    )
    print(
        "Note: the hub's time covers the HTTP request, JSON parsing, the JSON Schema and "
        "consistency checks, the outlier history, the content hash and (stored report) the "
        "SQLite write, in multi-row INSERTs of 500 cells (numbered placeholders, the report id "
        "bound once per statement) where the floor runs one executemany; "
        "frictionless only reads and checks a local CSV file."
    )
    verdict = "within" if stored.median <= LIMIT_SECONDS else "ABOVE"
    print(
        f"Verdict: a stored {CELLS:,}-cell report takes {seconds(stored.median)}, "
        f"{verdict} the {LIMIT_SECONDS:g} s limit."
    )


if __name__ == "__main__":
    main()
