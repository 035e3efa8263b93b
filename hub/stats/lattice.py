"""Every table of one indicator as one system of cells: the lattice of a publication.

A cell is identified by the categories it fixes, as sorted ``(dimension, code)`` pairs
(:data:`CellId`): ``()`` is the grand total, ``(("trade", "43.21A"),)`` a trade, and so on.
The table of an indicator by ``trade`` and the one by ``trade, sex`` share the cells that fix
a trade only, so one pattern over the lattice is one pattern for every table of the indicator.

One contributor set. Each revision contributes to every table of the indicator: a dimension
its report does not break down (a connector leaves a breakdown out when some persons lack the
value) is counted under « non renseigné » (:data:`NOT_STATED`) in every table that needs it.
So every margin of every table equals the cell of the coarser table it stands for, and no
difference of two tables isolates the CAEs lacking a breakdown.

Derived and recoded categories. ``region`` is derived from ``departement`` (code lists link
them); rare categories may be grouped into « autres » (:data:`OTHERS`; for départements, one
group per region, so that regions stay sums of départements). These change categories only:
the equations below carry the hierarchy region = sum of its départements.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import combinations, product

__all__ = [
    "NOT_STATED",
    "OTHERS",
    "CellId",
    "Lattice",
    "RevisionRow",
    "build_lattice",
    "cell_id",
    "id_text",
    "parse_id",
]

CellId = tuple[tuple[str, str], ...]
NOT_STATED = "_nr"
"""Category of a revision whose report does not break the indicator down by a dimension."""
OTHERS = "_autres"
"""Category grouping rare codes; for départements ``_autres:<region>``."""
DERIVED = {"region": "departement"}
EXCLUDED_PAIRS = {frozenset({"region", "departement"})}
RevisionRow = tuple[int, str, Mapping[str, str], float]
"""revision (report) id, breakdown (``dim_set``), its categories, value."""


def cell_id(pairs: Iterable[tuple[str, str | None]]) -> CellId:
    return tuple(sorted((d, c) for d, c in pairs if c is not None))


def id_text(cell: CellId) -> str:
    return "|".join(f"{d}={c}" for d, c in cell)


def parse_id(text: str) -> CellId:
    return tuple((d, c) for d, _, c in (part.partition("=") for part in text.split("|") if part))


@dataclass
class Lattice:
    """The cells of every table of one indicator, each revision's part of them, and the
    equations (a total equals the sum of the cells below it) linking them."""

    indicator: str
    dims: tuple[str, ...]
    codes: dict[str, list[str]]
    cells: list[CellId]
    contributions: dict[CellId, dict[int, float]]
    equations: list[tuple[CellId, list[CellId]]] = field(default_factory=list)
    region_of: dict[str, str] = field(default_factory=dict)

    def value(self, cell: CellId, revisions: Iterable[int] | None = None) -> float:
        parts = self.contributions.get(cell, {})
        if revisions is None:
            return sum(parts.values())
        return sum(parts.get(r, 0) for r in revisions)


def table_dim_sets(
    dims: Sequence[str], extra: Sequence[frozenset[str]] = ()
) -> list[frozenset[str]]:
    """Every set of at most two dimensions (never a département with its region), then
    ``extra``."""
    sets: list[frozenset[str]] = [frozenset()] + [frozenset({d}) for d in dims]
    sets += [frozenset(p) for p in combinations(dims, 2) if frozenset(p) not in EXCLUDED_PAIRS]
    return sets + [s for s in extra if s not in sets]


def _source_dims(dims: frozenset[str]) -> frozenset[str]:
    return frozenset(DERIVED.get(d, d) for d in dims)


def known_dims(
    sent: set[frozenset[str]], dims: Sequence[str], extra: Sequence[frozenset[str]]
) -> set[str]:
    """The dimensions a revision's figures can be read by: the largest set whose every
    needed breakdown (each one or two of them, and ``extra`` crosses within it) was sent."""
    known = {d for d in dims if _source_dims(frozenset({d})) in sent}
    if frozenset() not in sent:
        return set()
    while True:
        missing = [
            s
            for s in table_dim_sets(sorted(known), [e for e in extra if e <= known])
            if s and _source_dims(s) not in sent
        ]
        if not missing:
            return known
        weight = {d: sum(d in s for s in missing) for d in known}
        # Deterministic: drop the dimension most often missing, the last listed on a tie.
        order = {d: i for i, d in enumerate(dims)}
        known.discard(max(weight, key=lambda d: (weight[d], order[d])))


def build_lattice(
    indicator: str,
    dims: Sequence[str],
    rows: Iterable[RevisionRow],
    *,
    region_of: Mapping[str, str],
    recode: Mapping[str, Mapping[str, str]] | None = None,
    extra: Sequence[tuple[frozenset[str], Mapping[str, str]]] = (),
) -> Lattice:
    """The lattice of ``indicator`` over ``dims`` (derived ``region`` included if listed)
    from every revision's cells. ``recode`` maps a dimension's codes to grouped ones;
    ``extra`` adds crosses of three dimensions restricted to fixed codes (the CESA slice
    of entrepreneurs for the associate rate)."""
    recode = recode or {}
    dims = tuple(dims)
    extra_sets = [s for s, _ in extra]
    by_revision: dict[int, list[tuple[frozenset[str], Mapping[str, str], float]]] = defaultdict(
        list
    )
    for revision, dim_set, codes, value in rows:
        by_revision[revision].append((frozenset(filter(None, dim_set.split(","))), codes, value))
    sets = table_dim_sets(dims, extra_sets)
    contributions: dict[CellId, dict[int, float]] = defaultdict(dict)
    seen: dict[str, set[str]] = {d: set() for d in dims}
    for revision, revision_rows in sorted(by_revision.items()):
        sent = {s for s, _, _ in revision_rows}
        if frozenset() not in sent:
            continue  # no total: the revision says nothing of this indicator
        known = known_dims(sent, dims, extra_sets)
        grouped: dict[frozenset[str], list[tuple[Mapping[str, str], float]]] = defaultdict(list)
        for sent_set, codes, value in revision_rows:
            grouped[sent_set].append((codes, value))
        for target in sets:
            wanted = frozenset(d for d in target if d in known)
            source = _source_dims(wanted)
            unknown = target - wanted
            restriction = dict(next((r for s, r in extra if s == target), {}))
            for codes, value in grouped.get(source, ()):
                pairs = []
                for d in target:
                    if d in unknown:
                        pairs.append((d, NOT_STATED))
                    else:
                        pairs.append((d, _code(d, codes, recode, region_of)))
                if any(dict(pairs).get(d) != c for d, c in restriction.items()):
                    continue
                cell = cell_id(pairs)
                parts = contributions[cell]
                parts[revision] = parts.get(revision, 0) + value
                for d, c in pairs:
                    seen[d].add(c)
    codes_of = {d: sorted(seen[d]) for d in dims}
    cells: list[CellId] = []
    for target in sets:
        restriction = dict(next((r for s, r in extra if s == target), {}))
        ordered = sorted(target)
        choices = [[restriction[d]] if d in restriction else codes_of[d] for d in ordered]
        cells.extend(tuple(zip(ordered, combo, strict=True)) for combo in product(*choices))
    lattice = Lattice(
        indicator=indicator,
        dims=dims,
        codes=codes_of,
        cells=cells,
        contributions={c: {r: v for r, v in p.items() if v > 0} for c, p in contributions.items()},
        region_of=dict(region_of),
    )
    lattice.equations = equations(lattice)
    return lattice


def _code(
    dim: str,
    codes: Mapping[str, str],
    recode: Mapping[str, Mapping[str, str]],
    region_of: Mapping[str, str],
) -> str:
    if dim == "region":
        return region_of.get(codes["departement"], NOT_STATED)
    code = codes[dim]
    return recode.get(dim, {}).get(code, code)


def region_of_code(departement: str, region_of: Mapping[str, str]) -> str:
    """The region of a département code, grouped ones (``_autres:75``) included."""
    if departement.startswith(OTHERS + ":"):
        return departement.split(":", 1)[1]
    if departement == NOT_STATED:
        return NOT_STATED
    return region_of.get(departement, NOT_STATED)


def equations(lattice: Lattice) -> list[tuple[CellId, list[CellId]]]:
    """Each total with the cells it is the sum of: over every code of one dimension, and
    (regions) over the départements of a region."""
    present = set(lattice.cells)
    found: list[tuple[CellId, list[CellId]]] = []
    done: set[tuple[CellId, str]] = set()
    for cell in lattice.cells:
        fixed = dict(cell)
        for dim in fixed:
            parent = cell_id((d, c) for d, c in fixed.items() if d != dim)
            if (parent, dim) in done:
                continue
            done.add((parent, dim))
            children = [cell_id([*parent, (dim, code)]) for code in lattice.codes[dim]]
            if all(child in present for child in children):
                found.append((parent, children))
        if "region" in fixed and "departement" in lattice.codes:
            rest = [(d, c) for d, c in fixed.items() if d != "region"]
            children = [
                cell_id([*rest, ("departement", code)])
                for code in lattice.codes["departement"]
                if region_of_code(code, lattice.region_of) == fixed["region"]
            ]
            if children and all(child in present for child in children):
                found.append((cell, children))
    return found
