"""The federation the browser tests run on, loaded into a SQLite file before the hub starts.

A synthetic federation of building CAEs (``bench.federation``) is registered and its
semester reports submitted through the hub's own services; a few CAEs miss the last semester.
The first two semesters are published, the last is left for the browser to publish. Accounts
are made with the ``cae-hub`` commands a federation admin would type.

:class:`Truth` is what the tests know and the pages must not tell: every cell of every table
the dashboard can show, computed by the hub's disclosure control from the stored cells, with
its true value whether it is published or hidden.
"""

from __future__ import annotations

import itertools
import secrets
import subprocess
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlmodel import Session

from bench.federation import Federation, generate_federation, report_for
from cae_contract.catalogue import Indicator, get_catalogue
from hub.config import Settings
from hub.db import make_engine, session_scope
from hub.indicators.service import report_service
from hub.members.schemas import MemberCreate
from hub.members.service import member_service, staff_service
from hub.migrate import upgrade
from hub.stats.disclosure import CellKey, Kind, Reason, Table, protect
from hub.stats.lattice import (
    DERIVED,
    EXCLUDED_PAIRS,
    NOT_STATED,
    cell_id,
    id_text,
    known_dims,
)
from hub.stats.patterns import EXTRA, region_of, table_dims
from hub.stats.publishing import prospective_patterns
from hub.stats.repository import StatsRepository
from hub.stats.served import table_keys
from hub.stats.service import disclosure_rules, gather, stats_service
from tests.served import cae_hub_command, hub_environment

CAES = 36
FIRST = "2024-S2"
SEMESTERS = 3
SEED = 7
PUBLISHED = ("2024-S2", "2025-S1")
"""Published while loading: their tables are what the explorer shows at once."""
TO_PUBLISH = "2025-S2"
"""Left unpublished: the browser publishes it."""
LATE_EVERY = 9
"""Every ninth CAE has not sent its report for ``TO_PUBLISH`` yet."""
CONNECTOR = "spreadsheet/1.4.0"

STAFF_EMAIL = "equipe@federation-cae.example"
STAFF_NAME = "Équipe de la fédération"
MEMBER_USER_EMAIL = "appui@cae-membre.example"
MEMBER_USER_NAME = "Équipe d'appui"

TableKey = tuple[str, str, tuple[str, ...]]
"""(period, indicator, dimensions)."""


@dataclass(frozen=True)
class Cell:
    value: float
    contributors: int
    reason: Reason | None


@dataclass
class Truth:
    """Every cell of every table of every loaded period, as disclosure control decided it."""

    kinds: dict[str, str] = field(default_factory=dict)
    recodes: dict[tuple[str, str], dict[str, dict[str, str]]] = field(default_factory=dict)
    """(period, indicator) → the grouping of rare codes its pattern stores."""
    live: dict[TableKey, dict[CellKey, Cell]] = field(default_factory=dict)
    """The draft pages' tables of a period not published yet: each protected alone."""

    def drafts(self) -> Truth:
        """What the draft pages of an unpublished period show and hide: its live tables in
        place of the pattern its publication will store."""
        periods = {period for period, _, _ in self.live}
        tables = {k: v for k, v in self.tables.items() if k[0] not in periods}
        return Truth(kinds=self.kinds, recodes=self.recodes, tables={**tables, **self.live})

    tables: dict[TableKey, dict[CellKey, Cell]] = field(default_factory=dict)

    def table(self, period: str, indicator: str, by: Iterable[str]) -> dict[CellKey, Cell]:
        return self.tables[(period, indicator, tuple(by))]

    def hidden(self, period: str | None = None) -> list[tuple[TableKey, CellKey, Cell]]:
        return [
            (table, key, cell)
            for table, cells in self.tables.items()
            if period is None or table[0] == period
            for key, cell in cells.items()
            if cell.reason is not None
        ]

    def shown_values(self) -> set[float]:
        return {
            cell.value
            for cells in self.tables.values()
            for cell in cells.values()
            if cell.reason is None
        }


@dataclass(frozen=True)
class Dataset:
    """A loaded database file to copy, the people who log in, and what the tables hold."""

    database: Path
    federation: Federation
    staff_email: str
    staff_password: str
    member_email: str
    member_password: str
    member_siren: str
    member_name: str
    late_sirens: frozenset[str]
    truth: Truth
    own_values: frozenset[float]
    """Every value the member CAE itself reported: it may see those on its own pages."""


