"""Disclosure control of the federation's tables (DESIGN.md §6), one table at a time.

The primary rules here (:func:`primary_reason`) hold everywhere. :func:`protect`, which
protects one table on its own, serves live figures (staff only) and the publications made
before whole-publication patterns were stored; a publication now protects every table of the
period together, and jointly with the period's earlier publications (:mod:`hub.stats.joint`).

A table is the sum over CAEs of one indicator, broken down by 0, 1 or 2 dimensions.
:func:`protect` hides every cell that would expose one CAE (primary suppression), then enough
further cells that a reader who knows every published cell, the additivity of the table and that
no cell is negative cannot narrow a hidden primary value down to less than the required
interval (secondary suppression).

How secondary suppression works. The table is a network: every non-empty cell is an arc and
every additivity equation a node (2 dims: source → row → column → sink, row totals are the arcs
source → row, column totals column → sink, the grand total sink → source; 1 dim: source →
category → sink, the category → sink link being free). A table that agrees with every published
cell and every equation differs from the true one by a circulation on the hidden arcs. So a
primary cell ``p`` can be raised by ``u`` as soon as ``u`` can flow from the head of ``p`` back
to its tail through hidden arcs, each arc crossed backwards giving at most its own value (no
cell goes below 0); it can be lowered the same way in the other direction. For each primary
cell, largest first, the cheapest such path is found (Dijkstra; a cell costs about its value,
margins ten times more, the grand total a million times more, a cell already hidden almost
nothing) and its cells are hidden; when no single path can carry the flow, several are
combined (augmenting paths); when even that fails, every non-empty cell is hidden. Each path is
an explicit table that the reader cannot rule out, and hiding more cells never rules it out,
so the pattern is protected by construction: no global iteration is needed, the work is a
fixed number of shortest-path searches, and the result is deterministic.
:mod:`hub.stats.audit` checks the result independently with linear programming.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from itertools import product
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix  # type: ignore[import-untyped]  # SciPy ships no stubs
from scipy.sparse.csgraph import dijkstra  # type: ignore[import-untyped]

__all__ = [
    "DEFAULT_RULES",
    "REASON_LABELS",
    "CellKey",
    "Contributions",
    "InteriorKey",
    "Kind",
    "ProtectedCell",
    "ProtectedTable",
    "Reason",
    "Rules",
    "Table",
    "primary_reason",
    "protect",
    "reason_label",
]

Kind = Literal["persons", "amount"]
InteriorKey = tuple[str, ...]
"""Category codes of an interior cell, one per dimension."""
CellKey = tuple[str | None, ...]
"""Key of any cell: ``None`` stands for "all categories" of a dimension (a margin)."""
Contributions = Mapping[Any, float]
"""Contributor id (any hashable, e.g. a member id) → its non-negative part of a cell. Keys are
typed ``Any`` because a mapping is invariant in its key type: ``dict[int, float]`` would not be
a ``Mapping[Hashable, float]``."""


class Reason(StrEnum):
    """Why a cell is hidden."""

    FREQUENCY = "frequency"
    DOMINANCE = "dominance"
    SMALL_COUNT = "small_count"
    SECONDARY = "secondary"


@dataclass(frozen=True)
class Rules:
    """Thresholds of disclosure control; a cell is primary-suppressed when it has fewer than
    ``min_contributors`` contributors, when (amounts) its largest contributor holds more than
    ``dominance_share`` of it, or when (persons) its value is between 1 and ``small_count_max``.
    A hidden primary cell must stay uncertain by ``protection`` of its value either way."""

    min_contributors: int = 3
    dominance_share: float = 0.85
    small_count_max: int = 2
    protection: float = 0.10

    def __post_init__(self) -> None:
        if self.min_contributors < 1:
            raise ValueError("min_contributors must be at least 1")
        if not 0 < self.dominance_share <= 1:
            raise ValueError("dominance_share must be in (0, 1]")
        if self.small_count_max < 0:
            raise ValueError("small_count_max must be non-negative")
        if not 0 <= self.protection < 1:
            raise ValueError("protection must be in [0, 1)")


DEFAULT_RULES = Rules()


def reason_label(reason: Reason, rules: Rules = DEFAULT_RULES) -> str:
    """The French sentence shown next to a hidden cell, with the thresholds of ``rules``."""
    match reason:
        case Reason.FREQUENCY:
            return f"moins de {rules.min_contributors} CAE contributrices"
        case Reason.DOMINANCE:
            share = f"{rules.dominance_share * 100:g}".replace(".", ",")
            return f"une CAE représente plus de {share} % de la valeur"
        case Reason.SMALL_COUNT:
            top = rules.small_count_max
            if top <= 1:
                return "effectif de 1 personne"
            if top == 2:
                return "effectif de 1 ou 2 personnes"
            return f"effectif de 1 à {top} personnes"
        case Reason.SECONDARY:
            return "masquée pour protéger une autre cellule"


REASON_LABELS: dict[Reason, str] = {reason: reason_label(reason) for reason in Reason}
"""Labels for the default rules."""


@dataclass(frozen=True)
class Table:
    """One statistical table: the sum over CAEs of one indicator. Build it with :meth:`build`.

    ``interior`` holds every interior cell (every combination of ``categories``, empty ones
    with no contributor), each with its contributions, zeros removed. Margins are not stored:
    :meth:`cells` derives them. With no dimension, the single cell ``()`` is the grand total.
    """

    kind: Kind
    dims: tuple[str, ...]
    categories: tuple[tuple[str, ...], ...]
    interior: Mapping[InteriorKey, Mapping[Hashable, float]]

    @classmethod
    def build(
        cls,
        kind: Kind,
        dims: Iterable[str],
        interior: Mapping[InteriorKey, Contributions],
        *,
        categories: Iterable[Iterable[str]] | None = None,
    ) -> Table:
        """Validate and normalise contributions: persons become ints, amounts are rounded to
        cents, zero contributions are dropped. Categories default to the sorted codes seen."""
        dims = tuple(dims)
        if len(dims) > 2 or len(set(dims)) != len(dims):
            raise ValueError(f"at most two distinct dimensions, got {dims}")
        for key in interior:
            if len(key) != len(dims) or not all(isinstance(code, str) for code in key):
                raise ValueError(f"cell key {key!r} does not match dimensions {dims}")
        if categories is None:
            codes = tuple(tuple(sorted({key[i] for key in interior})) for i in range(len(dims)))
        else:
            codes = tuple(tuple(dimension) for dimension in categories)
            if len(codes) != len(dims) or any(len(set(c)) != len(c) for c in codes):
                raise ValueError("one list of distinct categories per dimension is needed")
            for key in interior:
                if any(code not in allowed for code, allowed in zip(key, codes, strict=True)):
                    raise ValueError(f"cell key {key!r} uses an unknown category")
        cells = {
            key: _normalised(kind, interior.get(key, {}))
            for key in (product(*codes) if dims else [()])
        }
        return cls(kind=kind, dims=dims, categories=codes, interior=cells)

    def margin_keys(self) -> list[CellKey]:
        """Keys of the margins: row totals ``(row, None)``, column totals ``(None, col)``, then
        the grand total ``(None, None)``; ``[(None,)]`` for one dimension, ``[]`` for none."""
        patterns = sorted(
            (p for p in product((False, True), repeat=len(self.dims)) if any(p)),
            key=lambda pattern: (sum(pattern), pattern),
        )
        keys: list[CellKey] = []
        for pattern in patterns:
            choices = [
                [None] if hidden else list(codes)
                for hidden, codes in zip(pattern, self.categories, strict=True)
            ]
            keys.extend(product(*choices))
        return keys

    def cells(self) -> dict[CellKey, dict[Hashable, float]]:
        """Contributions of every cell, interior cells first, then :meth:`margin_keys`; a
        margin's contribution of a CAE is the sum of its contributions to the cells below."""
        result: dict[CellKey, dict[Hashable, float]] = {
            k: dict(v) for k, v in self.interior.items()
        }
        margins: dict[CellKey, dict[Hashable, float]] = {key: {} for key in self.margin_keys()}
        for key, contributions in self.interior.items():
            for pattern in product((False, True), repeat=len(key)):
                if not any(pattern):
                    continue
                margin = margins[
                    tuple(None if h else code for h, code in zip(pattern, key, strict=True))
                ]
                for contributor, value in contributions.items():
                    margin[contributor] = margin.get(contributor, 0) + value
        if self.kind == "amount":
            for margin in margins.values():
                for contributor, value in margin.items():
                    margin[contributor] = round(value, 2)
        return result | margins


