"""Evaluate the consistency rules declared in ``consistency.toml`` on a parsed report."""

from __future__ import annotations

import statistics
import tomllib
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any

from cae_contract.problems import ErrorItem

RULES_FILE = Path(__file__).with_name("consistency.toml")

DimItems = tuple[tuple[str, str], ...]


class Cell:
    """One cell of a report: exact value in hundredths of a unit.

    ``dim_names``, ``codes`` (the codes in the order of ``dim_names``) and ``dim_set``
    (``"sex,trade"``, ``""`` for a total) are worked out once, here: every check of a large
    report, its rows and its hash read them. A plain class with slots rather than a
    frozen dataclass: a 10,000-cell report builds 10,000 of them on every upload. Treat it as
    immutable.
    """

    __slots__ = ("centi", "codes", "dim_names", "dim_set", "dims", "index", "indicator")

    def __init__(self, index: int, indicator: str, dims: DimItems, centi: int) -> None:
        self.index = index
        self.indicator = indicator
        self.dims = dims
        self.centi = centi
        names = tuple([name for name, _ in dims])
        self.dim_names = names
        self.codes = tuple([code for _, code in dims])
        self.dim_set = ",".join(names)

    def _key(self) -> tuple[int, str, DimItems, int]:
        return self.index, self.indicator, self.dims, self.centi

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Cell) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (
            f"Cell(index={self.index!r}, indicator={self.indicator!r}, dims={self.dims!r}, "
            f"centi={self.centi!r})"
        )

    @property
    def path(self) -> str:
        return f"$.cells[{self.index}]"


def _codes_getter(names: tuple[str, ...]) -> Callable[[Any], tuple[str, ...]]:
    """The codes of a cell's ``dims`` mapping, as a tuple in the order of ``names``."""
    if len(names) > 1:
        return itemgetter(*names)
    if names:
        name = names[0]
        return lambda dims: (dims[name],)
    return lambda _: ()


def cells_of(document: Mapping[str, Any]) -> list[Cell]:
    """The cells of a schema-valid indicator report as the consistency rules read them:
    values in hundredths, read from their decimal writing (0.1 is ten hundredths)."""
    cells: list[Cell] = []
    append = cells.append
    # The cells of a report come in a handful of shapes (the same dimensions in the same
    # order): their sorted names, dim_set and a getter of their codes in that order are
    # worked out once per shape, not per cell.
    shapes: dict[tuple[str, ...], tuple[tuple[str, ...], str, Callable[[Any], Any]]] = {}
    new = Cell.__new__
    for index, raw in enumerate(document["cells"]):
        value = raw["value"]
        if type(value) is int:
            centi = value * 100
        elif isinstance(value, float):
            centi = int(Decimal(repr(value)) * 100)
        else:
            centi = int(value) * 100
        dims = raw["dims"]
        keys = tuple(dims)
        shape = shapes.get(keys)
        if shape is None:
            names = tuple(sorted(keys))
            shape = shapes[keys] = (names, ",".join(names), _codes_getter(names))
        cell = new(Cell)
        cell.index = index
        cell.indicator = raw["indicator"]
        cell.centi = centi
        names, cell.dim_set, codes_of = shape
        cell.dim_names = names
        cell.codes = codes = codes_of(dims)
        cell.dims = tuple(zip(names, codes, strict=False))
        append(cell)
    return cells


@dataclass(frozen=True)
class AtMost:
    left_indicator: str
    left_dims: Mapping[str, str]
    right_indicator: str
    right_dims: Mapping[str, str]
    message: str


@dataclass(frozen=True)
class Rules:
    earliest_year: int
    tolerance_centi: int
    at_most: tuple[AtMost, ...]
    min_previous_periods: int
    max_previous_periods: int
    outlier_threshold: float


def _at_most(entry: Mapping[str, Any]) -> AtMost:
    return AtMost(
        left_indicator=entry["left"]["indicator"],
        left_dims=dict(entry["left"].get("dims", {})),
        right_indicator=entry["right"]["indicator"],
        right_dims=dict(entry["right"].get("dims", {})),
        message=entry["message"],
    )


