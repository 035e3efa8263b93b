"""Large reports stored in multi-row statements, their cells read back unchanged; the outlier
history read only for the indicators it is about; cells, rows and hashes as before; the
garbage collector held off while a report is checked."""

from __future__ import annotations

import gc
import hashlib
from itertools import product
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import Session

from cae_contract.catalogue import DIMENSION_LISTS
from cae_contract.consistency import Breakdowns, Cell, cells_of, check_consistency, load_rules
from cae_contract.registry import get_registry
from hub.indicators.models import IndicatorReport
from hub.indicators.repository import CELLS_PER_STATEMENT, DIM_COLUMNS, ReportRepository
from hub.indicators.service import (
    cell_row,
    cell_rows,
    collector_paused,
    content_hash,
    outlier_indicators,
)
from hub.members.models import Member
from tests.factories import bearer, create_member, issue_token


@pytest.fixture
def member(session: Session) -> Member:
    return create_member(session)


@pytest.fixture
def headers(session: Session, member: Member) -> dict[str, str]:
    return bearer(issue_token(session, member=member))


def fine_cells(count: int) -> list[dict[str, Any]]:
    """``count`` entrepreneurs cells by département, sex and age band (no coarser breakdown,
    so that no consistency rule binds them)."""
    registry = get_registry()
    codes = [
        list(registry.code_list(DIMENSION_LISTS[dim])) for dim in ("departement", "sex", "age_band")
    ]
    combos = list(product(*codes))
    assert len(combos) >= count
    return [
        # Keys in another order than sorted: the hub sorts them.
        {
            "indicator": "entrepreneurs",
            "dims": {"sex": s, "departement": d, "age_band": a},
            "value": n % 97,
        }
        for n, (d, s, a) in enumerate(combos[:count])
    ]


def test_a_report_spanning_several_statements_is_read_back_whole(
    client: TestClient, headers: dict[str, str]
) -> None:
    cells = fine_cells(2 * CELLS_PER_STATEMENT + 1)  # two full statements and a last row
    sent = client.put(
        "/v1/indicators/reports/2025-S1",
        json={"period": "2025-S1", "cells": cells},
        headers=headers,
    )
    assert sent.status_code == 200, sent.text
    assert sent.json()["cells_accepted"] == len(cells)
    read = client.get("/v1/indicators/reports/2025-S1", headers=headers)
    assert read.status_code == 200
    back = read.json()["cells"]
    assert len(back) == len(cells)
    assert sorted((c["indicator"], sorted(c["dims"].items()), c["value"]) for c in back) == sorted(
        (c["indicator"], sorted(c["dims"].items()), c["value"]) for c in cells
    )


def small_report(period: str, *, revenue: float) -> dict[str, Any]:
    return {
        "period": period,
        "cells": [
            {"indicator": "entrepreneurs", "dims": {}, "value": 66},  # 0 + 1 + … + 11 below
            {"indicator": "entrepreneurs", "dims": {"contract": "cesa"}, "value": 50},
            {"indicator": "entrepreneurs", "dims": {"contract": "cape"}, "value": 16},
            {"indicator": "revenue_eur", "dims": {"trade": "43.21A"}, "value": revenue},
            *fine_cells(12),
        ],
    }


def test_a_single_breakdown_far_from_its_history_is_still_a_warning(
    client: TestClient, headers: dict[str, str]
) -> None:
    for period, revenue in [("2023-S1", 1000.0), ("2023-S2", 1100.0), ("2024-S1", 1050.0)]:
        answer = client.put(
            f"/v1/indicators/reports/{period}",
            json=small_report(period, revenue=revenue),
            headers=headers,
        )
        assert answer.status_code == 200, answer.text
    jump = client.put(
        "/v1/indicators/reports/2024-S2",
        json=small_report("2024-S2", revenue=99000.0),
        headers=headers,
    )
    warnings = {w["path"]: w["message"] for w in jump.json()["warnings"]}
    assert "valeur inhabituelle pour revenue_eur" in warnings["$.cells[3].value"]
    assert set(warnings) == {"$.cells[3].value"}


