"""The DSN calendar: due the 5th or the 15th of the following month at noon, Paris time, moved
to the next working day after a Sunday or a public holiday (Saturdays do not move it)."""

from __future__ import annotations

from datetime import date, datetime, time

import pytest

from cae_contract.payroll import (
    Month,
    dsn_due,
    is_working_day,
    next_working_day,
    payslips_due,
    variables_due,
)
from cae_contract.periods import PARIS

# Payroll month -> (due day of the 5th, due day of the 15th), in the following month.
DSN_TABLE = {
    "2026-01": ("2026-02-05", "2026-02-16"),  # 15 Feb: Sunday
    "2026-02": ("2026-03-05", "2026-03-16"),  # 15 Mar: Sunday
    "2026-03": ("2026-04-07", "2026-04-15"),  # 5 Apr: Easter Sunday, then Easter Monday
    "2026-04": ("2026-05-05", "2026-05-15"),
    "2026-05": ("2026-06-05", "2026-06-15"),
    "2026-06": ("2026-07-06", "2026-07-15"),  # 5 Jul: Sunday
    "2026-07": ("2026-08-05", "2026-08-17"),  # 15 Aug: Assumption (Saturday), then Sunday
    "2026-08": ("2026-09-05", "2026-09-15"),  # 5 Sep: a Saturday stays
    "2026-09": ("2026-10-05", "2026-10-15"),
    "2026-10": ("2026-11-05", "2026-11-16"),  # 15 Nov: Sunday
    "2026-11": ("2026-12-05", "2026-12-15"),
    "2026-12": ("2027-01-05", "2027-01-15"),
    "2027-01": ("2027-02-05", "2027-02-15"),
    "2027-02": ("2027-03-05", "2027-03-15"),
    "2027-03": ("2027-04-05", "2027-04-15"),
    "2027-04": ("2027-05-05", "2027-05-15"),  # 15 May: Saturday, stays
    "2027-05": ("2027-06-05", "2027-06-15"),
    "2027-06": ("2027-07-05", "2027-07-15"),
    "2027-07": ("2027-08-05", "2027-08-16"),  # 15 Aug: Assumption on a Sunday
    "2027-08": ("2027-09-06", "2027-09-15"),  # 5 Sep: Sunday
    "2027-09": ("2027-10-05", "2027-10-15"),
    "2027-10": ("2027-11-05", "2027-11-15"),
    "2027-11": ("2027-12-06", "2027-12-15"),  # 5 Dec: Sunday
    "2027-12": ("2028-01-05", "2028-01-15"),
}


@pytest.mark.parametrize("alsace_moselle", [False, True])
@pytest.mark.parametrize("month", sorted(DSN_TABLE))
def test_dsn_due_dates_of_2026_and_2027(month: str, alsace_moselle: bool) -> None:
    fifth, fifteenth = DSN_TABLE[month]
    for due_day, expected in ((5, fifth), (15, fifteenth)):
        due = dsn_due(Month.parse(month), due_day, alsace_moselle=alsace_moselle)
        assert due == datetime.combine(date.fromisoformat(expected), time(12), tzinfo=PARIS)


def test_the_table_covers_every_month_of_both_years() -> None:
    assert len(DSN_TABLE) == 24


def test_only_the_5th_or_the_15th() -> None:
    with pytest.raises(ValueError, match="5 ou le 15"):
        dsn_due(Month(2026, 1), 10)


def test_alsace_moselle_has_good_friday_and_saint_stephen() -> None:
    good_friday = date(2026, 4, 3)
    assert is_working_day(good_friday)
    assert not is_working_day(good_friday, alsace_moselle=True)
    assert next_working_day(good_friday, alsace_moselle=True) == date(2026, 4, 4)
    assert not is_working_day(date(2025, 12, 26), alsace_moselle=True)
    assert is_working_day(date(2025, 12, 26))


def test_variables_and_payslips_deadlines() -> None:
    # Variables set for the 20th: 20 Sep 2026 is a Sunday.
    assert variables_due(Month(2026, 9), 20).date() == date(2026, 9, 21)
    # Payslips by the last working day of the month: 31 Jan 2027 is a Sunday.
    assert payslips_due(Month(2027, 1)).date() == date(2027, 1, 30)
    assert payslips_due(Month(2026, 11)).date() == date(2026, 11, 30)


def test_months_are_written_aaaa_mm() -> None:
    assert str(Month.parse("2026-11")) == "2026-11"
    assert Month.parse("2026-12").following() == Month(2027, 1)
    with pytest.raises(ValueError, match="AAAA-MM"):
        Month.parse("2026-13")
