"""A whole publication of the 150-CAE bench federation: the hub's joint protection of every
table against ACRO's primary suppression of the same tables, one by one.

* time: :func:`hub.stats.joint.protect_jointly` on every indicator's lattice (all tables by
  0, 1 or 2 dimensions, regions and the CESA slice included), as a ratio to ACRO's
  ``crosstab`` (suppression on, primary rules only) over the tables by 1 and 2 dimensions;
* information kept: the share of non-empty cells published, without and with the grouping of
  rare trades and départements into « autres »;
* the LP audit of all tables of an indicator read together (:mod:`hub.stats.audit_linked`):
  hidden primary cells an outside reader recovers or narrows, for the hub and for ACRO's
  pattern laid on the same cells.

Run with ``python -m bench.publication`` (also run by ``python -m bench.disclosure``).
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import pandas as pd

from bench.disclosure import RULES, new_acro
from bench.federation import generate_federation, report_for
from bench.support import heading, ratio, seconds
from cae_contract.catalogue import Indicator, get_catalogue
from hub.stats.audit_linked import audit_publication
from hub.stats.joint import Release, protect_jointly
from hub.stats.lattice import CellId, Lattice, RevisionRow, build_lattice
from hub.stats.patterns import EXTRA, kind_of, rare_recode, region_of, table_dims

AUDITED = ("revenue_eur", "exits")
"""The LP audit solves two programs per hidden primary cell: two indicators keep it short."""


def lattices(
    reports: dict[int, dict[str, Any]], *, grouped: bool
) -> list[tuple[Indicator, Lattice]]:
    member_of = {r: r for r in reports}
    found = []
    for indicator in get_catalogue().reported():
        rows: list[RevisionRow] = [
            (
                revision,
                ",".join(sorted(cell["dims"])),
                cell["dims"],
                cell["value"] if indicator.kind == "amount" else int(cell["value"]),
            )
            for revision, document in reports.items()
            for cell in document["cells"]
            if cell["indicator"] == indicator.code
        ]
        recode = rare_recode(rows, indicator, RULES, member_of) if grouped else {}
        lattice = build_lattice(
            indicator.code,
            table_dims(indicator),
            rows,
            region_of=region_of(),
            recode=recode,
            extra=EXTRA.get(indicator.code, ()),
        )
        found.append((indicator, lattice))
    return found


def protect_all(
    found: list[tuple[Indicator, Lattice]], revisions: frozenset[int]
) -> tuple[dict[str, set[CellId]], float]:
    start = time.perf_counter()
    hidden = {
        indicator.code: set(
            protect_jointly(
                lattice, kind_of(indicator), [Release(revisions, RULES)], {r: r for r in revisions}
            ).hidden
        )
        for indicator, lattice in found
    }
    return hidden, time.perf_counter() - start


def acro_all(found: list[tuple[Indicator, Lattice]]) -> tuple[dict[str, set[CellId]], float]:
    """ACRO on every table by one or two dimensions (a table by none is its one cell);
    a cell is hidden as ACRO hides it in the table by exactly its dimensions."""
    hidden: dict[str, set[CellId]] = {}
    elapsed = 0.0
    for indicator, lattice in found:
        kind = kind_of(indicator)
        hidden[indicator.code] = set()
        by_dims: dict[tuple[str, ...], list[CellId]] = {}
        for cell in lattice.cells:
            dims = tuple(d for d, _ in cell)
            if 1 <= len(dims) <= 2:
                by_dims.setdefault(dims, []).append(cell)
        for dims, cells in by_dims.items():
            records = [
                (*(code for _, code in cell), revision, value)
                for cell in cells
                for revision, value in lattice.contributions.get(cell, {}).items()
            ]
            if not records:
                continue
            columns = [*dims, "cae", "value"]
            frame = pd.DataFrame(records, columns=columns)
            if len(dims) == 1:
                frame["all"] = "all"
            acro = new_acro(kind)
            start = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                acro.crosstab(
                    frame[dims[0]],
                    frame[dims[1] if len(dims) == 2 else "all"],
                    values=frame["value"],
                    aggfunc="sum",
                    margins=True,
                )
            elapsed += time.perf_counter() - start
            outcome = acro.results.get_index(-1).outcome
            for cell in cells:
                if not lattice.contributions.get(cell):
                    continue  # an empty cell is a published zero for both
                codes = [code for _, code in cell]
                column = codes[1] if len(dims) == 2 else "all"
                if str(outcome.loc[codes[0], column]) != "ok":
                    hidden[indicator.code].add(cell)
    return hidden, elapsed


def share_published(
    found: list[tuple[Indicator, Lattice]], hidden: dict[str, set[CellId]]
) -> float:
    cells = [(i.code, c) for i, lat in found for c in lat.cells if lat.value(c) > 0]
    return sum(1 for code, c in cells if c not in hidden[code]) / len(cells)


def recoverable(
    found: list[tuple[Indicator, Lattice]], hidden: dict[str, set[CellId]]
) -> tuple[int, int]:
    """(exposures found by the audit, of which pinned to one value) over :data:`AUDITED`."""
    exposures = exact = 0
    for indicator, lattice in found:
        if indicator.code not in AUDITED:
            continue
        shown = {
            c: (None if c in hidden[indicator.code] else lattice.value(c)) for c in lattice.cells
        }
        parts = {c: lattice.contributions.get(c, {}) for c in lattice.cells}
        findings = audit_publication(shown, parts, kind_of(indicator), RULES, region_of=region_of())
        exposures += len(findings)
        exact += sum(1 for f in findings if f.hi - f.lo <= 1e-6 * max(1.0, f.value))
    return exposures, exact


def main() -> None:
    federation = generate_federation()
    period = federation.periods[-1]
    reports = {int(cae.siren): report_for(cae, period) for cae in federation.caes}
    revisions = frozenset(r for r, d in reports.items() if d["cells"])
    heading(f"Whole publication: {len(federation.caes)} CAEs, period {period}, every table")
    plain = lattices(reports, grouped=False)
    grouped = lattices(reports, grouped=True)
    tables = sum(len({tuple(d for d, _ in c) for c in lat.cells}) for _, lat in grouped)
    cells = sum(len(lat.cells) for _, lat in grouped)
    print(
        f"{len(grouped)} indicators, {tables} tables (0 to 2 dimensions, regions, CESA "
        f"slice), {cells:,} cells."
    )
    ours, ours_time = protect_all(grouped, revisions)
    ours_plain, _ = protect_all(plain, revisions)
    theirs, acro_time = acro_all(grouped)
    print(f"  hub protect_jointly(), all tables together  {seconds(ours_time)}")
    print(f"  ACRO crosstab(), primary only, table by table {seconds(acro_time)}")
    print(
        f"  time ours / ACRO primary-only                 {ratio(ours_time, acro_time)} "
        "(target: <= 2x)"
    )
    print(
        f"  cells published: {share_published(plain, ours_plain):.1%} without grouping rare "
        f"categories, {share_published(grouped, ours):.1%} with (ACRO, primary only: "
        f"{share_published(grouped, theirs):.1%})"
    )
    for name, pattern in (("hub", ours), ("ACRO", theirs)):
        found, exact = recoverable(grouped, pattern)
        print(
            f"  LP audit of {' and '.join(AUDITED)}, all tables together, {name + ':':<5} "
            f"{found} hidden primary cells narrowed below the protection "
            f"({exact} recovered exactly)"
        )


if __name__ == "__main__":
    main()