def _cli(database: Path, workdir: Path, *args: str) -> None:
    """``cae-hub ARGS`` on ``database``, as an administrator types it."""
    done = subprocess.run(  # noqa: S603 - our own console script, fixed arguments
        [*cae_hub_command(), *args],
        env=hub_environment(database),
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, f"cae-hub {' '.join(args)} : {done.stderr}{done.stdout}"


def _password(workdir: Path, name: str) -> tuple[str, Path]:
    password = secrets.token_urlsafe(18)
    path = workdir / f"{name}.password"
    path.write_text(password, encoding="utf-8")
    path.chmod(0o600)
    return password, path


def _breakdowns(dims: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Every table of an indicator: the total, each dimension, each pair (never a
    département with its region)."""
    return [
        (),
        *((d,) for d in dims),
        *(p for p in itertools.combinations(dims, 2) if frozenset(p) not in EXCLUDED_PAIRS),
    ]


def _true_tables(
    rows: Iterable[tuple[int, str, Mapping[str, str], int]],
    indicator: Indicator,
    recode: Mapping[str, Mapping[str, str]],
) -> dict[tuple[str, ...], dict[CellKey, tuple[int, set[int]]]]:
    """Each table's cells summed (in cents) from the raw report cells, with their contributors.

    Only the *categories* come from the hub: which breakdowns a report can be read by
    (:func:`known_dims`), the stored grouping of rare codes (``recode``) and the région of a
    département. A report lacking a breakdown counts under « non renseigné »."""
    dims = table_dims(indicator)
    extra = [s for s, _ in EXTRA.get(indicator.code, [])]
    regions = region_of()
    by_report: dict[int, list[tuple[frozenset[str], Mapping[str, str], int]]] = {}
    for report, dim_set, codes, value in rows:
        sent_set = frozenset(filter(None, dim_set.split(",")))
        by_report.setdefault(report, []).append((sent_set, codes, value))
    tables: dict[tuple[str, ...], dict[CellKey, tuple[int, set[int]]]] = {}
    for by in _breakdowns(dims):
        cells: dict[CellKey, tuple[int, set[int]]] = {}
        for report, report_rows in by_report.items():
            sent = {s for s, _, _ in report_rows}
            if frozenset() not in sent:
                continue
            known = known_dims(sent, dims, extra)
            source = frozenset(DERIVED.get(d, d) for d in by if d in known)
            for sent_set, codes, value in report_rows:
                if sent_set != source or value <= 0:
                    continue
                interior: list[str] = []
                for d in by:
                    if d not in known:
                        interior.append(NOT_STATED)
                    elif d == "region":
                        interior.append(regions.get(codes["departement"], NOT_STATED))
                    else:
                        interior.append(recode.get(d, {}).get(codes[d], codes[d]))
                for mask in itertools.product((False, True), repeat=len(by)):
                    key = tuple(None if m else c for c, m in zip(interior, mask, strict=True))
                    total, contributors = cells.get(key, (0, set()))
                    cells[key] = (total + value, contributors | {report})
        tables[by] = cells
    return tables


def compute_truth(session: Session, settings: Settings, periods: Iterable[str]) -> Truth:
    """Each table as its publication's stored pattern groups and hides it (for a period not
    published yet, the pattern its next publication would store), every value summed
    independently from the reports' own cells."""
    repository = StatsRepository(session)
    catalogue = get_catalogue()
    truth = Truth()
    for period in periods:
        publication = repository.latest_publication(period)
        if publication is not None and publication.id is not None:
            reports = repository.published_reports(publication.id)
            patterns = repository.patterns(publication.id)
        else:
            reports = repository.current_reports(period)
            patterns = prospective_patterns(session, period=period, settings=settings)
        report_ids = [r.id for r in reports.values() if r.id is not None]
        rows: dict[str, list[tuple[int, str, Mapping[str, str], int]]] = {}
        for code, report, dim_set, codes, centi in repository.revision_cells(report_ids):
            rows.setdefault(code, []).append((report, dim_set, codes, centi))
        for indicator in catalogue.reported():
            kind: Kind = "persons" if indicator.kind == "persons" else "amount"
            truth.kinds[indicator.code] = kind
            pattern = patterns[indicator.code]
            truth.recodes[(period, indicator.code)] = pattern.recode
            tables = _true_tables(rows.get(indicator.code, []), indicator, pattern.recode)
            for by, cells in tables.items():
                table: dict[CellKey, Cell] = {}
                for key in table_keys(by, pattern.codes):
                    centi, contributors = cells.get(key, (0, set()))
                    value = centi // 100 if kind == "persons" else centi / 100
                    stored = pattern.cells.get(
                        id_text(cell_id(zip(by, key, strict=True))), [0, 0, None, None]
                    )
                    reason = None if stored[2] is None else Reason(stored[2])
                    table[key] = Cell(value, len(contributors), reason)
                truth.tables[(period, indicator.code, by)] = table
        if publication is None:
            truth.live.update(_live_tables(repository, settings, period))
    return truth


def _live_tables(
    repository: StatsRepository, settings: Settings, period: str
) -> dict[TableKey, dict[CellKey, Cell]]:
    """The live figures of a period not published yet, each table protected alone as the
    draft pages protect it (its categories: the codes reported, no grouping)."""
    rules = disclosure_rules(settings)
    reports = repository.current_reports(period)
    report_ids = [r.id for r in reports.values() if r.id is not None]
    found: dict[TableKey, dict[CellKey, Cell]] = {}
    for indicator in get_catalogue().reported():
        kind: Kind = "persons" if indicator.kind == "persons" else "amount"
        rows = repository.cells(report_ids, indicator.code)
        for by in _breakdowns(tuple(indicator.dims)):
            parts: dict[tuple[str, ...], dict[Hashable, float]] = gather(
                rows, kind=indicator.kind, by=by, fixed={}
            )
            protected = protect(Table.build(kind, by, parts), rules)
            found[(period, indicator.code, by)] = {
                key: Cell(cell.value, cell.contributors, cell.reason)
                for key, cell in protected.cells.items()
            }
    return found


def _member_account_cae(federation: Federation, late: set[str]) -> str:
    """A CAE that reported every semester, not one of the few very large ones."""
    for cae in federation.caes:
        if not cae.dominant and cae.siren not in late and len(cae.entrepreneurs) >= 10:
            return cae.siren
    raise AssertionError("aucune CAE ne convient pour le compte membre")


def build(workdir: Path) -> Dataset:
    """Create ``workdir/hub.sqlite3``, migrated and loaded, with a staff and a member account."""
    database = workdir / "hub.sqlite3"
    settings = Settings(
        environment="test", database_url=f"sqlite:///{database}", log_level="WARNING"
    )
    federation = generate_federation(caes=CAES, first=FIRST, semesters=SEMESTERS, seed=SEED)
    late = {cae.siren for number, cae in enumerate(federation.caes) if number % LATE_EVERY == 4}
    engine = make_engine(settings)
    try:
        upgrade(engine)
        with session_scope(engine) as session:
            members = {
                cae.siren: member_service.create(session, MemberCreate(**cae.profile()))
                for cae in federation.caes
            }

        # The accounts, as an administrator makes them, one command after the other: two
        # writers at once on SQLite may fail (« database is locked »).
        siren = _member_account_cae(federation, late)
        staff_password, staff_file = _password(workdir, "staff")
        member_password, member_file = _password(workdir, "member")
        _cli(
            database,
            workdir,
            *("staff", "add", STAFF_EMAIL, "--name", STAFF_NAME),
            *("--password-file", str(staff_file)),
        )
        _cli(
            database,
            workdir,
            *("members", "users", "add", "--member", siren, "--email", MEMBER_USER_EMAIL),
            *("--name", MEMBER_USER_NAME, "--password-file", str(member_file)),
        )

        with session_scope(engine) as session:
            for cae, period, document in federation.reports():
                if str(period) == TO_PUBLISH and cae.siren in late:
                    continue
                member = session.merge(members[cae.siren], load=False)
                report_service.submit(session, member, str(period), document, connector=CONNECTOR)

        with session_scope(engine) as session:
            staff = staff_service.get_by_email(session, STAFF_EMAIL)
            for semester in PUBLISHED:
                stats_service.publish(session, period_text=semester, staff=staff, settings=settings)
        with session_scope(engine) as session:
            truth = compute_truth(session, settings, [*PUBLISHED, TO_PUBLISH])
    finally:
        engine.dispose()

    cae = next(c for c in federation.caes if c.siren == siren)
    own = {
        float(cell["value"])
        for period in federation.periods
        for cell in report_for(cae, period)["cells"]
    }
    return Dataset(
        database=database,
        federation=federation,
        staff_email=STAFF_EMAIL,
        staff_password=staff_password,
        member_email=MEMBER_USER_EMAIL,
        member_password=member_password,
        member_siren=siren,
        member_name=cae.name,
        late_sirens=frozenset(late),
        truth=truth,
        own_values=frozenset(own),
    )
