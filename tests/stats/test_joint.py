"""Whole publications: every table of an indicator protected together, republications
protected with earlier publications, members as readers. Audited independently."""

from __future__ import annotations

import random
from collections.abc import Sequence
from itertools import combinations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hub.stats.audit_linked import audit_publication, audit_releases
from hub.stats.disclosure import DEFAULT_RULES
from hub.stats.joint import Release, protect_jointly
from hub.stats.lattice import NOT_STATED, CellId, Lattice, RevisionRow, build_lattice

DIMS = ("trade", "sex", "departement")
CODES = {"trade": ["a", "b", "c", "d"], "sex": ["F", "M"], "departement": ["33", "40", "31"]}
REGIONS = {"33": "75", "40": "75", "31": "76"}


def reports(
    seed: int, revisions: Sequence[int], *, lacking: dict[int, str] | None = None
) -> list[RevisionRow]:
    """Each revision: a few persons, aggregated into its total, every dimension alone and
    every pair, as a connector sends them; ``lacking`` leaves one dimension out."""
    rng = random.Random(seed)
    rows: list[RevisionRow] = []
    for revision in revisions:
        people = [
            {d: rng.choice(CODES[d][: rng.randint(1, len(CODES[d]))]) for d in DIMS}
            for _ in range(rng.randint(1, 9))
        ]
        known = [d for d in DIMS if (lacking or {}).get(revision) != d]
        for dims in [(), *((d,) for d in known), *combinations(known, 2)]:
            counts: dict[tuple[str, ...], int] = {}
            for person in people:
                key = tuple(person[d] for d in dims)
                counts[key] = counts.get(key, 0) + 1
            for key, count in counts.items():
                rows.append(
                    (revision, ",".join(sorted(dims)), dict(zip(dims, key, strict=True)), count)
                )
    return rows


def lattice_of(rows: list[RevisionRow]) -> Lattice:
    return build_lattice("entrepreneurs", (*DIMS, "region"), rows, region_of=REGIONS)


def published(lattice: Lattice, hidden: set[CellId] | frozenset[CellId], revisions: frozenset[int]):  # type: ignore[no-untyped-def]
    return {c: (None if c in hidden else lattice.value(c, revisions)) for c in lattice.cells}


def truth(lattice: Lattice, revisions: frozenset[int], member_of: dict[int, int]):  # type: ignore[no-untyped-def]
    return {
        c: {member_of[r]: v for r, v in lattice.contributions.get(c, {}).items() if r in revisions}
        for c in lattice.cells
    }


# -- one contributor set -------------------------------------------------------------------


def test_a_member_without_a_breakdown_counts_as_not_stated_in_every_table() -> None:
    rows = reports(1, [1, 2, 3, 4], lacking={3: "trade"})
    lattice = lattice_of(rows)
    mine = {c: parts[3] for c, parts in lattice.contributions.items() if 3 in parts}
    total = mine[()]
    assert mine[(("trade", NOT_STATED),)] == total
    assert (
        sum(
            v
            for c, v in mine.items()
            if len(c) == 2 and ("trade", NOT_STATED) in c and c[0][0] == "sex"
        )
        == total
    )
    # Every margin of every table is the cell of the coarser table: one system.
    for parent, children in lattice.equations:
        assert lattice.value(parent) == sum(lattice.value(c) for c in children), parent


def test_regions_are_sums_of_their_departements() -> None:
    lattice = lattice_of(reports(2, [1, 2, 3, 4, 5]))
    assert lattice.value((("region", "75"),)) == lattice.value(
        (("departement", "33"),)
    ) + lattice.value((("departement", "40"),))
    assert ((("region", "75"),), [(("departement", "33"),), (("departement", "40"),)]) in [
        (p, c) for p, c in lattice.equations
    ]


# -- one publication ------------------------------------------------------------------------


def _protect_and_audit(seed: int, size: int) -> int:
    revisions = list(range(1, size + 1))
    lacking = {revisions[-1]: "trade"} if seed % 2 else {}
    lattice = lattice_of(reports(seed, revisions, lacking=lacking))
    members = {r: r for r in revisions}
    everyone = frozenset(revisions)
    result = protect_jointly(lattice, "persons", [Release(everyone, DEFAULT_RULES)], members)
    assert result.unprotected == []
    shown = published(lattice, set(result.hidden), everyone)
    parts = truth(lattice, everyone, members)
    findings = audit_publication(shown, parts, "persons", region_of=REGIONS)
    for member in revisions:
        findings += audit_publication(shown, parts, "persons", region_of=REGIONS, own=member)
    return len(findings)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), size=st.integers(3, 7))
