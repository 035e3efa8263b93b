"""Payroll delegation, what the hub and the CAE's client agree on: payroll months, the kinds of
payload a mandate lets travel and who sends each, the monthly deadlines (the DSN calendar), and
the statement a sender signs.

The DSN of month M is due on the 5th or the 15th of M+1 at noon (Paris time), moved to the next
working day when that day is a Sunday or a public holiday — France's, plus Alsace-Moselle's
(Good Friday, 26 December) for an employer established there.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache

import holidays

from cae_contract.periods import PARIS

__all__ = [
    "MANDATE_SCHEMA",
    "PAYLOAD_FORMAT",
    "Kind",
    "Month",
    "Role",
    "Statement",
    "dsn_due",
    "is_working_day",
    "next_working_day",
    "payslips_due",
    "variables_due",
]

MANDATE_SCHEMA = "payroll-mandate"
PAYLOAD_FORMAT = "cae-hub-paie/1"
NOON = time(12, 0)
_MONTH = re.compile(r"^(?P<year>20[0-9]{2})-(?P<month>0[1-9]|1[0-2])$")
MONTH_PATTERN = r"^20[0-9]{2}-(0[1-9]|1[0-2])$"


@dataclass(frozen=True, order=True)
class Month:
    """A payroll month, written ``AAAA-MM``."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """The month written ``text``, or ``ValueError`` with a French message."""
        found = _MONTH.match(text)
        if found is None:
            raise ValueError(f"« {text[:20]} » n'est pas un mois de paie : AAAA-MM attendu")
        return cls(int(found.group("year")), int(found.group("month")))

    @classmethod
    def of(cls, day: date) -> Month:
        return cls(day.year, day.month)

    def following(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    def day(self, number: int) -> date:
        return date(self.year, self.month, number)

    @property
    def first_day(self) -> date:
        return self.day(1)

    @property
    def last_day(self) -> date:
        return self.following().first_day - timedelta(days=1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


class Role(StrEnum):
    """A CAE's side of a mandate."""

    DELEGANTE = "delegante"  # the employer, controller (art. 28 GDPR)
    DELEGATAIRE = "delegataire"  # the processor doing the payroll work


class Kind(StrEnum):
    """What a payload is. Each belongs to one task of the mandate and travels one way."""

    VARIABLES = "variables"
    BULLETINS = "bulletins"
    DSN = "dsn"
    DSN_RETOUR = "dsn_retour"
    CONTRATS = "contrats"
    ATTESTATIONS = "attestations"
    SOLDES = "soldes"

    @property
    def task(self) -> str:
        return _TASKS[self]

    @property
    def sender(self) -> Role:
        return Role.DELEGANTE if self is Kind.VARIABLES else Role.DELEGATAIRE

    @property
    def label(self) -> str:
        return _LABELS[self]


_TASKS = {
    Kind.VARIABLES: "collecte_variables",
    Kind.BULLETINS: "bulletins",
    Kind.DSN: "dsn",
    Kind.DSN_RETOUR: "dsn",
    Kind.CONTRATS: "contrats_avenants",
    Kind.ATTESTATIONS: "attestations_employeur",
    Kind.SOLDES: "soldes_tout_compte",
}
_LABELS = {
    Kind.VARIABLES: "variables de paie",
    Kind.BULLETINS: "bulletins de paie",
    Kind.DSN: "fichier DSN déposé",
    Kind.DSN_RETOUR: "retour de la DSN (accusé de réception, bilan d'anomalies)",
    Kind.CONTRATS: "contrats et avenants",
    Kind.ATTESTATIONS: "attestations employeur",
    Kind.SOLDES: "soldes de tout compte",
}


@lru_cache(maxsize=64)
def _holidays(year: int, alsace_moselle: bool) -> frozenset[date]:
    # Moselle (57) has the same two extra days as Bas-Rhin and Haut-Rhin.
    calendar = holidays.country_holidays("FR", subdiv="57" if alsace_moselle else None, years=year)
    return frozenset(calendar)


def is_working_day(day: date, *, alsace_moselle: bool = False) -> bool:
    """Neither a Sunday nor a public holiday (URSSAF moves a deadline only for those)."""
    return day.weekday() != 6 and day not in _holidays(day.year, alsace_moselle)


def next_working_day(day: date, *, alsace_moselle: bool = False) -> date:
    """``day`` itself when it is a working day, else the first one after it."""
    while not is_working_day(day, alsace_moselle=alsace_moselle):
        day += timedelta(days=1)
    return day


def _noon(day: date) -> datetime:
    return datetime.combine(day, NOON, tzinfo=PARIS)


def dsn_due(month: Month, due_day: int, *, alsace_moselle: bool = False) -> datetime:
    """When the DSN of ``month`` is due: the ``due_day`` (5 or 15) of the following month at
    noon, Paris time, moved to the next working day."""
    if due_day not in (5, 15):
        raise ValueError("la DSN est due le 5 ou le 15 du mois suivant")
    day = next_working_day(month.following().day(due_day), alsace_moselle=alsace_moselle)
    return _noon(day)


def variables_due(month: Month, day: int, *, alsace_moselle: bool = False) -> datetime:
    """When the delegating CAE's variables of ``month`` are due: the day it set, at noon,
    moved to the next working day."""
    return _noon(next_working_day(month.day(day), alsace_moselle=alsace_moselle))


def payslips_due(month: Month, *, alsace_moselle: bool = False) -> datetime:
    """Payslips are returned by the last working day of ``month`` (pay is due in the month):
    the last day, moved back to a working day."""
    day = month.last_day
    while not is_working_day(day, alsace_moselle=alsace_moselle):
        day -= timedelta(days=1)
    return _noon(day)


@dataclass(frozen=True)
class Statement:
    """What a sender signs about a payload: the hub checks it without decrypting anything, the
    recipient checks it before decrypting. ``sha256`` is the ciphertext's, in hexadecimal."""

    mandate: str
    month: str
    kind: str
    sender: str  # the sending CAE's SIREN
    size: int
    sha256: str
    key: str  # the fingerprint of the sender's keys

    def to_bytes(self) -> bytes:
        """Canonical form: keys sorted, no spaces, ASCII only."""
        body = {
            "format": PAYLOAD_FORMAT,
            "mandat": self.mandate,
            "mois": self.month,
            "nature": self.kind,
            "emetteur": self.sender,
            "taille": self.size,
            "empreinte": self.sha256,
            "cle": self.key,
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("ascii")

    def context(self) -> bytes:
        """The HPKE ``info`` of the payload: a ciphertext only opens for its own mandate, month
        and kind, so it cannot be replayed as another."""
        return f"{PAYLOAD_FORMAT}|{self.mandate}|{self.month}|{self.kind}".encode("ascii")