@lru_cache(maxsize=4)
def load_rules(path: Path = RULES_FILE) -> Rules:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    return Rules(
        earliest_year=int(data["periods"]["earliest_year"]),
        tolerance_centi=int(data["breakdowns"]["tolerance_centi"]),
        at_most=tuple(_at_most(entry) for entry in data.get("at_most", [])),
        min_previous_periods=int(data["outliers"]["min_previous_periods"]),
        max_previous_periods=int(data["outliers"]["max_previous_periods"]),
        outlier_threshold=float(data["outliers"]["threshold"]),
    )


def units(centi: int) -> str:
    """A value in hundredths, written the French way (``1 234,5``)."""
    whole, cents = divmod(abs(centi), 100)
    text = f"{whole:,}".replace(",", "\u202f")
    if cents:
        text += f",{cents:02d}".rstrip("0")
    return ("-" if centi < 0 else "") + text


class Breakdowns:
    """The cells of one report, grouped by indicator and by set of dimensions."""

    def __init__(self, cells: Iterable[Cell]) -> None:
        self.by_set: dict[str, dict[tuple[str, ...], dict[DimItems, Cell]]] = defaultdict(dict)
        self.duplicates: list[tuple[Cell, Cell]] = []
        """Each cell of an indicator and dimensions already seen, with the first one."""
        by_set, duplicates = self.by_set, self.duplicates
        for cell in cells:
            first = (
                by_set[cell.indicator].setdefault(cell.dim_names, {}).setdefault(cell.dims, cell)
            )
            if first is not cell:
                duplicates.append((cell, first))

    def dim_sets(self) -> dict[str, list[str]]:
        """Each indicator's breakdowns (sorted dimension names joined by commas, "" for the
        total), indicators and breakdowns sorted."""
        return {
            indicator: sorted([",".join(names) for names in self.by_set[indicator]])
            for indicator in sorted(self.by_set)
        }

    def sets(self, indicator: str) -> list[tuple[str, ...]]:
        return sorted(self.by_set.get(indicator, {}), key=lambda s: (len(s), s))

    def marginal(
        self,
        indicator: str,
        source: tuple[str, ...],
        onto: Sequence[str],
        fixed: Mapping[str, str] | None = None,
    ) -> dict[DimItems, int]:
        """Sums of the ``source`` breakdown over the dimensions not in ``onto``."""
        fixed = fixed or {}
        sums: dict[DimItems, int] = defaultdict(int)
        for dims, cell in self.by_set[indicator][source].items():
            values = dict(dims)
            if any(values.get(k) != v for k, v in fixed.items()):
                continue
            sums[tuple((name, values[name]) for name in onto)] += cell.centi
        return sums

    def derivable(
        self, indicator: str, onto: Sequence[str], fixed: Mapping[str, str]
    ) -> dict[DimItems, int] | None:
        """The values of ``indicator`` by ``onto`` (restricted to ``fixed``), if any breakdown
        of the report carries every needed dimension; None otherwise."""
        needed = set(onto) | set(fixed)
        for candidate in self.sets(indicator):
            if needed <= set(candidate):
                return self.marginal(indicator, candidate, onto, fixed)
        return None


def _label(dims: DimItems) -> str:
    return ", ".join(f"{k}={v}" for k, v in dims) or "total"


def _disagreement(
    indicator: str, key: DimItems, stated: int, fine: tuple[str, ...], implied: int
) -> str:
    return (
        f"{indicator} ({_label(key)}) : {units(stated)} déclaré, "
        f"mais la ventilation par {', '.join(fine)} en donne {units(implied)}"
    )


