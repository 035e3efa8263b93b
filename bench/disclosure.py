"""Disclosure control: the hub's ``protect()`` against ACRO on the same federation.

A 150-CAE federation (``generate_federation()``, 4 semesters), its last semester, two tables:
``entrepreneurs`` by trade × sex (persons) and ``revenue_eur`` by trade × département
(amounts). For each table:

* the hub: primary and secondary suppression with :func:`hub.stats.disclosure.protect`;
* the peer, ACRO (``acro.ACRO.crosstab`` with suppression on), primary suppression only, on
  one row per (CAE, cell) contribution, set to the hub's rules as far as ACRO allows;
* the LP audit (:func:`hub.stats.audit.audit`) of both patterns laid on the true table:
  how many hidden primary cells a reader of the published cells and true margins can
  recover or narrow below the required protection.

Then the whole request path, ``GET /v1/stats`` (query + gather + protect + JSON), once per
table on a fresh SQLite database loaded with the federation and published.
Run with ``python -m bench.disclosure``.
"""

from __future__ import annotations

import logging
import math
import warnings
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import asdict, dataclass
from importlib.metadata import version
from typing import TYPE_CHECKING, Any

import pandas as pd
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from bench.federation import Federation, generate_federation, report_for
from bench.support import (
    bearer,
    heading,
    machine,
    measure,
    once,
    ratio,
    seconds,
    staff_token,
    temporary_hub,
)
from cae_contract.periods import Period
from hub.db import session_scope
from hub.indicators.service import report_service
from hub.members.schemas import MemberCreate
from hub.members.service import member_service
from hub.stats.audit import Exposure, audit
from hub.stats.disclosure import (
    DEFAULT_RULES,
    CellKey,
    Kind,
    ProtectedCell,
    ProtectedTable,
    Reason,
    Rules,
    Table,
    protect,
)
from hub.stats.service import disclosure_rules, gather

if TYPE_CHECKING:
    from acro import ACRO

REPEAT = 5
WARMUP = 1
ACRO_REPEAT = 3
"""ACRO takes seconds on the larger table: fewer repetitions keep the whole run short."""
RULES = DEFAULT_RULES
PRIMARY = (Reason.FREQUENCY, Reason.DOMINANCE, Reason.SMALL_COUNT)
MARGIN = "All"


ACRO_COMMON: dict[str, Any] = {
    "safe_threshold": RULES.min_contributors,
    "zeros_are_disclosive": False,  # the hub publishes empty cells as known zeros
    "check_missing_values": False,
}
ACRO_SETTINGS: dict[Kind, dict[str, Any]] = {
    # The hub applies no dominance rule to counts: k above 100 % and p = 0 switch ACRO's off.
    # Its small-count rule (1 or 2 persons) is implied by the threshold of 3 contributors.
    "persons": {**ACRO_COMMON, "safe_nk_n": 1, "safe_nk_k": 1.01, "safe_pratio_p": 0.0},
    # The hub's dominance rule is the (1, 85 %) rule and it has no p % rule.
    "amount": {
        **ACRO_COMMON,
        "safe_nk_n": 1,
        "safe_nk_k": RULES.dominance_share,
        "safe_pratio_p": 0.0,
    },
}


@dataclass(frozen=True)
class Spec:
    indicator: str
    by: tuple[str, str]
    kind: Kind

    @property
    def label(self) -> str:
        return f"{self.indicator} by {','.join(self.by)}"


SPECS = (
    Spec("entrepreneurs", ("trade", "sex"), "persons"),
    Spec("revenue_eur", ("trade", "departement"), "amount"),
)


# -- the true tables ----------------------------------------------------------------------------


def true_table(spec: Spec, reports: dict[str, dict[str, Any]]) -> Table:
    """The table as the hub builds it: each CAE's contributions from its reports (the CAE
    named by its SIREN as a number, where the hub uses its member id)."""
    rows = []
    for siren, document in reports.items():
        for cell in document["cells"]:
            if cell["indicator"] == spec.indicator:
                dims = cell["dims"]
                rows.append((int(siren), ",".join(sorted(dims)), dims, round(cell["value"] * 100)))
    contributions = gather(rows, kind=spec.kind, by=spec.by, fixed={})
    return Table.build(spec.kind, spec.by, contributions)


def cell_value(kind: Kind, parts: dict[Hashable, float]) -> float:
    """A cell's value exactly as :func:`protect` computes it."""
    value = sum(parts.values())
    return round(value, 2) if kind == "amount" else value


