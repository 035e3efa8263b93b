"""Reporting periods: semesters (``2026-S1``) and years (``2026``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")
_PERIOD = re.compile(r"^(?P<year>(?!0000)[0-9]{4})(?:-S(?P<semester>[12]))?$")  # no year 0
PERIOD_PATTERN = r"^(?!0000)[0-9]{4}(-S[12])?$"
"""The language of ``Period.parse``, without its groups, for API documents."""


def today() -> date:
    """Today's date in France, where the CAEs close their periods."""
    return datetime.now(PARIS).date()


@dataclass(frozen=True, order=True)
class Period:
    """A semester (``semester`` 1 or 2) or a whole year (``semester`` None)."""

    year: int
    semester: int | None = None

    @classmethod
    def parse(cls, text: str) -> Period:
        """The period written ``text``, or ``ValueError`` with a French message."""
        match = _PERIOD.match(text)
        if match is None:
            raise ValueError(
                f"« {text[:20]} » n'est pas une période : AAAA-S1, AAAA-S2 ou AAAA attendu"
            )
        semester = match.group("semester")
        return cls(int(match.group("year")), int(semester) if semester else None)

    @classmethod
    def semester_of(cls, day: date) -> Period:
        """The semester ``day`` falls in."""
        return cls(day.year, 1 if day.month <= 6 else 2)

    @classmethod
    def last_closed_semester(cls, day: date) -> Period:
        """The last semester that had ended before ``day``."""
        return cls.semester_of(day).previous()

    @property
    def is_semester(self) -> bool:
        return self.semester is not None

    @property
    def start(self) -> date:
        return date(self.year, 7 if self.semester == 2 else 1, 1)

    @property
    def end(self) -> date:
        return date(self.year, 6, 30) if self.semester == 1 else date(self.year, 12, 31)

    def previous(self) -> Period:
        if self.semester is None:
            return Period(self.year - 1)
        if self.semester == 2:
            return Period(self.year, 1)
        return Period(self.year - 1, 2)

    def following(self) -> Period:
        if self.semester is None:
            return Period(self.year + 1)
        if self.semester == 1:
            return Period(self.year, 2)
        return Period(self.year + 1, 1)

    def __str__(self) -> str:
        return f"{self.year}-S{self.semester}" if self.semester else f"{self.year}"


def check_reportable(period: Period, *, earliest_year: int, on: date | None = None) -> None:
    """Refuse a period that has not started yet or lies before the hub's history."""
    on = on or today()
    if period.start > on:
        raise ValueError(f"la période {period} n'a pas encore commencé")
    if period.year < earliest_year:
        raise ValueError(f"la période {period} est antérieure à {earliest_year}")
