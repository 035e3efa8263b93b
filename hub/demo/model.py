"""What the demonstration federation is made of: CAEs, their people, invoices and payslips."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from cae_contract.periods import Period
from hub.demo.profiles import CaeProfile


@dataclass(frozen=True)
class Person:
    """An entrepreneur as the CAE's own files know them."""

    number: int
    civility: str
    first_name: str
    last_name: str
    sex: str  # F, M, or X when the file leaves it empty
    birth_date: date
    nir: str
    email: str
    phone: str
    address: str
    postcode: str
    town: str
    study_level: str
    departement: str
    trade: str
    sign: str  # the business name the entrepreneur invoices under
    entry_date: date
    cesa_date: date | None
    associate_date: date | None
    exit_date: date | None
    exit_reason: str | None

    def present_at(self, day: date) -> bool:
        return self.entry_date <= day and (self.exit_date is None or self.exit_date > day)


@dataclass(frozen=True)
class Invoice:
    """An invoice (a credit note when negative); drafts are not revenue yet."""

    number: str
    on: date
    person: int
    amount_cents: int  # excl. VAT
    vat_rate: int  # percent
    issued: bool = True

    @property
    def amount(self) -> Decimal:
        return Decimal(self.amount_cents) / 100


@dataclass(frozen=True)
class Payslip:
    """One month's gross pay of an entrepreneur on a CESA (employees of the CAE)."""

    month: date
    person: int
    gross_cents: int


@dataclass(frozen=True)
class Workshop:
    """A training session the support team gave to entrepreneurs."""

    on: date
    title: str
    hours: Decimal
    attendees: int


@dataclass(frozen=True)
class SupportTeam:
    """The support team's full-time equivalents over one semester."""

    period: Period
    fte: Decimal


@dataclass(frozen=True)
class DemoCae:
    profile: CaeProfile
    siren: str
    trades: tuple[str, ...]
    people: tuple[Person, ...]
    invoices: tuple[Invoice, ...]
    payslips: tuple[Payslip, ...]
    workshops: tuple[Workshop, ...]
    support: tuple[SupportTeam, ...]
    today: date

    @property
    def name(self) -> str:
        return self.profile.name

    @property
    def slug(self) -> str:
        return self.profile.slug

    def periods(self) -> list[Period]:
        """Every semester from the one its data starts in to the current one."""
        period = Period.semester_of(self.profile.since)
        periods = []
        while period.start <= self.today:
            periods.append(period)
            period = period.following()
        return periods

    def stock(self, day: date) -> list[Person]:
        return [p for p in self.people if p.present_at(day)]

    def revenue(self, period: Period) -> Decimal:
        cents = sum(
            i.amount_cents for i in self.invoices if i.issued and period.start <= i.on <= period.end
        )
        return Decimal(cents) / 100

    def payroll(self, period: Period) -> Decimal:
        cents = sum(p.gross_cents for p in self.payslips if period.start <= p.month <= period.end)
        return Decimal(cents) / 100

    def training_hours(self, period: Period) -> Decimal:
        return sum(
            (w.hours * w.attendees for w in self.workshops if period.start <= w.on <= period.end),
            Decimal(0),
        )


@dataclass(frozen=True)
class DemoFederation:
    caes: tuple[DemoCae, ...]
    seed: int
    today: date

    def total_revenue(self) -> Decimal:
        return sum((c.revenue(p) for c in self.caes for p in c.periods()), Decimal(0))
