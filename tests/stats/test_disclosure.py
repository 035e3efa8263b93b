"""Disclosure control: primary rules, secondary suppression, and the independent audit."""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Hashable, Mapping
from itertools import product

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.stats import disclosure
from hub.stats.audit import audit, interval
from hub.stats.disclosure import (
    REASON_LABELS,
    CellKey,
    Contributions,
    InteriorKey,
    Kind,
    ProtectedCell,
    ProtectedTable,
    Reason,
    Rules,
    Table,
    protect,
    reason_label,
)
from tests.stats.tables import DEPARTEMENTS, SEXES, TRADES, federation

PRIMARY = {Reason.FREQUENCY, Reason.DOMINANCE, Reason.SMALL_COUNT}


def one_dim(kind: Kind, interior: Mapping[str, Contributions]) -> Table:
    return Table.build(kind, ["trade"], {(code,): parts for code, parts in interior.items()})


def reasons(protected: ProtectedTable) -> dict[CellKey, Reason | None]:
    return {key: cell.reason for key, cell in protected.cells.items()}


def hidden(protected: ProtectedTable) -> set[CellKey]:
    return {key for key, cell in protected.cells.items() if not cell.published}


def true_value(interior: Mapping[InteriorKey, Mapping[Hashable, float]], key: CellKey) -> float:
    """The sum of every contribution below ``key``, computed without the module."""
    return sum(
        sum(parts.values())
        for cell, parts in interior.items()
        if all(code is None or code == part for code, part in zip(key, cell, strict=True))
    )


def assert_published_values_are_true(protected: ProtectedTable) -> None:
    for key, cell in protected.cells.items():
        assert cell.value == pytest.approx(true_value(protected.table.interior, key), abs=0.005)


# Primary suppression.


def test_frequency_hides_a_cell_with_fewer_than_three_caes() -> None:
    table = one_dim("persons", {"a": {1: 4, 2: 5}, "b": {1: 3, 2: 3, 3: 3}, "c": {4: 3, 5: 3}})

    cells = protect(table).cells

    assert cells[("a",)] == ProtectedCell(("a",), 9, 2, Reason.FREQUENCY)
    assert cells[("c",)].reason is Reason.FREQUENCY
    assert cells[(None,)] == ProtectedCell((None,), 24, 5, None)


def test_a_zero_contribution_does_not_count() -> None:
    table = one_dim("persons", {"a": {1: 4, 2: 5, 3: 0}, "b": {1: 3, 2: 3, 3: 3}})

    cell = protect(table).cells[("a",)]

    assert (cell.contributors, cell.reason) == (2, Reason.FREQUENCY)


def test_dominance_hides_an_amount_held_at_more_than_85_percent() -> None:
    table = one_dim(
        "amount",
        {
            "a": {1: 860.0, 2: 70.0, 3: 70.0},
            "b": {1: 850.0, 2: 100.0, 3: 50.0},
            "c": {1: 100.0, 2: 100.0, 3: 100.0},
        },
    )

    cells = reasons(protect(table))

    assert cells[("a",)] is Reason.DOMINANCE
    assert cells[("b",)] is None  # exactly 85 %: not more


def test_dominance_does_not_apply_to_counts() -> None:
    table = one_dim("persons", {"a": {1: 90, 2: 5, 3: 5}, "b": {1: 5, 2: 5, 3: 5}})

    assert protect(table).cells[("a",)].reason is None


def test_small_counts_need_fewer_contributors_than_the_default_to_show() -> None:
    # With three contributors a count is at least 3: frequency already hides counts of 1 or 2.
    table = one_dim("persons", {"a": {1: 2}, "b": {1: 3}, "c": {1: 1, 2: 1, 3: 1}, "d": {2: 5}})

    cells = reasons(protect(table, Rules(min_contributors=1)))

    assert cells[("a",)] is Reason.SMALL_COUNT
    assert cells[("b",)] not in PRIMARY
    assert cells[("c",)] not in PRIMARY


def test_the_first_rule_that_applies_is_reported() -> None:
    amounts = one_dim("amount", {"a": {1: 990.0, 2: 10.0}, "b": {1: 5.0, 2: 5.0, 3: 5.0}})
    counts = one_dim("persons", {"a": {1: 1, 2: 1}, "b": {1: 5, 2: 5, 3: 5}})

    assert protect(amounts).cells[("a",)].reason is Reason.FREQUENCY
    assert protect(counts).cells[("a",)].reason is Reason.FREQUENCY


