"""Entrepreneurs coming and going: arrivals month by month, then each one's career.

Life of an entrepreneur: an entry on a CAPE (sometimes straight on a CESA), a CESA after 3 to
14 months of CAPE or an exit, then associate within 36 months of CESA or an exit before.
Everything a CAE's files hold about a person is drawn here, identity included.
"""

from __future__ import annotations

import math
import random
import unicodedata
from collections.abc import Iterator
from datetime import date, timedelta

from hub.demo.model import Person
from hub.demo.names import (
    FEMALE_FIRST_NAMES,
    LAST_NAMES,
    MALE_FIRST_NAMES,
    STREETS,
    STUDY_LEVELS,
    TOWNS,
    TRADE_SIGNS,
)
from hub.demo.profiles import HISTORY_START, CaeProfile, Size

# How common each trade is among the entrepreneurs of building CAEs.
TRADE_WEIGHTS = {
    "41.20A": 2,
    "41.20B": 1,
    "43.11Z": 1,
    "43.12A": 1,
    "43.21A": 10,
    "43.22A": 8,
    "43.22B": 4,
    "43.29A": 3,
    "43.31Z": 5,
    "43.32A": 7,
    "43.32B": 2,
    "43.33Z": 4,
    "43.34Z": 8,
    "43.39Z": 3,
    "43.91A": 4,
    "43.91B": 4,
    "43.99A": 2,
    "43.99C": 6,
    "43.99D": 2,
    "71.11Z": 1,
    "71.12B": 1,
    "81.30Z": 3,
}

# Entrepreneurs on the books at the end of the history, by size of CAE.
SIZE_STOCK = {
    Size.DOMINANT: (230, 260),
    Size.LARGE: (100, 150),
    Size.MEDIUM: (35, 70),
    Size.SMALL: (12, 25),
    Size.TINY: (3, 7),
}
MEAN_STAY_MONTHS = 50
CAPE_EXIT_REASONS = {"employment": 45, "training": 20, "company_creation": 10, "other": 25}
CESA_EXIT_REASONS = {"company_creation": 45, "employment": 30, "training": 5, "other": 20}


def weighted(rng: random.Random, weights: dict[str, int]) -> str:
    keys = list(weights)
    return rng.choices(keys, [weights[k] for k in keys])[0]


def poisson(rng: random.Random, mean: float) -> int:
    limit, count, product = math.exp(-mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, 28))


def month_starts(first: date, last: date) -> Iterator[date]:
    month = date(first.year, first.month, 1)
    while month <= last:
        yield month
        month = add_months(month, 1)


def generate_people(
    profile: CaeProfile,
    rng: random.Random,
    trades: tuple[str, ...],
    today: date,
    *,
    scale: float = 1.0,
) -> tuple[Person, ...]:
    low, high = SIZE_STOCK[profile.size]
    target = rng.randint(low, high) * scale
    # A CAE that existed before the history starts already has people on its books.
    young = profile.since > HISTORY_START
    first = profile.since if young else add_months(profile.since, -36)
    months = list(month_starts(first, today))
    base = target / MEAN_STAY_MONTHS
    trade_weights = {t: TRADE_WEIGHTS[t] for t in trades}
    departement_weights = {d: (3 if i == 0 else 1) for i, d in enumerate(profile.departements)}
    people: list[Person] = []
    for index, month in enumerate(months):
        growth = 0.75 + 0.5 * index / max(1, len(months) - 1)
        for _ in range(poisson(rng, base * growth * (1.6 if young else 1.0))):
            day = min(today, month + timedelta(days=rng.randrange(28)))
            person = _person(
                rng,
                len(people) + 1,
                day,
                today,
                weighted(rng, trade_weights),
                weighted(rng, departement_weights),
            )
            if person.exit_date is None or person.exit_date >= profile.since:
                people.append(person)
    return tuple(people)


def _person(
    rng: random.Random, number: int, entry: date, today: date, trade: str, departement: str
) -> Person:
    sex = rng.choices(["F", "M", "X"], [22, 77, 1])[0]
    first_names = FEMALE_FIRST_NAMES if sex == "F" else MALE_FIRST_NAMES
    first_name = rng.choice(first_names if sex != "X" else FEMALE_FIRST_NAMES + MALE_FIRST_NAMES)
    last_name = rng.choice(LAST_NAMES)
    age = min(64, max(19, round(rng.gauss(38, 10))))
    birth = date(entry.year - age, rng.randint(1, 12), rng.randint(1, 28))
    postcode, town = rng.choice(TOWNS[departement])
    cesa, associate, exit_date, reason = _career(rng, entry)
    horizon = [d for d in (cesa, associate, exit_date) if d is not None and d > today]
    if horizon:  # what has not happened yet is not in the files
        cesa = cesa if cesa is not None and cesa <= today else None
        associate = associate if associate is not None and associate <= today else None
        if exit_date is not None and exit_date > today:
            exit_date, reason = None, None
    login = f"{_ascii(first_name)}.{_ascii(last_name)}".lower()
    return Person(
        number=number,
        civility={"F": "Madame", "M": "Monsieur"}.get(sex, ""),
        first_name=first_name,
        last_name=last_name,
        sex=sex,
        birth_date=birth,
        nir=_nir(rng, sex, birth, departement),
        email=f"{login}{number}@courriel.example",
        phone=f"06 {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} "
        f"{rng.randint(10, 99)}",
        address=f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
        postcode=postcode,
        town=town,
        study_level=rng.choice(STUDY_LEVELS),
        departement=departement,
        trade=trade,
        sign=f"{TRADE_SIGNS[trade]} {last_name}",
        entry_date=entry,
        cesa_date=cesa,
        associate_date=associate,
        exit_date=exit_date,
        exit_reason=reason,
    )


def _career(
    rng: random.Random, entry: date
) -> tuple[date | None, date | None, date | None, str | None]:
    """CESA, associate and exit dates (any may lie in the future) and the exit reason."""
    if rng.random() < 0.15:
        cesa = entry
    else:
        end_of_cape = add_months(entry, rng.randint(3, 14))
        if rng.random() < 0.35:
            return None, None, end_of_cape, weighted(rng, CAPE_EXIT_REASONS)
        cesa = end_of_cape
    if rng.random() < 0.6:
        associate = add_months(cesa, rng.randint(10, 35))
        if rng.random() < 0.3:  # associates leave too, often to found their own company
            leave = add_months(associate, rng.randint(6, 48))
            return cesa, associate, leave, weighted(rng, CESA_EXIT_REASONS)
        return cesa, associate, None, None
    # Not associate within 36 months of CESA: the contract ends before.
    return cesa, None, add_months(cesa, rng.randint(4, 35)), weighted(rng, CESA_EXIT_REASONS)


def _nir(rng: random.Random, sex: str, birth: date, departement: str) -> str:
    gender = "2" if sex == "F" or (sex == "X" and rng.random() < 0.5) else "1"
    place = departement if departement.isdigit() else "99"
    body = (
        f"{gender}{birth.year % 100:02d}{birth.month:02d}{place}"
        f"{rng.randint(1, 899):03d}{rng.randint(1, 999):03d}"
    )
    return f"{body}{97 - int(body) % 97:02d}"


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalpha())
