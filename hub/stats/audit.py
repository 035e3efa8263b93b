"""Independent audit of a suppression pattern, by linear programming.

The reader of a published table knows every published cell, that each margin is the sum of the
cells below it, and that no cell is negative. For one hidden cell, the values the reader cannot
rule out form an interval [lo, hi]: the minimum and maximum of that cell over the polytope
{x ≥ 0 : additivity equations, published cells fixed}. This module builds that polytope from the
cells of a :class:`~hub.stats.disclosure.ProtectedTable` alone (nothing of how the pattern was
chosen), so it also audits patterns made by another tool, and solves it with HiGHS.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linprog  # type: ignore[import-untyped]  # SciPy ships no stubs
from scipy.sparse import csr_matrix  # type: ignore[import-untyped]

from hub.stats.disclosure import DEFAULT_RULES, CellKey, Kind, ProtectedTable, Reason, Rules

__all__ = ["Exposure", "audit", "interval", "required_interval"]

_TOLERANCE = 1e-6
"""Relative slack granted to the solver before an interval counts as too narrow."""
_OPTIONS = {"presolve": False}
"""These programs are small and already reduced: presolving them costs more than it saves."""


@dataclass(frozen=True)
class Exposure:
    """A hidden primary cell that the reader can narrow down to [lo, hi], too close to
    ``value``."""

    key: CellKey
    value: float
    lo: float
    hi: float
    reason: Reason


def required_interval(kind: Kind, value: float, rules: Rules) -> tuple[float, float]:
    """The interval a hidden primary cell must at least span: ±``protection`` of an amount; for
    a count, ± max(1, ceil(protection · value)), floored at 0 (a count is never pinned down,
    and a count of 1 or 2 is never told apart from 0)."""
    if kind == "amount":
        return value * (1 - rules.protection), value * (1 + rules.protection)
    step = max(1, math.ceil(round(rules.protection * value, 9)))
    return max(0.0, value - step), value + step


def audit(protected: ProtectedTable, rules: Rules = DEFAULT_RULES) -> list[Exposure]:
    """Every hidden primary cell whose interval is narrower than :func:`required_interval`.

    Only primary cells are judged. A secondary cell holds no CAE's secret by itself: it is
    hidden to widen a primary cell's interval, and whether it does is what the primary checks
    measure. So a secondary cell that the reader can recompute exactly (lo == hi) is not an
    exposure in itself: it would reveal something only if it narrowed a primary cell, which
    the primary checks then report. :func:`interval` lets a caller inspect any cell.
    """
    reader = _Reader(protected)
    exposures: list[Exposure] = []
    for key, cell in protected.cells.items():
        if cell.reason is None or cell.reason is Reason.SECONDARY:
            continue
        lo, hi = reader.interval(key)
        low_enough, high_enough = required_interval(protected.table.kind, cell.value, rules)
        slack = _TOLERANCE * max(1.0, abs(cell.value))
        if lo > low_enough + slack or hi < high_enough - slack:
            exposures.append(Exposure(key, cell.value, lo, hi, cell.reason))
    return exposures


def interval(protected: ProtectedTable, key: CellKey) -> tuple[float, float]:
    """What the reader can infer about one cell: (value, value) for a published cell, else the
    min and max over the reader's polytope (``hi`` may be ``inf``)."""
    return _Reader(protected).interval(key)


class _Reader:
    """The reader's linear program: one variable per hidden cell."""

    def __init__(self, protected: ProtectedTable) -> None:
        self.cells = protected.cells
        self.index = {key: i for i, key in enumerate(k for k, c in self.cells.items() if c.reason)}
        # A margin is the sum of the cells that name a category where it says None, once per
        # dimension it spans: (None, None) is both the sum of row totals and of column totals.
        parts: dict[tuple[CellKey, int], list[CellKey]] = defaultdict(list)
        for key in self.cells:
            for position, code in enumerate(key):
                if code is not None:
                    parent = (*key[:position], None, *key[position + 1 :])
                    if parent in self.cells:
                        parts[(parent, position)].append(key)
        equations: list[tuple[list[tuple[int, float]], float]] = []
        for (total, _), terms in parts.items():
            constant = 0.0
            variables: list[tuple[int, float]] = []
            for key, sign in [(total, -1.0), *((term, 1.0) for term in terms)]:
                if key in self.index:
                    variables.append((self.index[key], sign))
                else:
                    constant -= sign * self.cells[key].value
            if variables:  # an equation of published cells only teaches nothing
                equations.append((variables, constant))
        rows = [row for row, (variables, _) in enumerate(equations) for _ in variables]
        columns = [column for variables, _ in equations for column, _ in variables]
        signs = [sign for variables, _ in equations for _, sign in variables]
        shape = (len(equations), len(self.index))
        self.matrix = csr_matrix((signs, (rows, columns)), shape=shape)
        self.constants: NDArray[np.float64] = np.array([c for _, c in equations], dtype=np.float64)

    def interval(self, key: CellKey) -> tuple[float, float]:
        if key not in self.index:
            value = self.cells[key].value
            return value, value
        objective = np.zeros(len(self.index))
        objective[self.index[key]] = 1.0
        return self._optimum(objective), -self._optimum(-objective)

    def _optimum(self, objective: NDArray[np.float64]) -> float:
        if not len(self.constants):
            return 0.0 if objective.min() >= 0 else -math.inf  # no equation: [0, +inf)
        result = linprog(
            objective,
            A_eq=self.matrix,
            b_eq=self.constants,
            bounds=(0, None),
            method="highs",
            options=_OPTIONS,
        )
        if result.status == 3:
            return -math.inf  # unbounded: only ever when maximising
        if result.status != 0:
            raise RuntimeError(f"the reader's linear program failed: {result.message}")
        return float(result.fun)