def test_margins_are_checked_like_any_cell() -> None:
    table = Table.build(
        "amount",
        ["trade", "sex"],
        {
            ("a", "F"): {1: 900.0, 2: 50.0},
            ("a", "M"): {1: 900.0, 3: 50.0},
            ("b", "F"): {4: 500.0, 5: 500.0, 6: 500.0},
            ("b", "M"): {4: 500.0, 5: 500.0, 6: 500.0},
        },
    )

    cells = reasons(protect(table))

    assert cells[("a", None)] is Reason.DOMINANCE
    assert cells[(None, None)] is None
    assert cells[("b", None)] is Reason.SECONDARY  # else row a = grand total - row b


def test_empty_cells_are_published_as_zero() -> None:
    table = Table.build(
        "persons",
        ["trade", "sex"],
        {("a", "F"): {1: 5, 2: 5, 3: 5}, ("b", "M"): {1: 5, 2: 5, 3: 5}},
        categories=[["a", "b", "c"], ["F", "M"]],
    )

    cells = protect(table).cells

    assert cells[("a", "M")] == ProtectedCell(("a", "M"), 0, 0, None)
    assert cells[("c", None)] == ProtectedCell(("c", None), 0, 0, None)
    assert all(cell.published for cell in cells.values())


def test_thresholds_are_settings() -> None:
    def single(kind: Kind, parts: Mapping[Hashable, float], rules: Rules) -> Reason | None:
        return protect(Table.build(kind, [], {(): parts}), rules).cells[()].reason

    default = Rules()
    assert single("amount", {1: 500.0, 2: 500.0}, default) is Reason.FREQUENCY
    assert single("amount", {1: 500.0, 2: 500.0}, Rules(min_contributors=2)) is None
    assert single("amount", {1: 900.0, 2: 50.0, 3: 50.0}, default) is Reason.DOMINANCE
    assert single("amount", {1: 900.0, 2: 50.0, 3: 50.0}, Rules(dominance_share=0.95)) is None
    assert single("persons", {1: 1, 2: 1, 3: 1}, default) is None
    assert single("persons", {1: 1, 2: 1, 3: 1}, Rules(small_count_max=3)) is Reason.SMALL_COUNT


def test_the_protection_margin_is_a_setting() -> None:
    table = one_dim(
        "amount",
        {"a": {1: 100.0}, "b": {2: 20.0, 3: 20.0, 4: 20.0}, "c": {2: 500.0, 3: 500.0, 5: 9.0}},
    )

    # "b" (60) can give the 10 units "a" may have too many, not 70.
    assert hidden(protect(table)) == {("a",), ("b",)}
    assert hidden(protect(table, Rules(protection=0.7))) == {("a",), ("c",)}
    assert audit(protect(table, Rules(protection=0.7)), Rules(protection=0.7)) == []


def test_reason_labels_are_french_and_follow_the_rules() -> None:
    assert REASON_LABELS == {
        Reason.FREQUENCY: "moins de 3 CAE contributrices",
        Reason.DOMINANCE: "une CAE représente plus de 85 % de la valeur",
        Reason.SMALL_COUNT: "effectif de 1 ou 2 personnes",
        Reason.SECONDARY: "masquée pour protéger une autre cellule",
    }
    rules = Rules(min_contributors=5, dominance_share=0.875, small_count_max=4)
    assert reason_label(Reason.FREQUENCY, rules) == "moins de 5 CAE contributrices"
    assert reason_label(Reason.DOMINANCE, rules) == "une CAE représente plus de 87,5 % de la valeur"
    assert reason_label(Reason.SMALL_COUNT, rules) == "effectif de 1 à 4 personnes"


def test_tables_are_normalised_and_validated() -> None:
    table = one_dim("amount", {"a": {1: 10.004, 2: 0.0}})
    assert table.interior == {("a",): {1: 10.0}}
    with pytest.raises(ValueError, match="finite and >= 0"):
        one_dim("amount", {"a": {1: -1.0}})
    with pytest.raises(ValueError, match="whole number"):
        one_dim("persons", {"a": {1: 1.5}})
    with pytest.raises(ValueError, match="unknown category"):
        Table.build("persons", ["trade"], {("z",): {1: 1}}, categories=[["a"]])
    with pytest.raises(ValueError, match="does not match"):
        Table.build("persons", ["trade"], {("a", "F"): {1: 1}})


