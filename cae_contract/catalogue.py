"""The indicator catalogue, read from the published ``indicator-report`` schema.

The schema is the single definition that the hub and the connectors share: each branch of
``$defs/indicator`` carries the code, French label and definition, and the annotations
``x-kind`` (persons or amount), ``x-unit`` and ``x-dims`` (the breakdowns allowed).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from cae_contract.dimensions import DERIVED_DIMENSION_LISTS as DERIVED_DIMENSION_LISTS
from cae_contract.dimensions import DIMENSION_LISTS as DIMENSION_LISTS
from cae_contract.dimensions import DIMENSIONS as DIMENSIONS
from cae_contract.registry import SchemaRegistry, get_registry

REPORT_SCHEMA = "indicator-report"
Kind = Literal["persons", "amount", "ratio"]


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    definition: str
    kind: Kind
    unit: str
    dims: tuple[str, ...]
    derived: bool = False


@dataclass(frozen=True)
class Catalogue:
    schema_version: str
    indicators: dict[str, Indicator]

    def get(self, code: str) -> Indicator | None:
        return self.indicators.get(code)

    def reported(self) -> list[Indicator]:
        return [i for i in self.indicators.values() if not i.derived]


ASSOCIATE_RATE = Indicator(
    code="associate_rate",
    label="Taux d'entrepreneurs-associés",
    definition=(
        "Entrepreneurs-associés rapportés aux entrepreneurs en CESA, en fin de période. "
        "Calculé par le hub à partir des sommes protégées, jamais déclaré ; masqué dès que "
        "l'une des deux sommes l'est."
    ),
    kind="ratio",
    unit="%",
    dims=("trade", "sex"),
    derived=True,
)


def load_catalogue(registry: SchemaRegistry, version: str = "latest") -> Catalogue:
    schema = registry.get(REPORT_SCHEMA, version)
    indicators: dict[str, Indicator] = {}
    for branch in schema.document["$defs"]["indicator"]["anyOf"]:
        code = str(branch["const"])
        indicators[code] = Indicator(
            code=code,
            label=str(branch["title"]),
            definition=str(branch.get("description", "")),
            kind="persons" if branch["x-kind"] == "persons" else "amount",
            unit=str(branch.get("x-unit", "")),
            dims=tuple(branch.get("x-dims", ())),
        )
    indicators[ASSOCIATE_RATE.code] = ASSOCIATE_RATE
    return Catalogue(schema_version=schema.version, indicators=indicators)


def dimension_title(dim: str) -> str:
    """The French name of a breakdown, as its code list is titled (« Métier »)."""
    return get_registry().latest(code_list_of(dim)).title


def code_list_of(dim: str) -> str:
    """The code list of a breakdown, reported (``trade``) or derived (``region``)."""
    return DIMENSION_LISTS.get(dim) or DERIVED_DIMENSION_LISTS[dim]


@lru_cache(maxsize=1)
def get_catalogue() -> Catalogue:
    """The catalogue of the latest published report schema, read once."""
    return load_catalogue(get_registry())
