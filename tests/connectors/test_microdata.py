"""Local aggregation: small cases worked out by hand, then properties over random registers."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cae_contract.catalogue import load_catalogue
from cae_contract.consistency import cells_of, check_consistency, load_rules
from cae_contract.periods import Period
from cae_contract.registry import get_registry
from connectors.sdk import (
    AmountRecord,
    EntrepreneurRecord,
    FatalSyncError,
    SkippableRecordError,
    aggregate,
    build_report,
)
from connectors.sdk.microdata import BREAKDOWNS, age_band

S2 = Period(2025, 2)
END = S2.end
Key = tuple[str, tuple[tuple[str, str], ...]]


def person(source: str = "ligne 2", **fields: Any) -> EntrepreneurRecord:
    fields.setdefault("entry_date", date(2024, 1, 1))
    return EntrepreneurRecord(source, **fields)


def cells(body: dict[str, Any]) -> dict[Key, Any]:
    return {(c["indicator"], tuple(sorted(c["dims"].items()))): c["value"] for c in body["cells"]}


def accepted_by_the_hub(body: dict[str, Any]) -> None:
    registry = get_registry()
    assert registry.validate("indicator-report", "latest", body) == []
    assert check_consistency(cells_of(body), load_rules()) == []


def test_breakdowns_are_those_the_catalogue_allows() -> None:
    catalogue = load_catalogue(get_registry())
    for indicator in catalogue.reported():
        sets = BREAKDOWNS[indicator.code]
        used = {d for dims in sets for d in dims}
        assert used == set(indicator.dims), indicator.code
        assert () in sets and all((d,) for d in indicator.dims)
    assert set(BREAKDOWNS) == {i.code for i in catalogue.reported()}


def test_stock_counts_whoever_is_under_contract_on_the_last_day() -> None:
    body = build_report(
        S2,
        [
            person("a", entry_date=END),  # arrives on the last day: in
            person("b", exit_date=END, exit_reason="employment"),  # leaves that day: out
            person("c", exit_date=END + timedelta(days=1)),  # leaves the day after: in
            person("d", entry_date=END + timedelta(days=1)),  # not yet
        ],
    )
    got = cells(body)
    assert got[("entrepreneurs", ())] == 2
    assert got[("entries", ())] == 1  # a
    assert got[("exits", ())] == 1
    assert got[("exits", (("exit_reason", "employment"),))] == 1
    accepted_by_the_hub(body)


def test_contract_at_period_end_and_at_entry() -> None:
    body = build_report(
        S2,
        [
            person("cesa later", entry_date=date(2025, 8, 1), cesa_date=date(2026, 2, 1)),
            person("cesa in S2", entry_date=date(2025, 8, 1), cesa_date=date(2025, 11, 1)),
            person("cesa at once", entry_date=date(2025, 9, 1), cesa_date=date(2025, 9, 1)),
        ],
    )
    got = cells(body)
    assert got[("entrepreneurs", (("contract", "cape"),))] == 1
    assert got[("entrepreneurs", (("contract", "cesa"),))] == 2
    assert got[("entries", (("contract", "cape"),))] == 2  # counted under the entry contract
    assert got[("entries", (("contract", "cesa"),))] == 1


@pytest.mark.parametrize(
    ("born", "band"),
    [
        (date(2000, 1, 1), "<26"),  # 25 on 2025-12-31
        (date(1999, 12, 31), "26-35"),  # 26 that very day
        (date(1985, 1, 1), "36-45"),
        (date(1975, 1, 1), "46-55"),
        (date(1960, 1, 1), ">55"),
    ],
)
def test_age_bands_in_completed_years(born: date, band: str) -> None:
    assert age_band(born, END) == band
    body = build_report(S2, [person(birth_date=born)])
    assert cells(body)[("entrepreneurs", (("age_band", band),))] == 1


def test_age_band_edges() -> None:
    assert age_band(date(1990, 12, 31), END) == "26-35"  # 35
    assert age_band(date(1989, 12, 31), END) == "36-45"  # 36
    assert age_band(date(1970, 12, 31), END) == "46-55"  # 55
    assert age_band(date(1969, 12, 31), END) == ">55"  # 56
    assert age_band(None, END) is None


def test_associates_are_entrepreneurs_in_cesa_whose_date_has_come() -> None:
    body = build_report(
        S2,
        [
            person("a", cesa_date=date(2024, 1, 1), associate_date=date(2025, 6, 1), sex="F"),
            person("b", cesa_date=date(2024, 1, 1), associate_date=date(2026, 1, 1)),
            person("c", associate_date=date(2025, 1, 1)),  # no CESA: not an associate
            person("d", cesa_date=date(2024, 1, 1), associate_date=date(2024, 6, 1),
                   exit_date=date(2025, 10, 1)),  # gone
        ],
    )  # fmt: skip
    got = cells(body)
    assert got[("associates", ())] == 1
    assert got[("associates", (("sex", "F"),))] == 1
    accepted_by_the_hub(body)


def test_unknown_sex_is_x_and_unknown_exit_reason_is_other() -> None:
    body = build_report(S2, [person(sex=None, exit_date=date(2025, 9, 1), exit_reason=None)])
    got = cells(body)
    assert got[("exits", (("exit_reason", "other"),))] == 1
    body = build_report(S2, [person(sex=None)])
    assert cells(body)[("entrepreneurs", (("sex", "X"),))] == 1


def test_unknown_trade_drops_trade_breakdowns_only() -> None:
    result = aggregate(
        S2,
        [
            person("registre.csv ligne 2", trade="43.21A", departement="33", sex="F"),
            person("registre.csv ligne 3", trade=None, departement="33", sex="M"),
        ],
    )
    got = cells(result.body)
    assert got[("entrepreneurs", ())] == 2
    assert got[("entrepreneurs", (("departement", "33"),))] == 2
    assert got[("entrepreneurs", (("departement", "33"), ("sex", "F")))] == 1
    assert not [k for k in got if k[0] == "entrepreneurs" and "trade" in dict(k[1])]
    assert not [k for k in got if k[0] == "entrepreneurs" and "age_band" in dict(k[1])]
    gaps = {(g.indicator, g.dimensions): g for g in result.gaps}
    assert gaps[("entrepreneurs", ("trade",))].sources == ("registre.csv ligne 3",)
    assert gaps[("entrepreneurs", ("trade",))].message == (
        "entrepreneurs : ventilation par métier non envoyée, 1 enregistrement(s) sans métier "
        "connu (registre.csv ligne 3)"
    )
    assert ("entrepreneurs", ("age_band",)) in gaps  # no birth dates at all
    accepted_by_the_hub(result.body)


def test_amounts_in_the_period_with_credit_notes_and_cents() -> None:
    revenue = [
        AmountRecord("f1", date(2025, 7, 1), Decimal("1000.005"), "43.21A", "33"),  # → 1000.00
        AmountRecord("f2", date(2025, 12, 31), Decimal("250.10"), "43.21A", "47"),
        AmountRecord("f3", date(2025, 8, 1), Decimal("-100.10"), "43.21A", "47"),  # avoir
        AmountRecord("f4", date(2025, 6, 30), Decimal("999"), "43.21A", "33"),  # S1
        AmountRecord("f5", date(2025, 9, 1), Decimal("49.995"), "43.34Z", "33"),  # → 50.00
    ]
    payroll = [AmountRecord("p1", date(2025, 7, 1), Decimal("1800.50"), "43.21A")]
    body = build_report(S2, [person()], revenue=revenue, payroll=payroll)
    got = cells(body)
    assert got[("revenue_eur", ())] == 1200
    assert got[("revenue_eur", (("trade", "43.21A"),))] == 1150
    assert got[("revenue_eur", (("departement", "47"),))] == 150
    assert got[("revenue_eur", (("departement", "33"), ("trade", "43.34Z")))] == 50
    assert got[("gross_payroll_eur", ())] == 1800.5
    assert ("revenue_eur", (("departement", "47"), ("trade", "43.34Z"))) not in got  # zero
    accepted_by_the_hub(body)


def test_amounts_not_given_are_not_reported_and_empty_ones_are_zero() -> None:
    assert "revenue_eur" not in {c["indicator"] for c in build_report(S2, [])["cells"]}
    got = cells(build_report(S2, [], revenue=[], support_staff_fte=Decimal("1.5")))
    assert got == {
        ("entrepreneurs", ()): 0,
        ("associates", ()): 0,
        ("entries", ()): 0,
        ("exits", ()): 0,
        ("revenue_eur", ()): 0,
        ("support_staff_fte", ()): 1.5,
    }


def test_a_negative_breakdown_is_left_out_and_a_negative_total_stops() -> None:
    revenue = [
        AmountRecord("f1", date(2025, 9, 1), Decimal("500"), "43.21A", "33"),
        AmountRecord("f2", date(2025, 9, 2), Decimal("-80"), "43.34Z", "33"),
    ]
    result = aggregate(S2, [], revenue=revenue)
    got = cells(result.body)
    assert got[("revenue_eur", ())] == 420
    assert got[("revenue_eur", (("departement", "33"),))] == 420
    assert not [k for k in got if k[0] == "revenue_eur" and "trade" in dict(k[1])]
    assert next(g.message for g in result.gaps if g.negative).startswith(
        "revenue_eur : ventilation par métier non envoyée, un montant y serait négatif"
    )
    accepted_by_the_hub(result.body)
    with pytest.raises(FatalSyncError, match="revenue_eur : total négatif"):
        build_report(S2, [], revenue=[AmountRecord("f", date(2025, 9, 1), Decimal("-1"))])


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"trade": "43.21"}, "ligne 2 : métier « 43.21 » absent de la liste des métiers"),
        ({"departement": "20"}, "département « 20 » absent de la liste des départements"),
        ({"sex": "H"}, "sexe « H » absent de la liste des sexes"),
        ({"exit_reason": "retraite"}, "motif de sortie « retraite » absent"),
        ({"cesa_date": date(2023, 1, 1)}, "le CESA commence avant la date d'entrée"),
        ({"exit_date": date(2023, 1, 1)}, "la date de sortie précède la date d'entrée"),
        ({"birth_date": date(2024, 1, 1)}, "la date de naissance ne précède pas"),
        ({"entry_date": None}, "ligne 2 : date d'entrée manquante"),
    ],
)
def test_records_that_cannot_be_used_are_skippable(fields: dict[str, Any], problem: str) -> None:
    with pytest.raises(SkippableRecordError) as caught:
        person(**fields)
    assert problem in caught.value.message
    assert caught.value.source == "ligne 2"


# -- properties over random registers ---------------------------------------------------------

DAYS = st.dates(min_value=date(2022, 1, 1), max_value=date(2027, 6, 30))
TRADES = st.sampled_from(["43.21A", "43.22A", "43.34Z", "71.11Z"])
DEPARTEMENTS = st.sampled_from(["33", "47", "2A", "971"])


@st.composite
def entrepreneurs(draw: st.DrawFn, *, complete: bool) -> EntrepreneurRecord:
    entry = draw(DAYS)
    later = st.dates(min_value=entry, max_value=date(2027, 12, 31))
    maybe = (lambda s: s) if complete else (lambda s: st.none() | s)
    cesa = draw(st.none() | later)
    return EntrepreneurRecord(
        source=f"ligne {draw(st.integers(2, 10_000))}",
        entry_date=entry,
        cesa_date=cesa,
        exit_date=draw(st.none() | later),
        exit_reason=draw(st.none() | st.sampled_from(["company_creation", "employment", "other"])),
        associate_date=draw(st.none() | later),
        trade=draw(maybe(TRADES)),
        sex=draw(st.none() | st.sampled_from(["F", "M", "X"])),
        birth_date=draw(
            maybe(st.dates(min_value=date(1950, 1, 1), max_value=entry - timedelta(days=1)))
        ),
        departement=draw(maybe(DEPARTEMENTS)),
    )


AMOUNTS = st.builds(
    AmountRecord,
    source=st.just("facture"),
    on=DAYS,
    amount=st.decimals(min_value=0, max_value=100_000, places=3),
    trade=st.none() | TRADES,
    departement=st.none() | DEPARTEMENTS,
)
PERIODS = st.sampled_from([Period(2024, 1), Period(2025, 2), Period(2026, 1), Period(2025)])


@settings(max_examples=100, deadline=None)
@given(
    people=st.lists(entrepreneurs(complete=False), max_size=25),
    revenue=st.lists(AMOUNTS, max_size=15),
    period=PERIODS,
)
def test_every_report_is_accepted_by_the_hub(
    people: list[EntrepreneurRecord], revenue: list[AmountRecord], period: Period
) -> None:
    body = build_report(period, people, revenue=revenue)
    accepted_by_the_hub(body)
    got = cells(body)
    end = period.end
    assert got[("entrepreneurs", ())] == sum(p.present_on(end) for p in people)
    in_period = [r for r in revenue if period.start <= r.on <= end]
    assert Decimal(str(got[("revenue_eur", ())])) == sum(
        (r.amount.quantize(Decimal("0.01")) for r in in_period), Decimal(0)
    )


@settings(max_examples=100, deadline=None)
@given(people=st.lists(entrepreneurs(complete=True), max_size=25))
def test_complete_records_give_every_breakdown_and_flows_add_up(
    people: list[EntrepreneurRecord],
) -> None:
    s1 = aggregate(Period(2025, 1), people)
    s2 = aggregate(Period(2025, 2), people)
    assert s1.gaps == () and s2.gaps == ()
    before, after = cells(s1.body), cells(s2.body)
    # stock at the end of S2 = stock at the end of S1 + entries - exits of S2
    assert after[("entrepreneurs", ())] == (
        before[("entrepreneurs", ())] + after[("entries", ())] - after[("exits", ())]
    )
    if after[("entrepreneurs", ())]:
        sets = {frozenset(d for d, _ in dims) for (i, dims) in after if i == "entrepreneurs"}
        assert sets == {frozenset(dims) for dims in BREAKDOWNS["entrepreneurs"]}