def _normalised(kind: Kind, contributions: Contributions) -> dict[Hashable, float]:
    result: dict[Hashable, float] = {}
    for contributor, raw in contributions.items():
        value = float(raw)
        if not math.isfinite(value) or value < 0:
            raise ValueError(f"contribution of {contributor!r} must be finite and >= 0: {raw!r}")
        if kind == "persons":
            if value != int(value):
                raise ValueError(f"a count must be a whole number: {raw!r}")
            value = int(value)
        else:
            value = round(value, 2)
        if value > 0:
            result[contributor] = value
    return result


@dataclass(frozen=True)
class ProtectedCell:
    """One cell as published: ``reason`` is ``None`` when the value may be shown."""

    key: CellKey
    value: float
    contributors: int
    reason: Reason | None

    @property
    def published(self) -> bool:
        return self.reason is None


@dataclass(frozen=True)
class ProtectedTable:
    """A table with the fate of each of its cells, interior and margins (see :meth:`Table.cells`
    for the order)."""

    table: Table
    cells: dict[CellKey, ProtectedCell]


def primary_reason(kind: Kind, contributions: Contributions, rules: Rules) -> Reason | None:
    """The first primary rule that hides a cell with these contributions, if any. An empty
    cell (no contributor) is a known zero: never hidden."""
    parts = [value for value in contributions.values() if value > 0]
    if not parts:
        return None
    total = sum(parts)
    if len(parts) < rules.min_contributors:
        return Reason.FREQUENCY
    # The tolerance keeps a share of exactly the threshold (in decimal) on the published side.
    if kind == "amount" and max(parts) - rules.dominance_share * total > 1e-9 * total:
        return Reason.DOMINANCE
    if kind == "persons" and 1 <= total <= rules.small_count_max:
        return Reason.SMALL_COUNT
    return None


