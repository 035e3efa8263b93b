"""French formatting: exact strings, with the typographic spaces and signs spelled out."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal

import pytest

from cae_contract.format import (
    fr_date,
    fr_datetime,
    fr_decimal,
    fr_eur,
    fr_int,
    fr_percent,
    fr_period,
    fr_period_html,
    fr_signed_change,
)
from cae_contract.periods import Period

NNBSP = "\u202f"  # thousands separator, before %
NBSP = "\u00a0"  # before €, inside « 14 h 05 »
MINUS = "\u2212"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "0"),
        (7, "7"),
        (999, "999"),
        (1000, f"1{NNBSP}000"),
        (12345, f"12{NNBSP}345"),
        (1234567, f"1{NNBSP}234{NNBSP}567"),
        (-1234, f"{MINUS}1{NNBSP}234"),
        (2.5, "3"),
        (-2.5, f"{MINUS}3"),
        (-0.4, "0"),
        (Decimal("1000000.49"), f"1{NNBSP}000{NNBSP}000"),
    ],
)
def test_fr_int(value: float, text: str) -> None:
    assert fr_int(value) == text


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [
        (1234.5, 1, f"1{NNBSP}234,5"),
        (1234, 1, f"1{NNBSP}234,0"),
        (2.25, 1, "2,3"),
        (2.675, 2, "2,68"),
        (0.05, 1, "0,1"),
        (-0.04, 1, "0,0"),
        (-1234.56, 2, f"{MINUS}1{NNBSP}234,56"),
        (3.14159, 3, "3,142"),
        (12.5, 0, "13"),
    ],
)
def test_fr_decimal(value: float, digits: int, text: str) -> None:
    assert fr_decimal(value, digits) == text


def test_euros_percentages_and_changes() -> None:
    assert fr_eur(1234) == f"1{NNBSP}234{NBSP}€"
    assert fr_eur(1234.5, 2) == f"1{NNBSP}234,50{NBSP}€"
    assert fr_eur(-12) == f"{MINUS}12{NBSP}€"
    assert fr_percent(12.5) == f"12,5{NNBSP}%"
    assert fr_percent(100, 0) == f"100{NNBSP}%"
    assert fr_signed_change(3.2, digits=1, percent=True) == f"+3,2{NNBSP}%"
    assert fr_signed_change(-1234) == f"{MINUS}1{NNBSP}234"
    assert fr_signed_change(0) == "0"
    assert fr_signed_change(0.01, digits=1) == "0,0"
    assert fr_signed_change(12) == "+12"


@pytest.mark.parametrize(
    "formatter", [fr_int, fr_decimal, fr_eur, fr_percent, fr_signed_change, fr_period]
)
def test_missing_values_are_a_dash(formatter: object) -> None:
    assert callable(formatter)
    assert formatter(None) == "—"


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf"), Decimal("NaN")])
def test_numbers_that_are_not_finite_are_missing(value: float) -> None:
    assert fr_int(value) == "—"
    assert fr_decimal(value) == "—"
    assert fr_eur(value) == "—"


def test_periods() -> None:
    assert fr_period("2025-S2") == "2e semestre 2025"
    assert fr_period("2025-S1") == "1er semestre 2025"
    assert fr_period("2025") == "année 2025"
    assert fr_period(Period(2026, 2)) == "2e semestre 2026"
    assert fr_period("n'importe quoi") == "n'importe quoi"
    assert str(fr_period_html("2025-S2")) == "2<sup>e</sup> semestre 2025"
    assert str(fr_period_html("2025-S1")) == "1<sup>er</sup> semestre 2025"
    assert str(fr_period_html("2025")) == "année 2025"
    assert str(fr_period_html("<b>")) == "&lt;b&gt;"
    assert str(fr_period_html(None)) == "—"


def test_dates() -> None:
    assert fr_date(date(2026, 11, 23)) == "23 novembre 2026"
    assert fr_date(date(2026, 2, 1)) == "1er février 2026"
    assert fr_date(date(2026, 8, 15)) == "15 août 2026"
    # 23:30 UTC on 31 December is already the next year in Paris.
    assert fr_date(datetime(2025, 12, 31, 23, 30, tzinfo=UTC)) == "1er janvier 2026"
    assert fr_date(None) == "—"


def test_datetimes_are_shown_in_paris_time() -> None:
    winter = datetime(2026, 11, 23, 13, 5, tzinfo=UTC)
    assert fr_datetime(winter) == f"23 novembre 2026 à 14{NBSP}h{NBSP}05"
    summer = datetime(2026, 7, 14, 6, 0, tzinfo=UTC)
    assert fr_datetime(summer) == f"14 juillet 2026 à 8{NBSP}h{NBSP}00"
    # A naive datetime is an instant in UTC, as the hub stores them.
    assert fr_datetime(datetime(2026, 11, 23, 13, 5)) == fr_datetime(winter)
    elsewhere = datetime(2026, 11, 23, 8, 5, tzinfo=timezone(timedelta(hours=-5)))
    assert fr_datetime(elsewhere) == fr_datetime(winter)
    assert fr_datetime(datetime(2026, 3, 1, 23, 0, tzinfo=UTC)) == f"2 mars 2026 à 0{NBSP}h{NBSP}00"
    assert fr_datetime(None) == "—"