def check_breakdowns(breakdowns: Breakdowns, tolerance: int) -> list[ErrorItem]:
    """Every breakdown of an indicator agrees with every coarser one, and all share a total."""
    errors: list[ErrorItem] = []
    for indicator in sorted(breakdowns.by_set):
        cells_by_set = breakdowns.by_set[indicator]
        sets = breakdowns.sets(indicator)
        for position, coarse in enumerate(sets):
            for fine in sets[position + 1 :]:
                # Nested breakdowns agree cell by cell; unrelated ones only on the total.
                onto = coarse if set(coarse) <= set(fine) else ()
                stated_cells = cells_by_set[coarse]
                stated = (
                    {k: c.centi for k, c in stated_cells.items()}
                    if onto == coarse
                    else breakdowns.marginal(indicator, coarse, ())
                )
                implied = breakdowns.marginal(indicator, fine, onto)
                for key in sorted(set(stated) | set(implied)):
                    if abs(stated.get(key, 0) - implied.get(key, 0)) <= tolerance:
                        continue
                    cell = stated_cells.get(key) if onto == coarse else None
                    path = (
                        f"{cell.path}.value"
                        if cell
                        else next(iter(cells_by_set[fine].values())).path
                    )
                    message = _disagreement(
                        indicator, key, stated.get(key, 0), fine, implied.get(key, 0)
                    )
                    errors.append(ErrorItem(path, message))
    return errors


def check_at_most(breakdowns: Breakdowns, rule: AtMost) -> list[ErrorItem]:
    errors: list[ErrorItem] = []
    for left_set in dict.fromkeys([(), *breakdowns.sets(rule.left_indicator)]):
        onto = tuple(d for d in left_set if d not in rule.left_dims)
        left = breakdowns.derivable(rule.left_indicator, onto, rule.left_dims)
        right = breakdowns.derivable(rule.right_indicator, onto, rule.right_dims)
        if left is None or right is None:
            continue
        for key, value in sorted(left.items()):
            if value > right.get(key, 0):
                cell = breakdowns.by_set[rule.left_indicator].get(onto, {}).get(key)
                path = f"{cell.path}.value" if cell else "$.cells"
                errors.append(
                    ErrorItem(
                        path,
                        (
                            f"{rule.message} ({_label(key)} : {units(value)} contre "
                            f"{units(right.get(key, 0))})"
                        ),
                    )
                )
    return errors


def check_consistency(
    cells: Sequence[Cell], rules: Rules, *, breakdowns: Breakdowns | None = None
) -> list[ErrorItem]:
    """Every consistency error of a schema-valid report (``breakdowns``: those of ``cells``,
    when the caller has them already)."""
    if breakdowns is None:
        breakdowns = Breakdowns(cells)
    if breakdowns.duplicates:
        return [
            ErrorItem(
                cell.path,
                (
                    f"cellule en double : {cell.indicator} ({_label(cell.dims)}) "
                    f"figure déjà en {first.path}"
                ),
            )
            for cell, first in breakdowns.duplicates
        ]
    errors = check_breakdowns(breakdowns, rules.tolerance_centi)
    for rule in rules.at_most:
        errors.extend(check_at_most(breakdowns, rule))
    return errors


def outlier_warnings(
    cells: Sequence[Cell], history: Mapping[tuple[str, DimItems], Sequence[int]], rules: Rules
) -> list[ErrorItem]:
    """Cells far from the same CAE's previous periods (modified z-score), as warnings."""
    warnings: list[ErrorItem] = []
    for cell in cells:
        if len(cell.dims) > 1:
            continue
        previous = history.get((cell.indicator, cell.dims), ())
        if len(previous) < rules.min_previous_periods:
            continue
        median = statistics.median(previous)
        mad = statistics.median(abs(v - median) for v in previous)
        if mad:
            score = 0.6745 * (cell.centi - median) / mad
        else:
            mean_ad = statistics.fmean(abs(v - median) for v in previous)
            if not mean_ad:
                continue
            score = (cell.centi - median) / (1.253314 * mean_ad)
        if abs(score) > rules.outlier_threshold:
            warnings.append(
                ErrorItem(
                    f"{cell.path}.value",
                    (
                        f"valeur inhabituelle pour {cell.indicator} ({_label(cell.dims)}) : "
                        f"{units(cell.centi)} contre une médiane de {units(round(median))} sur les "
                        f"{len(previous)} périodes précédentes"
                    ),
                )
            )
    return warnings