def test_a_table_without_breakdown_gets_primary_rules_only() -> None:
    sensitive = Table.build("amount", [], {(): {1: 5.0, 2: 7.0}})
    safe = Table.build("amount", [], {(): {1: 5.0, 2: 7.0, 3: 6.0}})

    assert protect(sensitive).cells == {(): ProtectedCell((), 12.0, 2, Reason.FREQUENCY)}
    assert protect(safe).cells == {(): ProtectedCell((), 18.0, 3, None)}
    assert audit(protect(sensitive)) == []


# Secondary suppression.


def test_a_sensitive_cell_of_a_2x2_table_hides_its_rectangle_only() -> None:
    table = Table.build(
        "persons",
        ["trade", "sex"],
        {
            ("a", "F"): {1: 5},
            ("a", "M"): {2: 3, 3: 4, 4: 2},
            ("b", "F"): {2: 3, 3: 3, 5: 1},
            ("b", "M"): {2: 1, 3: 1, 4: 1, 6: 2},
        },
    )

    protected = protect(table)

    assert hidden(protected) == {("a", "F"), ("a", "M"), ("b", "F"), ("b", "M")}
    assert reasons(protected)[("b", "M")] is Reason.SECONDARY
    assert audit(protected) == []


def test_a_sensitive_cell_of_one_dimension_hides_one_more_cell() -> None:
    table = one_dim(
        "amount",
        {"a": {1: 500.0}, "b": {2: 30.0, 3: 40.0, 4: 20.0}, "c": {2: 300.0, 3: 300.0, 5: 100.0}},
    )

    protected = protect(table)

    # "b" (90) can make up for the 50 that "a" (500) may hide either way, and is cheaper than "c".
    assert hidden(protected) == {("a",), ("b",)}
    assert audit(protected) == []


def test_a_total_no_single_cell_can_cover_is_protected_by_several() -> None:
    # The total (123) is dominated; lowering it by 12.3 takes more than any one cell (10).
    interior = {f"t{i:02d}": {1: 9.0, 2: 0.5, 3: 0.5} for i in range(12)}
    table = one_dim("amount", interior | {"u": {4: 1.0, 5: 1.0, 6: 1.0}})

    protected = protect(table)

    assert reasons(protected)[(None,)] is Reason.DOMINANCE
    assert reasons(protected)[("u",)] is None
    assert audit(protected) == []


def test_when_no_pattern_is_found_everything_is_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(disclosure._Network, "_route", lambda *args: None)
    table = SHAPES["few CAEs, trade x sex"]()

    protected = protect(table)

    assert all(not cell.published or not cell.contributors for cell in protected.cells.values())
    assert audit(protected) == []


def test_one_dimension_never_hides_a_lone_cell() -> None:
    for seed in range(10):
        table = federation(seed, "persons", {"trade": TRADES}, caes=12, spread={"trade": 4})
        protected = protect(table)
        interior = hidden(protected) - {(None,)}
        assert interior
        assert len(interior) >= 2 or (None,) in hidden(protected)


def test_protection_is_deterministic() -> None:
    def make() -> Table:
        return federation(
            3, "amount", {"trade": TRADES[:8], "sex": SEXES}, caes=20, spread={"trade": 3, "sex": 3}
        )

    assert protect(make()) == protect(make())


# The independent audit.

SHAPES: dict[str, Callable[[], Table]] = {
    "few CAEs, trade x sex": lambda: federation(
        11, "persons", {"trade": TRADES[:6], "sex": SEXES}, caes=4, spread={"trade": 4, "sex": 3}
    ),
    "few CAEs, one dimension": lambda: federation(
        12, "persons", {"trade": TRADES[:8]}, caes=3, spread={"trade": 5}
    ),
    "one dominant CAE, revenue": lambda: federation(
        13,
        "amount",
        {"trade": TRADES[:8], "departement": DEPARTEMENTS[:6]},
        caes=20,
        spread={"trade": 3, "departement": 2},
        dominant=True,
    ),
    "one dominant CAE, one dimension": lambda: federation(
        14, "amount", {"trade": TRADES}, caes=25, spread={"trade": 5}, dominant=True
    ),
    "many small counts": lambda: federation(
        15,
        "persons",
        {"trade": TRADES[:10], "sex": SEXES},
        caes=40,
        spread={"trade": 3, "sex": 2},
        small_counts=True,
    ),
    "many empty cells": lambda: federation(
        16,
        "amount",
        {"trade": TRADES, "departement": DEPARTEMENTS[:30]},
        caes=30,
        spread={"trade": 3, "departement": 1},
        density=0.5,
    ),
    "trade x departement, 150 CAEs": lambda: federation(
        17,
        "amount",
        {"trade": TRADES, "departement": DEPARTEMENTS[:30]},
        caes=150,
        spread={"trade": 8, "departement": 3},
    ),
    "entrepreneurs by departement, 150 CAEs": lambda: federation(
        18, "persons", {"departement": DEPARTEMENTS}, caes=150, spread={"departement": 2}
    ),
    "all cells sensitive": lambda: federation(
        19, "persons", {"trade": TRADES[:6], "sex": SEXES}, caes=2, spread={"trade": 6, "sex": 3}
    ),
    "a single CAE": lambda: federation(
        20,
        "amount",
        {"trade": TRADES[:5], "departement": DEPARTEMENTS[:4]},
        caes=1,
        spread={"trade": 5, "departement": 4},
    ),
}


