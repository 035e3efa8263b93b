"""What the entrepreneurs do once in: invoices, payslips, and the support team's work."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from hub.demo.model import DemoCae, Invoice, Payslip, Person, SupportTeam, Workshop
from hub.demo.people import add_months, month_starts, poisson
from hub.demo.profiles import CaeProfile

# Yearly revenue excl. VAT of one entrepreneur on a CESA, by trade (euros).
TRADE_REVENUE = {
    "41.20A": 95_000,
    "41.20B": 110_000,
    "43.11Z": 70_000,
    "43.12A": 80_000,
    "43.21A": 55_000,
    "43.22A": 56_000,
    "43.22B": 62_000,
    "43.29A": 45_000,
    "43.31Z": 40_000,
    "43.32A": 50_000,
    "43.32B": 52_000,
    "43.33Z": 42_000,
    "43.34Z": 36_000,
    "43.39Z": 35_000,
    "43.91A": 60_000,
    "43.91B": 56_000,
    "43.99A": 50_000,
    "43.99C": 66_000,
    "43.99D": 40_000,
    "71.11Z": 45_000,
    "71.12B": 52_000,
    "81.30Z": 34_000,
}


def generate_money(
    profile: CaeProfile,
    rng: random.Random,
    people: tuple[Person, ...],
    today: date,
    factor: float,
) -> tuple[tuple[Invoice, ...], tuple[Payslip, ...]]:
    """Invoices (with a few credit notes, and drafts not yet issued) and CESA payslips."""
    drafts: list[tuple[date, int, int, int, bool]] = []
    payslips: list[Payslip] = []
    recent = add_months(today, -2)
    for person in people:
        yearly = TRADE_REVENUE[person.trade] * factor * rng.lognormvariate(0, 0.35)
        first = max(person.entry_date, profile.since)
        last = min(today, (person.exit_date or today + timedelta(days=1)) - timedelta(days=1))
        for month in month_starts(first, last):
            on_cesa = person.cesa_date is not None and person.cesa_date <= month
            rate = 1.3 if on_cesa else 0.7
            monthly = yearly / 12 * (1.0 if on_cesa else 0.45)
            for _ in range(poisson(rng, rate)):
                day = month + timedelta(days=rng.randrange(28))
                if not first <= day <= last:
                    continue
                cents = max(5_000, round(monthly / rate * rng.lognormvariate(0, 0.5) * 100))
                vat = rng.choices([20, 10, 5], [6, 3, 1])[0]
                issued = day < recent or rng.random() > 0.15
                drafts.append((day, person.number, cents, vat, issued))
                if issued and rng.random() < 0.015:  # a credit note cancels part of it
                    back = min(last, day + timedelta(days=rng.randint(3, 20)))
                    share = rng.choice([0.2, 0.5, 1.0])
                    drafts.append((back, person.number, -round(cents * share), vat, True))
            if on_cesa and month < date(today.year, today.month, 1):
                gross = round(yearly * 0.42 / 12 * rng.lognormvariate(0, 0.12) * 100)
                payslips.append(Payslip(month, person.number, gross))
    drafts.sort()
    invoices = []
    counters: dict[tuple[str, int], int] = {}
    for day, number, cents, vat, issued in drafts:
        prefix = "A" if cents < 0 else ("F" if issued else "B")
        counters[(prefix, day.year)] = counters.get((prefix, day.year), 0) + 1
        reference = f"{prefix}{day.year}-{counters[(prefix, day.year)]:05d}"
        invoices.append(Invoice(reference, day, number, cents, vat, issued))
    payslips.sort(key=lambda p: (p.month, p.person))
    return tuple(invoices), tuple(payslips)


WORKSHOP_TITLES = (
    "Chiffrer un devis de rénovation",
    "Réglementation environnementale RE2020",
    "Prévention des risques sur chantier",
    "Gérer sa trésorerie en CAE",
    "Relation client et litiges",
    "Aides à la rénovation énergétique",
    "Sécurité électrique : habilitation",
    "Travail en hauteur",
)


def generate_support(
    cae: DemoCae, rng: random.Random
) -> tuple[tuple[Workshop, ...], tuple[SupportTeam, ...]]:
    workshops: list[Workshop] = []
    support: list[SupportTeam] = []
    for period in cae.periods():
        end = min(period.end, cae.today)
        stock = len(cae.stock(end))
        fte = max(Decimal("0.5"), Decimal(round(stock / 22 + rng.uniform(-0.3, 0.6), 1)))
        support.append(SupportTeam(period, fte.quantize(Decimal("0.1"))))
        sessions = max(1, round(stock / 10)) if stock else 0
        span = (end - period.start).days
        for _ in range(sessions):
            day = period.start + timedelta(days=rng.randrange(max(1, span)))
            hours = Decimal(rng.choice(["3.5", "7"]))
            attendees = max(1, min(stock, rng.randint(3, 12)))
            workshops.append(Workshop(day, rng.choice(WORKSHOP_TITLES), hours, attendees))
    workshops.sort(key=lambda w: w.on)
    return tuple(workshops), tuple(support)