def protect(table: Table, rules: Rules = DEFAULT_RULES) -> ProtectedTable:
    """Primary then secondary suppression of ``table`` (see the module docstring)."""
    contributions = table.cells()
    values: dict[CellKey, float] = {}
    cells: dict[CellKey, ProtectedCell] = {}
    for key, parts in contributions.items():
        value = sum(parts.values())
        values[key] = round(value, 2) if table.kind == "amount" else value
        count = sum(1 for part in parts.values() if part > 0)
        reason = primary_reason(table.kind, parts, rules)
        cells[key] = ProtectedCell(key, values[key], count, reason)
    primaries = sorted(
        (key for key, cell in cells.items() if cell.reason is not None),
        key=lambda key: (-values[key], _order(key)),
    )
    if table.dims and primaries:
        network = _Network(table, values, hidden=primaries)
        for key in primaries:
            up, down = _needs(table.kind, values[key], rules)
            if not network.protect(key, up, down):
                network.hide_everything()
                break
        for key in network.hidden_keys():
            if cells[key].reason is None:
                cells[key] = ProtectedCell(
                    key, values[key], cells[key].contributors, Reason.SECONDARY
                )
    return ProtectedTable(table=table, cells=cells)


def _needs(kind: Kind, value: float, rules: Rules) -> tuple[float, float]:
    """How far above and below its value a hidden primary cell must be able to go."""
    if kind == "amount":
        return rules.protection * value, rules.protection * value
    # round() first: 0.1 * 30 is 3.0000000000000004 in floating point.
    step = max(1, math.ceil(round(rules.protection * value, 9)))
    return step, min(value, step)


def _order(key: CellKey) -> tuple[tuple[bool, str], ...]:
    return tuple((code is None, code or "") for code in key)


_MARGIN_WEIGHT = 10.0
_TOTAL_WEIGHT = 1e6
_HIDDEN_WEIGHT = 1e-6
_TINY = 1e-9