@pytest.mark.parametrize("make", SHAPES.values(), ids=SHAPES.keys())
def test_no_hidden_primary_cell_can_be_narrowed_down(make: Callable[[], Table]) -> None:
    protected = protect(make())

    assert any(cell.reason in PRIMARY for cell in protected.cells.values())
    assert audit(protected) == []
    assert_published_values_are_true(protected)


def test_all_sensitive_means_all_hidden() -> None:
    protected = protect(SHAPES["all cells sensitive"]())

    assert all(
        cell.reason is Reason.FREQUENCY or not cell.contributors
        for cell in protected.cells.values()
    )


def test_the_audit_catches_a_cell_recovered_from_its_total() -> None:
    table = one_dim("persons", {"a": {1: 5}, "b": {2: 3, 3: 4, 4: 2}, "c": {2: 3, 3: 3, 5: 1}})
    protected = protect(table)
    primary_only = ProtectedTable(
        table,
        {
            key: dataclasses.replace(cell, reason=None) if cell.reason is Reason.SECONDARY else cell
            for key, cell in protected.cells.items()
        },
    )

    exposures = audit(primary_only)

    assert [(e.key, e.value, e.reason) for e in exposures] == [(("a",), 5, Reason.FREQUENCY)]
    assert math.isclose(exposures[0].lo, 5) and math.isclose(exposures[0].hi, 5)


def test_the_audit_catches_a_primary_only_pattern_on_a_generated_table() -> None:
    protected = protect(SHAPES["many small counts"]())
    primary_only = ProtectedTable(
        protected.table,
        {
            key: dataclasses.replace(cell, reason=None) if cell.reason is Reason.SECONDARY else cell
            for key, cell in protected.cells.items()
        },
    )
    assert hidden(primary_only) != hidden(protected)

    assert audit(primary_only) != []


def test_interval_of_published_and_hidden_cells() -> None:
    table = one_dim("persons", {"a": {1: 5}, "b": {2: 3, 3: 4, 4: 2}, "c": {2: 3, 3: 3, 5: 1}})
    protected = protect(table)

    assert interval(protected, (None,)) == (21, 21)
    lo, hi = interval(protected, ("a",))
    assert lo <= 4 and hi >= 6


# Any small table.


@st.composite
def small_tables(draw: st.DrawFn) -> Table:
    kind: Kind = draw(st.sampled_from(["persons", "amount"]))
    sizes = draw(st.lists(st.integers(1, 4), max_size=2))
    codes = [tuple(f"{'rc'[d]}{i}" for i in range(size)) for d, size in enumerate(sizes)]
    contributors = draw(st.integers(1, 8))
    part = (
        st.integers(1, 6)
        if kind == "persons"
        else st.integers(1, 10_000_000).map(lambda cents: cents / 100)
    )
    interior: dict[InteriorKey, dict[Hashable, float]] = {}
    for key in product(*codes):
        who = draw(st.sets(st.integers(0, contributors - 1), max_size=contributors))
        interior[key] = {contributor: draw(part) for contributor in sorted(who)}
    dims = ["trade", "departement"][: len(sizes)]
    return Table.build(kind, dims, interior, categories=codes)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_tables())
def test_any_small_table_is_protected(table: Table) -> None:
    protected = protect(table)

    assert audit(protected) == []
    assert_published_values_are_true(protected)
    for cell in protected.cells.values():
        assert cell.reason is None or cell.contributors > 0
        assert not math.isnan(cell.value)
