"""OPCO funding estimates: the rules are data (a TOML file with its year and source), the
computation is pure, shared by the hub (the estimate of an accepted seat request) and the
CAE-side request pack.

The estimate of a request: for each trainee, the teaching cost the OPCO takes on is the hourly
rate of the company-size bracket times the hours (capped by the kind of training: qualifying
or not), never more than the price per trainee; plus, where the bracket has one, a share of
the wages for the hours in training. Everything in euro cents, rounded down.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

RULES_FILE = Path(__file__).with_name("opco-constructys.toml")
QUALIFYING = "qualifiante"
NOT_QUALIFYING = "non_qualifiante"
KINDS = (QUALIFYING, NOT_QUALIFYING)


class FundingRulesError(ValueError):
    """The rules file cannot be read: the message says which field, in French."""


@dataclass(frozen=True, slots=True)
class Bracket:
    code: str
    label: str
    max_headcount: int | None
    teaching_rate: Decimal
    wage_rate: Decimal


@dataclass(frozen=True, slots=True)
class FundingRules:
    opco: str
    year: int
    sector: str
    source_title: str
    source_url: str
    hour_caps: dict[str, int]
    brackets: tuple[Bracket, ...]

    def bracket(self, headcount: int) -> Bracket:
        """The bracket of a company of ``headcount`` employees."""
        for bracket in self.brackets:
            if bracket.max_headcount is None or headcount <= bracket.max_headcount:
                return bracket
        return self.brackets[-1]


@dataclass(frozen=True, slots=True)
class Estimate:
    """What the OPCO would fund for ``trainees`` trainees on one session."""

    opco: str
    year: int
    source_title: str
    source_url: str
    bracket_code: str
    bracket_label: str
    kind: str
    trainees: int
    hours: int
    hours_funded: int
    teaching_rate: Decimal
    wage_rate: Decimal
    teaching_centi: int
    wages_centi: int

    @property
    def total_centi(self) -> int:
        return self.teaching_centi + self.wages_centi

    def as_dict(self) -> dict[str, Any]:
        """The estimate as the API and the pack write it (amounts in euros, two decimals)."""
        return {
            "opco": self.opco,
            "annee": self.year,
            "source": {"titre": self.source_title, "url": self.source_url},
            "tranche_effectif": self.bracket_code,
            "tranche_libelle": self.bracket_label,
            "nature": self.kind,
            "stagiaires": self.trainees,
            "heures": self.hours,
            "heures_prises_en_charge": self.hours_funded,
            "taux_horaire_pedagogique": float(self.teaching_rate),
            "taux_horaire_salaires": float(self.wage_rate),
            "cout_pedagogique_pris_en_charge": self.teaching_centi / 100,
            "frais_salaire_pris_en_charge": self.wages_centi / 100,
            "total": self.total_centi / 100,
        }


def _field(data: dict[str, Any], key: str, kind: type, where: str) -> Any:
    value = data.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise FundingRulesError(f"règles OPCO : « {where}{key} » manquant ou mal écrit")
    return value


def _amount(data: dict[str, Any], key: str, where: str) -> Decimal:
    text = _field(data, key, str, where)
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise FundingRulesError(f"règles OPCO : « {where}{key} » n'est pas un montant") from None
    if value < 0 or not value.is_finite():
        raise FundingRulesError(f"règles OPCO : « {where}{key} » doit être positif")
    return value


def parse_rules(text: str) -> FundingRules:
    """Rules from the text of a TOML file, or FundingRulesError naming the faulty field."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FundingRulesError(f"règles OPCO illisibles : {exc}") from None
    source = _field(data, "source", dict, "")
    caps = _field(data, "plafonds_heures", dict, "")
    hour_caps = {kind: int(_field(caps, kind, int, "plafonds_heures.")) for kind in KINDS}
    rows = _field(data, "tranches", list, "")
    brackets: list[Bracket] = []
    for index, row in enumerate(rows):
        where = f"tranches[{index}]."
        if not isinstance(row, dict):
            raise FundingRulesError(f"règles OPCO : « {where[:-1]} » doit être une table")
        maximum = row.get("effectif_max")
        if maximum is not None and (not isinstance(maximum, int) or maximum < 0):
            raise FundingRulesError(f"règles OPCO : « {where}effectif_max » mal écrit")
        brackets.append(
            Bracket(
                code=_field(row, "code", str, where),
                label=_field(row, "libelle", str, where),
                max_headcount=maximum,
                teaching_rate=_amount(row, "cout_pedagogique_horaire", where),
                wage_rate=_amount(row, "frais_salaire_horaire", where),
            )
        )
    if not brackets:
        raise FundingRulesError("règles OPCO : aucune tranche d'effectif")
    brackets.sort(key=lambda b: (b.max_headcount is None, b.max_headcount or 0))
    return FundingRules(
        opco=_field(data, "opco", str, ""),
        year=_field(data, "annee", int, ""),
        sector=_field(data, "secteur", str, ""),
        source_title=_field(source, "titre", str, "source."),
        source_url=_field(source, "url", str, "source."),
        hour_caps=hour_caps,
        brackets=tuple(brackets),
    )


@lru_cache(maxsize=8)
def _load(path: Path, mtime_ns: int) -> FundingRules:
    return parse_rules(path.read_text(encoding="utf-8"))


def load_rules(path: Path | None = None) -> FundingRules:
    """The rules of ``path`` (default: the file shipped with the contract), read again when
    the file changes."""
    path = path or RULES_FILE
    try:
        stat = path.stat()
    except OSError:
        raise FundingRulesError(f"règles OPCO introuvables : {path}") from None
    return _load(path, stat.st_mtime_ns)


def _cents(value: Decimal) -> int:
    return int((value * 100).to_integral_value(rounding=ROUND_DOWN))


def estimate(
    rules: FundingRules,
    *,
    headcount: int,
    qualifying: bool,
    hours: int,
    trainees: int,
    price_per_trainee: Decimal | None,
) -> Estimate:
    """The funding ``rules`` give ``trainees`` trainees of a company of ``headcount``
    employees on a training of ``hours`` hours costing ``price_per_trainee`` each."""
    bracket = rules.bracket(headcount)
    kind = QUALIFYING if qualifying else NOT_QUALIFYING
    funded = max(0, min(hours, rules.hour_caps[kind]))
    teaching = bracket.teaching_rate * funded
    if price_per_trainee is not None:
        teaching = min(teaching, price_per_trainee)
    wages = bracket.wage_rate * funded
    return Estimate(
        opco=rules.opco,
        year=rules.year,
        source_title=rules.source_title,
        source_url=rules.source_url,
        bracket_code=bracket.code,
        bracket_label=bracket.label,
        kind=kind,
        trainees=trainees,
        hours=hours,
        hours_funded=funded,
        teaching_rate=bracket.teaching_rate,
        wage_rate=bracket.wage_rate,
        teaching_centi=_cents(teaching) * trainees,
        wages_centi=_cents(wages) * trainees,
    )


__all__ = [
    "RULES_FILE",
    "Estimate",
    "FundingRules",
    "FundingRulesError",
    "estimate",
    "load_rules",
    "parse_rules",
]