# -- ACRO ---------------------------------------------------------------------------------------


def contributions_frame(table: Table) -> pd.DataFrame:
    """One row per (CAE, interior cell) with a non-zero contribution."""
    first, second = table.dims
    records = [
        (key[0], key[1], contributor, value)
        for key, parts in table.interior.items()
        for contributor, value in parts.items()
    ]
    return pd.DataFrame(records, columns=[first, second, "cae", "value"])


def new_acro(kind: Kind) -> ACRO:
    """ACRO with suppression on. It only reads YAML files from its own package folder
    (``Path(acro.__file__).with_name(config + ".yaml")``), so the thresholds are set on the
    instance's ``config``, the very dict its checks read (``sdc_checks.risk_appetite``)."""
    # Imported here: importing acro runs logging.basicConfig(level=INFO), which would print
    # every INFO line of the libraries imported after it; the levels are then put back.
    from acro import ACRO

    logging.getLogger().setLevel(logging.WARNING)
    for name in ("acro", "acro:records", "acro:summary"):
        logging.getLogger(name).setLevel(logging.WARNING)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        acro = ACRO(suppress=True)
    acro.config.update(ACRO_SETTINGS[kind])
    assert acro.sdc_checks.risk_appetite is acro.config
    return acro


@dataclass
class AcroRun:
    output: pd.DataFrame
    outcome: pd.DataFrame
    """ACRO's verdict per cell, margins included: ``ok`` or the names of the failed checks."""


def run_acro(acro: ACRO, frame: pd.DataFrame, dims: Sequence[str]) -> AcroRun:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas' SettingWithCopyWarning from inside ACRO
        output = acro.crosstab(
            frame[dims[0]], frame[dims[1]], values=frame["value"], aggfunc="sum", margins=True
        )
    return AcroRun(output, acro.results.get_index(-1).outcome)


def acro_label(code: str | None) -> str:
    return MARGIN if code is None else code


def acro_pattern(
    table: Table, run: AcroRun, *, empty_published: bool = False
) -> tuple[ProtectedTable, int]:
    """ACRO's pattern laid on the true table (true values, margins included), and how many
    cells with no contributor it hides.

    A hidden cell that failed the threshold is FREQUENCY, one that failed only the nk or
    p % rule is DOMINANCE. Cells with no contributor fail ACRO's threshold (a count of 0 is
    below 3): they stay hidden for the reader, but are marked SECONDARY so that the audit
    does not judge them, since they hold no CAE's data. With ``empty_published``, they are
    published as known zeros instead, as the hub does.
    """
    cells: dict[CellKey, ProtectedCell] = {}
    empty_hidden = 0
    for key, parts in table.cells().items():
        verdict = str(run.outcome.loc[acro_label(key[0]), acro_label(key[1])])
        value = cell_value(table.kind, parts)
        reason: Reason | None
        if verdict == "ok":
            reason = None
        elif not parts:
            empty_hidden += 1
            reason = None if empty_published else Reason.SECONDARY
        elif "MinimumThresholdCheck" in verdict:
            reason = Reason.FREQUENCY
        elif "NKCheck" in verdict or "PPercentCheck" in verdict:
            reason = Reason.DOMINANCE
        else:
            raise RuntimeError(f"unexpected ACRO verdict for {key}: {verdict!r}")
        cells[key] = ProtectedCell(key, value, len(parts), reason)
    return ProtectedTable(table, cells), empty_hidden


def margins_off(table: Table, run: AcroRun) -> tuple[int, int]:
    """(margins ACRO prints with a value other than the true total, margins)."""
    truth = table.cells()
    keys = table.margin_keys()
    wrong = 0
    for key in keys:
        printed = float(run.output.loc[acro_label(key[0]), acro_label(key[1])])
        true = cell_value(table.kind, truth[key])
        if math.isnan(printed) or not math.isclose(printed, true, rel_tol=1e-9, abs_tol=0.005):
            wrong += 1
    return wrong, len(keys)


# -- audit --------------------------------------------------------------------------------------


@dataclass
class Verdict:
    hidden: int
    by_reason: Counter[str]
    exposures: list[Exposure]
    audit_time: float

    @property
    def recovered(self) -> int:
        """Exposures the reader pins down to a single value."""
        return sum(1 for e in self.exposures if e.hi - e.lo <= 1e-6 * max(1.0, abs(e.value)))


