"""Reporting periods: which semester a day falls in."""

from __future__ import annotations

from datetime import date

import pytest

from cae_contract.periods import Period


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2025, 1, 1), "2025-S1"),
        (date(2025, 6, 30), "2025-S1"),
        (date(2025, 7, 1), "2025-S2"),
        (date(2025, 12, 31), "2025-S2"),
    ],
)
def test_a_day_falls_in_the_semester_that_starts_and_ends_around_it(
    day: date, expected: str
) -> None:
    period = Period.semester_of(day)
    assert str(period) == expected
    assert period.start <= day <= period.end


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 1, 1), "2025-S2"),
        (date(2026, 6, 30), "2025-S2"),
        (date(2026, 7, 1), "2026-S1"),
        (date(2026, 12, 31), "2026-S1"),
    ],
)
def test_last_closed_semester(day: date, expected: str) -> None:
    assert str(Period.last_closed_semester(day)) == expected