def test_the_history_is_read_for_the_indicators_asked_only(
    client: TestClient, headers: dict[str, str], session: Session, member: Member
) -> None:
    for period in ("2023-S1", "2023-S2"):
        client.put(
            f"/v1/indicators/reports/{period}",
            json=small_report(period, revenue=1000.0),
            headers=headers,
        )
    assert member.id is not None
    reports = ReportRepository(session)
    everything = reports.history(member.id, "2024-S1", limit=6)
    assert {indicator for indicator, _ in everything} == {"entrepreneurs", "revenue_eur"}
    revenue = reports.history(member.id, "2024-S1", limit=6, indicators=["revenue_eur"])
    assert revenue == {("revenue_eur", (("trade", "43.21A"),)): [100000, 100000]}
    assert reports.history(member.id, "2024-S1", limit=6, indicators=[]) == {}


def test_only_indicators_sent_as_a_total_or_by_one_dimension_have_a_history_to_read() -> None:
    breakdowns = {
        "entrepreneurs": ["", "contract", "age_band,departement,sex"],
        "revenue_eur": ["trade"],
        "exits": ["exit_reason,trade"],
    }
    assert outlier_indicators(breakdowns) == ["entrepreneurs", "revenue_eur"]


def test_cells_rows_and_hash_do_not_depend_on_the_order_of_dimensions() -> None:
    document = {
        "cells": [
            {"indicator": "entrepreneurs", "dims": {}, "value": 42},
            {"indicator": "entrepreneurs", "dims": {"sex": "F", "contract": "cesa"}, "value": 30},
            {"indicator": "entrepreneurs", "dims": {"contract": "cape", "sex": "M"}, "value": 12},
            {"indicator": "revenue_eur", "dims": {"trade": "43.21A"}, "value": 182450.5},
            {"indicator": "support_staff_fte", "dims": {}, "value": 3.5},
        ]
    }
    cells = cells_of(document)
    assert [c.dims for c in cells] == [
        (),
        (("contract", "cesa"), ("sex", "F")),
        (("contract", "cape"), ("sex", "M")),
        (("trade", "43.21A"),),
        (),
    ]
    assert [c.dim_set for c in cells] == ["", "contract,sex", "contract,sex", "trade", ""]
    assert [c.centi for c in cells] == [4200, 3000, 1200, 18245050, 350]
    assert cell_row(cells[1]) == (
        "entrepreneurs",
        "contract,sex",
        "cesa",
        None,
        "F",
        None,
        None,
        None,
        3000,
    )
    # Pinned: stored revisions are compared with new uploads by this hash.
    reordered = cells_of({"cells": list(reversed(document["cells"]))})
    assert (
        content_hash(cells)
        == content_hash(reordered)
        == ("aacf7a3dafc6e45d69d6f7b47a649d2f6dd5760e6761ffb49710493e6003469e")
    )


def test_the_collector_is_held_off_while_a_report_is_checked_and_back_after() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # another report checked meanwhile, in another thread
            assert not gc.isenabled()
        assert not gc.isenabled()  # only the section that found it running turns it back on
    assert gc.isenabled()
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("a refused report")
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # left as found
    finally:
        gc.enable()


def reference_hash(cells: list[Cell]) -> str:
    """The content hash as first defined: the sorted lines, one per cell, written out."""
    lines = [f"{c.indicator}|{'&'.join(f'{n}={v}' for n, v in c.dims)}|{c.centi}" for c in cells]
    return hashlib.sha256("\n".join(sorted(lines)).encode()).hexdigest()


def reference_row(cell: Cell) -> tuple[Any, ...]:
    codes = dict(cell.dims)
    return (cell.indicator, cell.dim_set, *(codes.get(c) for c in DIM_COLUMNS), cell.centi)


raw_cells = st.lists(
    st.fixed_dictionaries(
        {
            "indicator": st.sampled_from(["entrepreneurs", "revenue_eur", "a%s|b"]),
            "dims": st.dictionaries(
                st.sampled_from(DIM_COLUMNS), st.text("AF%s=&|0", min_size=1, max_size=4)
            ),
            "value": st.one_of(st.integers(0, 10**9), st.decimals(0, 10**6, places=2).map(float)),
        }
    ),
    max_size=30,
)


