"""Independent audit of whole publications, by linear (counts: integer) programming.

:mod:`hub.stats.audit` audits one table. This module audits what a reader really holds:

* :func:`audit_publication`: every table of one indicator together, as published cells keyed
  by the categories they fix; the equations linking them are derived from the keys alone
  (a total is the sum over every code of one dimension; a region, the sum of its
  départements). With ``own``, the reader is a member that knows its own part of every cell:
  her unknowns are the rest of each cell, and a secret is judged on that rest.
* :func:`audit_releases`: several publications of the same period together, with one unknown
  per revision and cell (per-member unknowns): each publication fixes the sum of its
  revisions over its published cells. Judged are each publication's primary cells and, for
  each group of revisions the publications do not share (a late member, an old or a new
  revision), the group's part of each cell where that part alone would be primary.

Nothing here knows how patterns are chosen. Counts are audited with integer variables
(HiGHS branch and bound), so a bound a reader gets from knowing counts are whole is found.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp  # type: ignore[import-untyped]
from scipy.sparse import csr_matrix  # type: ignore[import-untyped]

from hub.stats.audit import required_interval
from hub.stats.disclosure import DEFAULT_RULES, Kind, Rules, primary_reason

__all__ = ["Finding", "audit_publication", "audit_releases", "derived_equations"]

Key = tuple[tuple[str, str], ...]
_TOLERANCE = 1e-6


@dataclass(frozen=True)
class Finding:
    """A secret the reader narrows to [lo, hi], too close to ``value``."""

    what: str
    key: Key
    value: float
    lo: float
    hi: float


def derived_equations(
    keys: Iterable[Key], region_of: Mapping[str, str] | None = None
) -> list[tuple[Key, list[Key]]]:
    """(total, parts) for every total whose parts are all among ``keys``."""
    present = set(keys)
    codes: dict[str, set[str]] = defaultdict(set)
    for key in present:
        for dim, code in key:
            codes[dim].add(code)
    found = []
    seen = set()
    for key in sorted(present):
        fixed = dict(key)
        for dim in fixed:
            parent = tuple(sorted((d, c) for d, c in fixed.items() if d != dim))
            if (parent, dim) in seen or parent not in present:
                continue
            seen.add((parent, dim))
            parts = [tuple(sorted([*parent, (dim, c)])) for c in sorted(codes[dim])]
            if all(p in present for p in parts):
                found.append((parent, parts))
        if region_of is not None and "region" in fixed:
            rest = [(d, c) for d, c in fixed.items() if d != "region"]
            parts = [
                tuple(sorted([*rest, ("departement", c)]))
                for c in sorted(codes.get("departement", ()))
                if _region(c, region_of) == fixed["region"]
            ]
            if parts and all(p in present for p in parts):
                found.append((key, parts))
    return found


def _region(departement: str, region_of: Mapping[str, str]) -> str:
    if ":" in departement:
        return departement.split(":", 1)[1]
    return region_of.get(departement, "_nr")


class _Program:
    """min / max of linear forms over {x >= lower : A x = b}, integer if asked."""

    def __init__(
        self,
        rows: list[tuple[dict[int, float], float]],
        size: int,
        lower: np.ndarray,
        integer: bool,
    ) -> None:
        data = [v for terms, _ in rows for v in terms.values()]
        columns = [c for terms, _ in rows for c in terms]
        lines = [i for i, (terms, _) in enumerate(rows) for _ in terms]
        matrix = csr_matrix((data, (lines, columns)), shape=(len(rows), size))
        rhs = np.array([b for _, b in rows], dtype=float)
        self.constraints = [LinearConstraint(matrix, rhs, rhs)] if rows else []
        self.bounds = Bounds(lower, np.full(size, np.inf))
        self.integrality = np.ones(size) if integer else np.zeros(size)
        self.size = size

    def optimum(self, terms: Mapping[int, float]) -> float:
        objective = np.zeros(self.size)
        for column, weight in terms.items():
            objective[column] = weight
        result = milp(
            objective,
            constraints=self.constraints,
            integrality=self.integrality,
            bounds=self.bounds,
        )
        if result.status == 3 or (result.x is None and "unbounded" in str(result.message)):
            return -math.inf
        if result.x is None:
            raise RuntimeError(f"the reader's program failed: {result.message}")
        return float(result.fun)

    def interval(self, terms: Mapping[int, float]) -> tuple[float, float]:
        return self.optimum(terms), -self.optimum({c: -w for c, w in terms.items()})


def _judge(
    what: str,
    key: Key,
    value: float,
    bounds: tuple[float, float],
    kind: Kind,
    rules: Rules,
) -> Finding | None:
    lo, hi = bounds
    low_enough, high_enough = required_interval(kind, value, rules)
    slack = _TOLERANCE * max(1.0, abs(value))
    if lo > low_enough + slack or hi < high_enough - slack:
        return Finding(what, key, value, lo, hi)
    return None


def audit_publication(
    published: Mapping[Key, float | None],
    truth: Mapping[Key, Mapping[int, float]],
    kind: Kind,
    rules: Rules = DEFAULT_RULES,
    *,
    region_of: Mapping[str, str] | None = None,
    own: int | None = None,
) -> list[Finding]:
    """Every primary cell (by ``truth``: member → part) that the reader of all ``published``
    cells (``None``: hidden) narrows below its required interval; with ``own``, the reader
    is that member and the target is the rest of each cell."""

    def mine(key: Key) -> float:
        return float(truth.get(key, {}).get(own, 0.0)) if own is not None else 0.0

    hidden = [key for key, value in published.items() if value is None]
    index = {key: i for i, key in enumerate(hidden)}
    rows = []
    for total, parts in derived_equations(published, region_of):
        terms: dict[int, float] = defaultdict(float)
        constant = 0.0
        for key, sign in [(total, 1.0), *((p, -1.0) for p in parts)]:
            if key in index:
                terms[index[key]] += sign
            else:
                constant -= sign * (float(published[key] or 0.0) - mine(key))
        if terms:
            rows.append((dict(terms), constant))
    program = _Program(rows, len(hidden), np.zeros(len(hidden)), kind == "persons")
    findings = []
    for key in hidden:
        shares = truth.get(key, {})
        if primary_reason(kind, shares, rules) is None:
            continue
        target = sum(shares.values()) - mine(key)
        if target <= 0:
            continue
        finding = _judge("cell", key, target, program.interval({index[key]: 1.0}), kind, rules)
        if finding is not None:
            findings.append(finding)
    return findings


def audit_releases(
    releases: Sequence[tuple[Mapping[Key, float | None], frozenset[int]]],
    contributions: Mapping[Key, Mapping[int, float]],
    member_of: Mapping[int, int],
    kind: Kind,
    rules: Rules = DEFAULT_RULES,
    *,
    region_of: Mapping[str, str] | None = None,
) -> list[Finding]:
    """Publications (published cells, revisions included) read together, one unknown per
    revision and cell; ``contributions``: cell → revision → true part."""
    keys = sorted(set().union(*(set(p) for p, _ in releases)))
    revisions = sorted(set().union(*(r for _, r in releases)))
    index = {(r, key): i for i, (r, key) in enumerate((r, k) for r in revisions for k in keys)}
    equations = derived_equations(keys, region_of)
    rows = []
    for r in revisions:
        for total, parts in equations:
            terms = {index[(r, total)]: 1.0} | {index[(r, p)]: -1.0 for p in parts}
            rows.append((terms, 0.0))
    for published, included in releases:
        for key, value in published.items():
            if value is not None:
                rows.append(({index[(r, key)]: 1.0 for r in included}, float(value)))
    program = _Program(rows, len(index), np.zeros(len(index)), kind == "persons")
    findings = []
    signature = {r: tuple(r in inc for _, inc in releases) for r in revisions}
    groups = defaultdict(list)
    for r in revisions:
        groups[signature[r]].append(r)
    judged: list[tuple[str, list[int]]] = [
        (f"publication {n + 1}", sorted(inc)) for n, (_, inc) in enumerate(releases)
    ]
    judged += [
        (f"group {''.join('1' if s else '0' for s in sig)}", members)
        for sig, members in sorted(groups.items())
        if not all(sig)
    ]
    for what, members in judged:
        for key in keys:
            found = {member_of[r]: contributions.get(key, {}).get(r, 0.0) for r in members}
            shares = {m: v for m, v in found.items() if v > 0}
            if primary_reason(kind, shares, rules) is None:
                continue
            terms = {index[(r, key)]: 1.0 for r in members}
            finding = _judge(what, key, sum(shares.values()), program.interval(terms), kind, rules)
            if finding is not None:
                findings.append(finding)
    return findings