class _Network:
    """The table as a flow network (module docstring); arcs are non-empty cells, plus free
    category → sink links for one dimension."""

    def __init__(
        self, table: Table, values: Mapping[CellKey, float], *, hidden: Iterable[CellKey]
    ) -> None:
        sink = 1
        ranks = [{code: i for i, code in enumerate(codes)} for codes in table.categories]
        first_column = 2 + len(table.categories[0])
        nonempty = [v for k, v in values.items() if None not in k and v > 0]
        unit = sum(nonempty) / len(nonempty) if nonempty else 1.0
        tails: list[int] = []
        heads: list[int] = []
        caps: list[float] = []
        costs: list[float] = []
        self.keys: list[CellKey | None] = []
        self.arc_of: dict[CellKey, int] = {}
        for key, value in values.items():
            if value <= 0:
                continue  # a known zero: never hidden, never moves
            tail, head = _ends(key, ranks, first_column)
            weight = 1.0 + value / unit
            if None in key:
                weight *= _TOTAL_WEIGHT if all(code is None for code in key) else _MARGIN_WEIGHT
            self.arc_of[key] = len(self.keys)
            self.keys.append(key)
            tails.append(tail)
            heads.append(head)
            caps.append(value)
            costs.append(weight)
        if len(table.dims) == 1:
            for node in range(2, first_column):
                self.keys.append(None)
                tails.append(node)
                heads.append(sink)
                caps.append(math.inf)
                costs.append(_HIDDEN_WEIGHT)
        self.nodes = first_column + (len(table.categories[1]) if len(table.dims) == 2 else 0)
        self.tail = np.array(tails, dtype=np.int64)
        self.head = np.array(heads, dtype=np.int64)
        self.cap: NDArray[np.float64] = np.array(caps, dtype=np.float64)
        self.cost: NDArray[np.float64] = np.array(costs, dtype=np.float64)
        self.hidden = np.array([key is None for key in self.keys], dtype=np.bool_)
        self.hidden[[self.arc_of[key] for key in hidden]] = True
        self.crossing: dict[tuple[int, int], tuple[int, int]] = {}
        for arc, (tail, head) in enumerate(zip(tails, heads, strict=True)):
            self.crossing[(tail, head)] = (arc, 1)
            self.crossing[(head, tail)] = (arc, -1)
        # One graph for all searches, crossing k < n being arc k forwards and n + k arc k
        # backwards (no two crossings join the same nodes); a search only rewrites the weights,
        # an infinite weight closing a crossing.
        starts = np.concatenate((self.tail, self.head))
        ends = np.concatenate((self.head, self.tail))
        self.slots = np.lexsort((ends, starts))
        self.graph = csr_matrix(
            (
                np.ones(len(starts)),
                ends[self.slots],
                np.searchsorted(starts[self.slots], np.arange(self.nodes + 1)),
            ),
            shape=(self.nodes, self.nodes),
        )

    def protect(self, key: CellKey, up: float, down: float) -> bool:
        """Hide what lets ``key`` move ``up`` above and ``down`` below its value; ``False`` if
        the non-empty cells cannot carry it."""
        arc = self.arc_of[key]
        tail, head = int(self.tail[arc]), int(self.head[arc])
        for start, end, need in ((head, tail, up), (tail, head, down)):
            if need <= 0:
                continue
            arcs = self._route(arc, start, end, need)
            if arcs is None:
                return False
            self.hidden[arcs] = True
        return True

    def hide_everything(self) -> None:
        """Last resort: with every non-empty cell hidden, the reader may scale the whole table
        by any factor from 0 up, so every cell spans [0, +inf)."""
        self.hidden[:] = True

    def hidden_keys(self) -> list[CellKey]:
        return [
            key
            for key, hidden in zip(self.keys, self.hidden, strict=True)
            if hidden and key is not None
        ]

    def _route(self, skip: int, start: int, end: int, need: float) -> list[int] | None:
        """Arcs carrying ``need`` from ``start`` to ``end`` without ``skip``: one path if one is
        wide enough, else augmenting paths over the residual capacities (Ford–Fulkerson)."""
        path = self._path(skip, start, end, self.cap, need)
        if path is not None:
            return [arc for arc, _ in path]
        residual = self.cap.copy()
        used: set[int] = set()
        left = need
        for _ in range(len(self.keys)):  # each push empties a crossing: ample in practice
            path = self._path(skip, start, end, residual, need * _TINY)
            if path is None:
                return None
            push = min([left] + [float(residual[arc]) for arc, sign in path if sign < 0])
            for arc, sign in path:
                residual[arc] += sign * push
                used.add(arc)
            left -= push
            if left <= need * _TINY:
                return sorted(used)
        return None

    def _path(
        self, skip: int, start: int, end: int, capacity: NDArray[np.float64], need: float
    ) -> list[tuple[int, int]] | None:
        """Cheapest path as (arc, +1 forwards / -1 backwards); an arc is crossed backwards only
        if ``capacity`` covers ``need``, since that cell goes down."""
        weight = np.where(self.hidden, _HIDDEN_WEIGHT, self.cost)
        weights = np.concatenate((weight, np.where(capacity >= need, weight, np.inf)))
        weights[[skip, len(weight) + skip]] = np.inf
        self.graph.data[:] = weights[self.slots]
        distances, predecessors = dijkstra(
            self.graph, directed=True, indices=start, return_predecessors=True
        )
        if not math.isfinite(distances[end]):
            return None
        path: list[tuple[int, int]] = []
        node = end
        while node != start:
            previous = int(predecessors[node])
            path.append(self.crossing[(previous, node)])
            node = previous
        return path[::-1]


def _ends(key: CellKey, ranks: list[dict[str, int]], first_column: int) -> tuple[int, int]:
    """Tail and head of a cell's arc: source 0, sink 1, rows from 2, columns from
    ``first_column``."""
    source, sink = 0, 1
    row = None if key[0] is None else 2 + ranks[0][key[0]]
    if len(key) == 1:
        return (sink, source) if row is None else (source, row)
    column = None if key[1] is None else first_column + ranks[1][key[1]]
    if row is not None and column is not None:
        return row, column
    if row is not None:
        return source, row
    if column is not None:
        return column, sink
    return sink, source
