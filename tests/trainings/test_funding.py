"""OPCO funding rules as data and the estimate computed from them."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from cae_contract.funding import RULES_FILE, FundingRulesError, estimate, load_rules, parse_rules


def test_the_shipped_rules_name_their_year_and_source() -> None:
    rules = load_rules()

    assert (rules.opco, rules.year) == ("Constructys", 2026)
    assert rules.source_url.startswith("https://")
    assert rules.hour_caps == {"qualifiante": 1200, "non_qualifiante": 300}
    assert [rules.bracket(n).code for n in (1, 10, 11, 49, 50, 5000)] == [
        "moins-11",
        "moins-11",
        "11-49",
        "11-49",
        "50-plus",
        "50-plus",
    ]


def test_hours_are_capped_by_kind_and_teaching_by_the_price() -> None:
    rules = load_rules()

    long = estimate(
        rules, headcount=20, qualifying=False, hours=400, trainees=1, price_per_trainee=None
    )
    cheap = estimate(
        rules, headcount=5, qualifying=True, hours=10, trainees=3, price_per_trainee=Decimal(100)
    )
    large = estimate(
        rules, headcount=80, qualifying=True, hours=10, trainees=1, price_per_trainee=None
    )

    assert (long.hours_funded, long.teaching_centi, long.wages_centi) == (300, 720_000, 0)
    assert (cheap.teaching_centi, cheap.wages_centi) == (30_000, 45_000)
    assert large.total_centi == 0


def test_staff_can_point_at_an_updated_file(tmp_path: Path) -> None:
    updated = tmp_path / "constructys-2027.toml"
    updated.write_text(
        RULES_FILE.read_text(encoding="utf-8").replace("annee = 2026", "annee = 2027"),
        encoding="utf-8",
    )

    assert load_rules(updated).year == 2027


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (
            ('cout_pedagogique_horaire = "24.00"', 'cout_pedagogique_horaire = "beaucoup"'),
            "cout_pedagogique_horaire",
        ),
        (("non_qualifiante = 300", "non_qualifiante = 'trois cents'"), "non_qualifiante"),
        (("annee = 2026", "annee = '2026'"), "annee"),
    ],
)
def test_a_faulty_rules_file_names_its_field(change: tuple[str, str], field: str) -> None:
    text = RULES_FILE.read_text(encoding="utf-8").replace(*change, 1)

    with pytest.raises(FundingRulesError, match=field):
        parse_rules(text)