def judge(protected: ProtectedTable, rules: Rules) -> Verdict:
    exposures, timing = once(lambda: audit(protected, rules))
    reasons = Counter(str(c.reason) for c in protected.cells.values() if c.reason is not None)
    return Verdict(sum(reasons.values()), reasons, exposures, timing.median)


def primaries(protected: ProtectedTable) -> set[CellKey]:
    return {k for k, c in protected.cells.items() if c.reason in PRIMARY}


# -- the request path ---------------------------------------------------------------------------


def time_api(
    federation: Federation,
    period: Period,
    reports: dict[str, dict[str, Any]],
    expected: dict[Spec, ProtectedTable],
) -> list[str]:
    """``GET /v1/stats`` once per table on a published period of a fresh SQLite database;
    the problems found."""
    problems = []
    with temporary_hub() as hub:
        assert disclosure_rules(hub.settings) == RULES
        _, loading = once(lambda: load(hub.engine, federation, period, reports))
        cells = sum(len(d["cells"]) for d in reports.values())
        submitted = sum(1 for d in reports.values() if d["cells"])
        print(
            f"Loaded {submitted} reports of {period} ({cells:,} cells) through "
            f"report_service.submit in {seconds(loading.median)}."
        )
        headers = bearer(staff_token(hub.engine))
        with TestClient(hub.app) as client:
            response, publishing = once(
                lambda: client.post(f"/v1/stats/publications/{period}", headers=headers)
            )
            assert response.status_code == 201, response.text
            print(
                f"POST /v1/stats/publications/{period} (every table protected together and "
                f"stored) in {seconds(publishing.median)}."
            )
            # Warm-up on another table, so that neither timed request pays first-call costs.
            warm = client.get(
                f"/v1/stats?indicator=exits&period={period}&by=trade", headers=headers
            )
            assert warm.status_code == 200, warm.text
            for spec in SPECS:
                url = f"/v1/stats?indicator={spec.indicator}&period={period}&by={','.join(spec.by)}"

                def get(url: str = url) -> Any:
                    return client.get(url, headers=headers)

                response, timing = once(get)
                assert response.status_code == 200, response.text
                body = response.json()
                hidden = Counter(c["suppressed"] for c in body["cells"] if c["suppressed"])
                # Published tables are read from the stored whole-publication pattern, which
                # may hide more than protect() of this table alone (bench.publication).
                alone = {k for k, c in expected[spec].cells.items() if c.reason is not None}
                served = {
                    tuple(c["dims"][d] for d in spec.by) for c in body["cells"] if c["suppressed"]
                }
                print(
                    f"GET /v1/stats {spec.label:<32} {timing.describe()}; "
                    f"{len(body['cells'])} cells, {sum(hidden.values())} hidden "
                    f"({len(served - alone)} more than this table protected alone)"
                )
    return problems


def load(
    engine: Engine, federation: Federation, period: Period, reports: dict[str, dict[str, Any]]
) -> None:
    with session_scope(engine) as session:
        for cae in federation.caes:
            member = member_service.create(session, MemberCreate(**cae.profile()))
            document = reports[cae.siren]
            if document["cells"]:
                report_service.submit(session, member, str(period), document)


# -- main ---------------------------------------------------------------------------------------


def describe_reasons(counts: Counter[str]) -> str:
    order = [str(r) for r in Reason]
    return ", ".join(f"{counts[r]} {r}" for r in order if counts[r]) or "none"


