"""Protection of a whole publication, jointly with the period's earlier publications.

What is protected, against whom. The reader holds every table of every publication of the
period (:mod:`hub.stats.lattice`: all tables of an indicator are one system of cells and
equations), knows that no contribution is negative, and may be a member CAE that knows its own
contributions to every cell exactly. For every *secret* she must not be able to narrow the
secret's value to less than its required interval (±``protection`` of an amount, ± max(1,
ceil(protection · n)) for a count of n, which she knows to be a whole number). Secrets are:

* the primary cells of the publication (fewer than ``min_contributors`` CAEs, dominance,
  small counts), and those of every earlier publication of the period;
* when the period was published before, the part of a cell that comes from each *group* of
  revisions that the publications do not share (a late CAE, the old and the new revision of a
  CAE that revised): a difference of two publications is a sum of such parts, so each part
  with too few contributors (or a dominant one) is protected as a cell would be.

Against a member CAE the target is the rest of the secret once its own part is taken off: the
two largest contributors of a secret are the intruders considered (the other contributor of a
two-CAE cell; the second-largest facing a dominant one, and the dominant one facing the rest).

Method: certificates. A pattern is safe for a secret when there are, among the tables the
reader cannot rule out, one where the secret is at least its required distance above its true
value and one where it is that far below. Every table the reader cannot rule out differs from
the true one by a vector ``y`` over the groups' parts of the cells that satisfies every
equation of every group, changes no published cell of any publication, and keeps every part
non-negative; against a member, every part must also stay above that member's own share. To be
safe against any member at once, every part other than the secret's may only go down to
``part - largest single contribution to it``. For each secret and direction we solve one
linear program (HiGHS): find such a ``y`` moving the secret by its required distance at least
cost, a cell of the new publication costing about its value if it must change (margins ten
times more, the grand total a million times more) and almost nothing once hidden; then hide
every cell of the new publication that ``y`` changes. ``y`` is an explicit table the reader
cannot rule out, and hiding more never rules it out, so the pattern is safe by construction
with no global iteration; each ``y`` is also checked against the secrets still waiting, most of
which it already covers. Counts get whole-number certificates (the program is re-solved with
integrality when its optimum is fractional), so the guarantee holds for a reader who knows
counts are whole. Earlier publications are fixed: their published cells are constraints.
Deterministic: secrets in a fixed order, HiGHS with fixed options.

This is the classical cell-suppression heuristic on the linked tables taken as one system
(protecting each table alone, as τ-Argus does with its modular method, needs backtracking
between tables and cannot see differences of publications); it is linear in the number of
secrets, each program having one variable per part of a cell.
:mod:`hub.stats.audit_linked` checks the result independently.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix, vstack  # type: ignore[import-untyped]

from hub.stats.certificates import matrix_of, optimum
from hub.stats.disclosure import Kind, Reason, Rules, primary_reason
from hub.stats.lattice import CellId, Lattice

__all__ = ["JointResult", "Release", "protect_jointly", "required_steps"]

_HIDDEN_COST = 1e-6
_LEVEL_COST = {0: 1e6, 1: 10.0}
_TOL = 1e-7


@dataclass(frozen=True)
class Release:
    """One publication of the period: its revisions, and the cells it hid (``None`` for the
    publication being protected)."""

    revisions: frozenset[int]
    rules: Rules
    hidden: frozenset[CellId] | None = None


@dataclass
class JointResult:
    """The new publication's hidden cells with their reason; ``republication`` lists the
    cells hidden only to protect earlier publications or groups of revisions."""

    hidden: dict[CellId, Reason]
    republication: set[CellId] = field(default_factory=set)
    programs: int = 0
    unprotected: list[CellId] = field(default_factory=list)


def required_steps(kind: Kind, value: float, rules: Rules) -> tuple[float, float]:
    """How far above and below its value a secret must be able to go."""
    if kind == "amount":
        return rules.protection * value, rules.protection * value
    step = max(1, math.ceil(round(rules.protection * value, 9)))
    return step, min(value, step)


@dataclass
class _Secret:
    cell: CellId
    terms: list[int]
    value: float
    parts: dict[int, dict[int, float]]  # member -> term index -> its share
    earlier: bool


Readers = tuple[bool, frozenset[int]]
"""Whose knowledge a certificate must resist: ``(True, E)`` every member but those of ``E``
(and the outside reader), ``(False, {m})`` member ``m`` alone."""


@dataclass
class _Need:
    secret: int
    sign: int
    amount: float
    readers: Readers
    split: list[_Need] = field(default_factory=list)
    """Needs of fewer readers each, tried when this one has no certificate."""


class _System:
    def __init__(
        self,
        lattice: Lattice,
        kind: Kind,
        releases: Sequence[Release],
        member_of: Mapping[int, int],
    ) -> None:
        self.lattice, self.kind, self.releases = lattice, kind, releases
        revisions = sorted(set().union(*(r.revisions for r in releases)))
        signature = {r: tuple(r in rel.revisions for rel in releases) for r in revisions}
        self.groups = [
            [r for r in revisions if signature[r] == sig] for sig in sorted(set(signature.values()))
        ]
        self.member_of = member_of
        self.members = sorted({member_of[r] for r in revisions})
        new = len(releases) - 1
        totals = {
            cell: [lattice.value(cell, rel.revisions) for rel in releases] for cell in lattice.cells
        }
        self.totals = totals
        in_release = [
            [k for k, rel in enumerate(releases) if set(group) <= rel.revisions]
            for group in self.groups
        ]
        self.index: dict[tuple[int, CellId], int] = {}
        z: list[float] = []
        self.var_parts: list[list[tuple[float, int]]] = []
        self._own: dict[int, np.ndarray] = {}
        self.var_cell: list[CellId] = []
        for g, group in enumerate(self.groups):
            for cell in lattice.cells:
                if any(totals[cell][k] <= 0 for k in in_release[g]):
                    continue  # a published zero: every part of it is known
                found = lattice.contributions.get(cell, {})
                parts = sorted(
                    ((found[r], member_of[r]) for r in group if found.get(r, 0) > 0),
                    key=lambda vm: (-vm[0], vm[1]),
                )
                self.index[(g, cell)] = len(z)
                z.append(sum(v for v, _ in parts))
                self.var_parts.append(parts)
                self.var_cell.append(cell)
        self.z = np.array(z)
        top = [[p[i] if len(p) > i else (0.0, -1) for p in self.var_parts] for i in range(3)]
        self.top_value = [np.array([v for v, _ in t]) for t in top]
        self.top_member = [np.array([m for _, m in t]) for t in top]
        self.robust = self.floor((True, frozenset()))
        self.new_cells = [c for c in lattice.cells if totals[c][new] > 0]
        self.q_index = {c: i for i, c in enumerate(self.new_cells)}
        rows: list[list[tuple[int, float]]] = []
        for g in range(len(self.groups)):
            for parent, children in lattice.equations:
                if (g, parent) not in self.index:
                    continue
                terms = [(self.index[(g, parent)], 1.0)]
                terms += [(self.index[(g, c)], -1.0) for c in children if (g, c) in self.index]
                rows.append(terms)
        nv, nq = len(z), len(self.new_cells)
        # One publication alone: a part is its cell, so the change of each cell is written
        # directly as (up, down), half the variables and no linking rows.
        self.compact = len(self.groups) == 1 and self.var_cell == self.new_cells
        self.compact_static = matrix_of(
            [[*terms, *((nv + v, -c) for v, c in terms)] for terms in rows], 2 * nv
        )
        for k, rel in enumerate(releases[:-1]):
            hidden = rel.hidden or frozenset()
            members = [g for g in range(len(self.groups)) if k in in_release[g]]
            for cell in lattice.cells:
                if cell not in hidden and totals[cell][k] > 0:
                    rows.append([(self.index[(g, cell)], 1.0) for g in members])
        news = [g for g in range(len(self.groups)) if new in in_release[g]]
        for cell, i in self.q_index.items():
            terms = [(self.index[(g, cell)], 1.0) for g in news if (g, cell) in self.index]
            rows.append([*terms, (nv + i, -1.0), (nv + nq + i, 1.0)])
        self.static = matrix_of(rows, nv + 2 * nq)
        self.nv, self.nq = nv, nq
        self.in_release = in_release
        self.secrets = self._secrets(new)
        self.secret_matrix = matrix_of(
            [[(t, 1.0) for t in secret.terms] for secret in self.secrets], nv
        )

    def _secrets(self, new: int) -> list[_Secret]:
        found: list[_Secret] = []
        lattice = self.lattice
        candidates: list[tuple[list[int], Rules, bool]] = [
            (
                [g for g in range(len(self.groups)) if k in self.in_release[g]],
                rel.rules,
                k != new,
            )
            for k, rel in enumerate(self.releases)
        ]
        whole = {tuple(groups) for groups, _, _ in candidates}
        if len(self.releases) > 1:
            rules = self.releases[new].rules
            candidates += [([g], rules, True) for g in range(len(self.groups)) if (g,) not in whole]
        for groups, rules, earlier in candidates:
            for cell in lattice.cells:
                pairs = [(g, self.index[(g, cell)]) for g in groups if (g, cell) in self.index]
                terms = [term for _, term in pairs]
                if not terms:
                    continue
                parts: dict[int, dict[int, float]] = {}
                for g, term in pairs:
                    for r in self.groups[g]:
                        v = lattice.contributions.get(cell, {}).get(r, 0.0)
                        if v > 0:
                            parts.setdefault(self.member_of[r], {})[term] = v
                shares = {m: sum(p.values()) for m, p in parts.items()}
                if primary_reason(self.kind, shares, rules) is None:
                    continue
                value = float(self.z[terms].sum())
                found.append(_Secret(cell, terms, value, parts, earlier))
        found.sort(key=lambda s: (s.earlier, -s.value, s.cell))
        return found

    def floor(self, readers: Readers) -> NDArray[np.float64]:
        """The lowest change of every part that keeps it above what ``readers`` know."""
        every, members = readers
        if not every and not members:
            known = np.zeros(len(self.z))
        elif not every:
            [member] = members
            if member not in self._own:
                self._own[member] = np.array(
                    [sum(v for v, m in p if m == member) for p in self.var_parts]
                )
            known = self._own[member]
        elif len(members) > 2:
            known = self.top_value[0]  # stricter than needed: safe
        else:
            left = [~np.isin(m, list(members)) for m in self.top_member]
            known = np.where(
                left[0],
                self.top_value[0],
                np.where(left[1], self.top_value[1], self.top_value[2]),
            )
        return np.asarray(-(self.z - known), dtype=np.float64)

    def floor_at(self, var: int, readers: Readers) -> float:
        every, members = readers
        if every:
            known = next((v for v, m in self.var_parts[var] if m not in members), 0.0)
        else:
            known = sum(v for v, m in self.var_parts[var] if m in members)
        return -(float(self.z[var]) - known)

    def needs(self, index: int) -> list[_Need]:
        """Up and down, first for every reader at once (the outside reader and every member
        but a lone contributor, who has nothing to learn), then, if no certificate serves
        them all, for the outside reader and non-contributors, and each contributor alone."""
        secret = self.secrets[index]
        rules = self.releases[-1].rules
        contributors = frozenset(secret.parts)
        lone = contributors if len(contributors) == 1 else frozenset()
        up, down = required_steps(self.kind, secret.value, rules)
        found = []
        for sign, amount in ((1, up), (-1, down)):
            if amount <= 0:
                continue
            others = [
                _Need(index, sign, amount, (False, frozenset({m})))
                for m in self.members
                if m not in contributors
            ]
            split = [_Need(index, sign, amount, (True, contributors), others)]
            for member, own in sorted(secret.parts.items()):
                rest = secret.value - sum(own.values())
                if rest <= _TOL * max(1.0, secret.value):
                    continue
                rest_up, rest_down = required_steps(self.kind, rest, rules)
                split.append(
                    _Need(
                        index,
                        sign,
                        rest_up if sign > 0 else rest_down,
                        (False, frozenset({member})),
                    )
                )
            split.append(_Need(index, sign, amount, (False, frozenset())))
            found.append(_Need(index, sign, amount, (True, lone), split))
        return found

    def summary(self, y: NDArray[np.float64]) -> tuple[NDArray[np.float64], list[int]]:
        """What :meth:`covers` needs of a certificate: each secret's change, and the parts
        it takes below the floor that protects against every member."""
        below = np.flatnonzero(y < self.robust - _TOL * np.maximum(1.0, np.abs(self.z)))
        return self.secret_matrix @ y, [int(v) for v in below]

    def covers(
        self, y: NDArray[np.float64], summary: tuple[NDArray[np.float64], list[int]], need: _Need
    ) -> bool:
        secret = self.secrets[need.secret]
        scale = _TOL * max(1.0, secret.value)
        sums, below = summary
        if need.sign * float(sums[need.secret]) < need.amount - scale:
            return False
        return all(y[v] >= self.floor_at(v, need.readers) - scale for v in below)

    def solve(self, need: _Need, hidden: set[CellId]) -> NDArray[np.float64] | None:
        """A certificate for ``need`` at least cost, or ``None`` if none exists, laid out as
        (parts' changes, cells' rises, cells' falls)."""
        secret = self.secrets[need.secret]
        floor = self.floor(need.readers)
        cost = self._costs(hidden)
        if self.compact:
            nv = self.nv
            row = np.zeros(2 * nv)
            row[secret.terms] = 1.0
            row[[nv + t for t in secret.terms]] = -1.0
            matrix = vstack([self.compact_static, csr_matrix(row)], format="csr")
            costs = np.concatenate((cost, cost))
            lower = np.zeros(2 * nv)
            upper = np.concatenate((np.full(nv, np.inf), -np.minimum(floor, 0.0)))
        else:
            row = np.zeros(self.nv + 2 * self.nq)
            row[secret.terms] = 1.0
            matrix = vstack([self.static, csr_matrix(row)], format="csr")
            costs = np.concatenate((np.zeros(self.nv), cost, cost))
            lower = np.concatenate((floor, np.zeros(2 * self.nq)))
            upper = np.full(len(lower), np.inf)
        rhs = np.zeros(matrix.shape[0])
        rhs[-1] = need.sign * need.amount
        x = optimum(costs, matrix, rhs, lower, upper, whole=self.kind == "persons")
        if x is None or not self.compact:
            return x
        rise, fall = x[: self.nv], x[self.nv :]
        return np.concatenate((rise - fall, rise, fall))

    def _costs(self, hidden: set[CellId]) -> NDArray[np.float64]:
        values = np.array([self.totals[c][-1] for c in self.new_cells])
        fine = [v for c, v in zip(self.new_cells, values, strict=True) if len(c) >= 2]
        unit = float(np.mean(fine)) if fine else float(values.mean() if len(values) else 1.0)
        costs = 1.0 + values / max(unit, 1e-9)
        for i, cell in enumerate(self.new_cells):
            costs[i] = (
                _HIDDEN_COST if cell in hidden else costs[i] * _LEVEL_COST.get(len(cell), 1.0)
            )
        return costs

    def changed(self, x: NDArray[np.float64]) -> list[CellId]:
        moved = x[self.nv : self.nv + self.nq] + x[self.nv + self.nq :]
        scale = _TOL * max(1.0, float(np.abs(x).max()))
        return [self.new_cells[i] for i in np.flatnonzero(moved > scale)]


def protect_jointly(
    lattice: Lattice,
    kind: Kind,
    releases: Sequence[Release],
    member_of: Mapping[int, int],
) -> JointResult:
    """The cells the last of ``releases`` must hide (module docstring)."""
    system = _System(lattice, kind, releases, member_of)
    new_rules = releases[-1].rules
    hidden: dict[CellId, Reason] = {}
    for cell in system.new_cells:
        shares: dict[int, float] = {}
        for r, v in lattice.contributions.get(cell, {}).items():
            if r in releases[-1].revisions:
                shares[member_of[r]] = shares.get(member_of[r], 0.0) + v
        reason = primary_reason(kind, shares, new_rules)
        if reason is not None:
            hidden[cell] = reason
    result = JointResult(hidden=hidden)
    pending = [need for i in range(len(system.secrets)) for need in system.needs(i)]
    while pending:
        need = pending.pop(0)
        y = system.solve(need, set(hidden))
        result.programs += 1
        if y is None:
            if need.split:
                pending[:0] = need.split
            else:
                result.unprotected.append(system.secrets[need.secret].cell)
            continue
        earlier = system.secrets[need.secret].earlier
        for cell in system.changed(y):
            if cell not in hidden:
                hidden[cell] = Reason.SECONDARY
                if earlier:
                    result.republication.add(cell)
        parts = y[: system.nv]
        summary = system.summary(parts)
        pending = [n for n in pending if not system.covers(parts, summary, n)]
    return result