def test_no_hidden_cell_of_any_table_can_be_recovered(seed: int, size: int) -> None:
    assert _protect_and_audit(seed, size) == 0


def test_each_table_alone_is_not_enough() -> None:
    """The pattern of each table protected on its own leaks once the tables are read
    together: what the joint pattern is for (this pins that the audit can fail)."""
    from hub.stats.disclosure import Table, protect

    leaks = 0
    for seed in range(6):
        rows = reports(seed, [1, 2, 3, 4, 5, 6])
        lattice = lattice_of(rows)
        everyone = frozenset(range(1, 7))
        hidden: set[CellId] = set()
        for by in [("trade",), ("sex",), ("trade", "sex"), ()]:
            interior = {
                tuple(dict(c)[d] for d in by): lattice.contributions.get(c, {})
                for c in lattice.cells
                if {d for d, _ in c} == set(by)
            }
            table = protect(
                Table.build("persons", by, interior, categories=[lattice.codes[d] for d in by])
            )
            for key, cell in table.cells.items():
                if cell.reason is not None:
                    hidden.add(
                        tuple(sorted((d, k) for d, k in zip(by, key, strict=True) if k is not None))
                    )
        keys = [c for c in lattice.cells if {d for d, _ in c} <= {"trade", "sex"}]
        shown = {c: (None if c in hidden else lattice.value(c)) for c in keys}
        parts = {c: lattice.contributions.get(c, {}) for c in keys}
        leaks += sum(len(audit_publication(shown, parts, "persons", own=m)) for m in everyone)
    assert leaks > 0


def test_the_pattern_is_deterministic() -> None:
    lattice = lattice_of(reports(5, [1, 2, 3, 4, 5]))
    release = [Release(frozenset(range(1, 6)), DEFAULT_RULES)]
    members = {r: r for r in range(1, 6)}
    first = protect_jointly(lattice, "persons", release, members).hidden
    assert protect_jointly(lattice, "persons", release, members).hidden == first


# -- republication ---------------------------------------------------------------------------


def _two_publications(seed: int) -> tuple[Lattice, list[Release], dict[int, int]]:
    """Members 1–5 publish; member 6 arrives late and member 2 revises (revision 12)."""
    rows = reports(seed, [1, 2, 3, 4, 5, 6]) + [
        (12, d, c, v) for r, d, c, v in reports(seed + 1000, [2]) if r == 2
    ]
    members = {r: r for r in range(1, 7)} | {12: 2}
    first = frozenset({1, 2, 3, 4, 5})
    second = frozenset({1, 12, 3, 4, 5, 6})
    return (
        lattice_of(rows),
        [Release(first, DEFAULT_RULES), Release(second, DEFAULT_RULES)],
        members,
    )


def test_a_republication_reveals_no_late_or_revised_figure() -> None:
    for seed in range(4):
        lattice, (one, two), members = _two_publications(seed)
        first = protect_jointly(lattice, "persons", [one], members)
        one = Release(one.revisions, one.rules, frozenset(first.hidden))
        second = protect_jointly(lattice, "persons", [one, two], members)
        releases = [
            (published(lattice, first.hidden.keys(), one.revisions), one.revisions),
            (published(lattice, second.hidden.keys(), two.revisions), two.revisions),
        ]
        findings = audit_releases(
            releases, lattice.contributions, members, "persons", region_of=REGIONS
        )
        assert findings == [], seed


def test_a_republication_protected_alone_gives_late_figures_away() -> None:
    exposed = 0
    for seed in range(4):
        lattice, (one, two), members = _two_publications(seed)
        first = protect_jointly(lattice, "persons", [one], members)
        alone = protect_jointly(lattice, "persons", [two], members)
        releases = [
            (published(lattice, first.hidden.keys(), one.revisions), one.revisions),
            (published(lattice, alone.hidden.keys(), two.revisions), two.revisions),
        ]
        exposed += len(
            audit_releases(releases, lattice.contributions, members, "persons", region_of=REGIONS)
        )
    assert exposed > 0