def compare(spec: Spec, table: Table) -> tuple[ProtectedTable, int]:
    """Time, count and audit both patterns of one table; the hub's pattern is returned with
    the number of exposures the audit finds in it (0 expected)."""
    empty = sum(1 for parts in table.interior.values() if not parts)
    print()
    print(
        f"{spec.label} ({spec.kind}): {len(table.categories[0])} × {len(table.categories[1])} "
        f"= {len(table.interior)} interior cells ({empty} empty), "
        f"{len(table.margin_keys())} margins"
    )
    ours_time = measure(lambda _: protect(table, RULES), repeat=REPEAT, warmup=WARMUP)
    ours = protect(table, RULES)

    frame = contributions_frame(table)
    instances = [new_acro(spec.kind) for _ in range(WARMUP + ACRO_REPEAT)]
    runs: list[AcroRun] = []
    acro_time = measure(
        lambda n: runs.append(run_acro(instances[n], frame, spec.by)),
        repeat=ACRO_REPEAT,
        warmup=WARMUP,
    )
    theirs, empty_hidden = acro_pattern(table, runs[-1])
    theirs_zeros, _ = acro_pattern(table, runs[-1], empty_published=True)
    wrong_margins, margins = margins_off(table, runs[-1])

    ours_verdict = judge(ours, RULES)
    theirs_verdict = judge(theirs, RULES)
    zeros_verdict = judge(theirs_zeros, RULES)
    missed = primaries(ours) - primaries(theirs)
    extra = primaries(theirs) - primaries(ours)
    missed_margins = sum(1 for key in missed if None in key)

    print(f"  hub protect()         {ours_time.describe()}")
    print(f"  ACRO crosstab()       {acro_time.describe()}")
    print(
        f"  time ours / ACRO      {ratio(ours_time.median, acro_time.median)} "
        f"(ACRO takes {ratio(acro_time.median, ours_time.median)} as long; it does primary "
        "suppression only, the hub primary + secondary)"
    )
    print(
        f"  hub hides             {ours_verdict.hidden} cells "
        f"({describe_reasons(ours_verdict.by_reason)})"
    )
    with_contributors = theirs_verdict.by_reason - Counter({"secondary": empty_hidden})
    print(
        f"  ACRO hides            {theirs_verdict.hidden} cells: "
        f"{theirs_verdict.hidden - empty_hidden} with contributors "
        f"({describe_reasons(with_contributors)}) and {empty_hidden} empty cells "
        "(a count of 0 fails its threshold of 3)"
    )
    if not missed and not extra:
        print(f"  primary cells         the same {len(primaries(ours))} cells for both")
    else:
        print(
            f"  primary cells         hub {len(primaries(ours))}, ACRO {len(primaries(theirs))}: "
            f"{len(missed)} hidden by the hub's rules pass ACRO, {len(extra)} the other way; "
            f"{missed_margins} of the {len(missed)} are margins, where ACRO counts rows "
            "(CAE × cell), not distinct CAEs"
        )
    print(
        "  LP audit              hidden primary cells a reader recovers or narrows below the "
        f"required interval (±{RULES.protection:.0%}, at least ±1 for a count):"
    )
    for name, verdict, published in (
        ("hub", ours_verdict, 0),
        ("ACRO", theirs_verdict, len(missed)),
        ("ACRO, empty cells published as 0", zeros_verdict, len(missed)),
    ):
        outright = f"; {published} sensitive cells published outright" if published else ""
        print(
            f"    {name + ':':<34} {len(verdict.exposures)} "
            f"({verdict.recovered} recovered exactly){outright}; "
            f"audit {seconds(verdict.audit_time)}"
        )
    print(
        "  note: the audit lays each pattern on the true table, true margins included (a reader "
        "gets them from the published margins or a coarser table); ACRO itself prints hidden "
        f"cells as 0 and its 'All' margins summed over the cells it keeps ({wrong_margins} of "
        f"{margins} differ from the true totals)."
    )
    for exposure in ours_verdict.exposures:
        print(f"  EXPOSED by the hub's pattern: {exposure}")
    return ours, len(ours_verdict.exposures)


def main() -> None:
    federation = generate_federation()
    period = federation.periods[-1]
    reports = {cae.siren: report_for(cae, period) for cae in federation.caes}
    heading(f"Disclosure control: {len(federation.caes)} CAEs, period {period}")
    print(
        f"Hub rules: {asdict(RULES)}. {WARMUP} warm-up + {REPEAT} timed runs for protect(), "
        f"{WARMUP} + {ACRO_REPEAT} for ACRO, median wall time reported."
    )
    print(f"Machine: {machine()}.")
    print(
        f"ACRO {version('acro')}: ACRO(suppress=True), crosstab(index, columns, values, "
        "aggfunc='sum', margins=True) on one row per (CAE, cell) contribution; thresholds set "
        "on the instance's config (it reads YAML files only from its own package folder):"
    )
    for kind, settings in ACRO_SETTINGS.items():
        print(f"  {kind:<8} {settings}")
    print(
        "  nk rule: n=1, k=85 % flags a cell whose largest row holds >= 85 % (the hub: > 85 %); "
        "k=101 % and p=0 switch the nk and p % rules off."
    )

    expected: dict[Spec, ProtectedTable] = {}
    problems = []
    for spec in SPECS:
        expected[spec], exposures = compare(spec, true_table(spec, reports))
        if exposures:
            problems.append(f"{spec.label}: the hub's pattern leaves {exposures} exposures")

    print()
    problems += time_api(federation, period, reports, expected)
    from bench import publication  # imports this module: not at the top

    publication.main()
    if problems:
        raise SystemExit("; ".join(problems))


if __name__ == "__main__":
    main()