@given(raw_cells)
def test_rows_and_hash_worked_out_per_shape_are_those_written_out_per_cell(
    raw: list[dict[str, Any]],
) -> None:
    cells = cells_of({"cells": raw})
    assert [c.codes for c in cells] == [tuple(code for _, code in c.dims) for c in cells]
    assert [c.dim_names for c in cells] == [tuple(sorted(r["dims"])) for r in raw]
    assert cell_rows(cells) == [cell_row(c) for c in cells] == [reference_row(c) for c in cells]
    assert content_hash(cells) == reference_hash(cells)


def test_a_cell_made_by_hand_is_the_cell_read_from_a_report() -> None:
    cell = Cell(0, "entrepreneurs", (("sex", "F"), ("trade", "43.21A")), 500)
    assert (cell.codes, cell.dim_names, cell.dim_set) == (
        ("F", "43.21A"),
        ("sex", "trade"),
        "sex,trade",
    )
    read = cells_of(
        {
            "cells": [
                {"indicator": "entrepreneurs", "dims": {"trade": "43.21A", "sex": "F"}, "value": 5}
            ]
        }
    )
    assert read == [cell]
    assert (read[0].codes, read[0].dim_names) == (cell.codes, cell.dim_names)


def test_the_rows_of_each_revision_are_stored_under_its_own_id(
    session: Session, member: Member
) -> None:
    assert member.id is not None
    reports = ReportRepository(session)
    stored = {}
    for number, count in ((1, CELLS_PER_STATEMENT + 2), (2, 1)):
        cells = cells_of({"cells": fine_cells(count)[::-1] if number == 2 else fine_cells(count)})
        rows = cell_rows(cells)
        report = reports.add_revision(
            IndicatorReport(
                member_id=member.id,
                period="2025-S1",
                revision=number,
                schema_version="1.0.0",
                content_hash=content_hash(cells),
                cell_count=len(rows),
            ),
            rows,
        )
        assert report.id is not None
        stored[report.id] = rows
    for report_id, rows in stored.items():
        back = [
            (c.indicator, c.dim_set, *(getattr(c, name) for name in DIM_COLUMNS), c.value_centi)
            for c in reports.cells(report_id)
        ]
        assert back == rows  # same order, same values, none of the other revision's


@given(raw_cells)
def test_breakdowns_and_duplicates_are_found_in_one_pass(raw: list[dict[str, Any]]) -> None:
    cells = cells_of({"cells": raw})
    grouped = Breakdowns(cells)
    found: dict[str, set[str]] = {}
    for cell in cells:
        found.setdefault(cell.indicator, set()).add(cell.dim_set)
    assert grouped.dim_sets() == {i: sorted(sets) for i, sets in sorted(found.items())}
    first: dict[tuple[str, Any], Cell] = {}
    duplicates = []
    for cell in cells:
        earlier = first.setdefault((cell.indicator, cell.dims), cell)
        if earlier is not cell:
            duplicates.append((cell, earlier))
    assert grouped.duplicates == duplicates
    errors = check_consistency(cells, load_rules(), breakdowns=grouped)
    assert errors == check_consistency(cells, load_rules())
    if duplicates:
        assert [e.path for e in errors] == [c.path for c, _ in duplicates]
        assert all(
            f"figure déjà en {f.path}" in e.message
            for e, (_, f) in zip(errors, duplicates, strict=True)
        )


def test_codes_with_separators_and_missing_dimensions_are_stored_as_sent(
    session: Session, member: Member
) -> None:
    # PostgreSQL receives the rows in its copy format: tabs, newlines, backslashes and
    # NULLs must come back unchanged.
    assert member.id is not None
    rows = [
        ("entrepreneurs", "trade", None, "a\tb\\c\nd", None, None, None, None, 100),
        ("entrepreneurs", "", None, None, None, None, None, None, 0),
        ("revenue_eur", "sex,trade", None, "\\N", "F", None, None, None, 9_000_000_000_00),
    ]
    reports = ReportRepository(session)
    report = reports.add_revision(
        IndicatorReport(
            member_id=member.id,
            period="2025-S2",
            revision=1,
            schema_version="1.0.0",
            content_hash="0" * 64,
            cell_count=len(rows),
        ),
        rows,
    )
    assert report.id is not None
    back = [
        (c.indicator, c.dim_set, *(getattr(c, name) for name in DIM_COLUMNS), c.value_centi)
        for c in reports.cells(report.id)
    ]
    assert back == rows
