"""The linear programs behind certificates (:mod:`hub.stats.joint`), solved with HiGHS."""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import Bounds, LinearConstraint, linprog, milp  # type: ignore[import-untyped]
from scipy.sparse import csr_matrix  # type: ignore[import-untyped]

__all__ = ["matrix_of", "optimum"]

_TOL = 1e-7
_MILP_SECONDS = 0.5


def _whole(x: NDArray[np.float64]) -> bool:
    return bool(np.abs(x - np.round(x)).max(initial=0.0) <= 1e-6)


def matrix_of(rows: list[list[tuple[int, float]]], width: int) -> csr_matrix:
    data = [v for row in rows for _, v in row]
    columns = [c for row in rows for c, _ in row]
    lines = [i for i, row in enumerate(rows) for _ in row]
    return csr_matrix((data, (lines, columns)), shape=(len(rows), width))


def optimum(
    costs: NDArray[np.float64],
    matrix: csr_matrix,
    rhs: NDArray[np.float64],
    lower: NDArray[np.float64],
    upper: NDArray[np.float64],
    *,
    whole: bool,
) -> NDArray[np.float64] | None:
    """The least-cost solution of {A x = b, lower <= x <= upper}, in whole numbers if
    ``whole`` (``None`` if there is none)."""
    bounds = [(lo, None if math.isinf(hi) else hi) for lo, hi in zip(lower, upper, strict=True)]
    result = linprog(costs, A_eq=matrix, b_eq=rhs, bounds=bounds, method="highs")
    if result.status != 0:
        return None
    x: NDArray[np.float64] = result.x
    if not whole or _whole(x):
        return x
    # A fractional vertex is often a fraction of a whole certificate: a multiple moves
    # the secret further, which is as good, if it keeps every bound.
    for k in (2, 3, 4, 6):
        if _whole(k * x) and bool(np.all(k * x >= lower - _TOL) and np.all(k * x <= upper + _TOL)):
            return np.asarray(np.round(k * x), dtype=np.float64)
    for seconds in (_MILP_SECONDS, 40 * _MILP_SECONDS):
        exact = milp(
            costs,
            constraints=LinearConstraint(matrix, rhs, rhs),
            integrality=np.ones(len(costs)),
            bounds=Bounds(lower, upper),
            options={"time_limit": seconds},
        )
        if exact.x is not None:
            return np.asarray(np.round(exact.x), dtype=np.float64)
        if exact.status != 1:  # not a time limit: no whole certificate exists
            return None
    return None
