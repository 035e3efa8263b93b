"""The département of a commune or a postcode, from the Insee's official geographic code.

``data/communes.csv.gz`` is the Code officiel géographique (COG) 2026 of the Insee with La
Poste's postcodes (see data/README.md for its source and licence). A commune may be written
by its name (« Bordeaux », « Saint-Émilion »), its Insee code (« 33063 », « 2A004 »), its
name with a postcode or a département (« 33000 Bordeaux », « Saint-Denis (974) »), and a
postcode alone (« 33000 »). ``departement_of`` answers with the département's code, or says
why it cannot: the value names no commune, or names communes of several départements.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files

from connectors.sdk.values import normalize_label

__all__ = ["COMMUNES_VINTAGE", "Ambiguous", "departement_of", "postcode_departement"]

COMMUNES_VINTAGE = 2026
"""The year of the Code officiel géographique shipped in ``data/communes.csv.gz``."""

_POSTCODE = re.compile(r"\b(\d{5})\b")
_DEPARTEMENT = re.compile(r"\(\s*(\d{2,3}|2[AB])\s*\)\s*$", re.IGNORECASE)
_INSEE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$", re.IGNORECASE)


class Ambiguous(Exception):
    """A commune name (or a postcode) found in several départements."""

    def __init__(self, departements: tuple[str, ...]) -> None:
        super().__init__(", ".join(departements))
        self.departements = departements


@dataclass(frozen=True)
class _Index:
    by_code: dict[str, str]
    by_old_code: dict[str, str]
    by_postcode: dict[str, frozenset[str]]
    by_name: dict[str, frozenset[str]]
    by_postcode_name: dict[tuple[str, str], str]


@lru_cache(maxsize=1)
def _index() -> _Index:
    raw = files("connectors.sdk").joinpath("data/communes.csv.gz").read_bytes()
    reader = csv.DictReader(io.StringIO(gzip.decompress(raw).decode("utf-8")), delimiter=";")
    by_code: dict[str, str] = {}
    by_old_code: dict[str, str] = {}
    by_postcode: dict[str, set[str]] = defaultdict(set)
    by_name: dict[str, set[str]] = defaultdict(set)
    by_postcode_name: dict[tuple[str, str], str] = {}
    for row in reader:
        departement = row["departement"]
        name = normalize_label(row["nom"])
        by_code.setdefault(row["code"], departement)
        for old in row["anciens_codes"].split():
            by_old_code.setdefault(old, departement)
        by_name[name].add(departement)
        for postcode in row["codes_postaux"].split():
            by_postcode[postcode].add(departement)
            by_postcode_name[(postcode, name)] = departement
    return _Index(
        by_code,
        by_old_code,
        {k: frozenset(v) for k, v in by_postcode.items()},
        {k: frozenset(v) for k, v in by_name.items()},
        by_postcode_name,
    )


def _one(found: frozenset[str] | None) -> str | None:
    if not found:
        return None
    if len(found) > 1:
        raise Ambiguous(tuple(sorted(found)))
    return next(iter(found))


def postcode_departement(postcode: str) -> str | None:
    """The département of a postcode in use (« 05110 » is in the Alpes-de-Haute-Provence,
    04); None for a postcode that no commune has (a CEDEX code, a typo); Ambiguous when its
    communes lie in several départements."""
    return _one(_index().by_postcode.get(postcode.strip()))


def departement_of(text: str) -> str | None:
    """The département of the commune ``text`` names (see the module docstring); None when
    it names none; Ambiguous when it names communes of several départements."""
    index = _index()
    value = text.strip()
    if _INSEE.match(value):
        # An Insee code in use, else a postcode, else the code of a merged commune: the
        # codes of the former Seine (75011…) are postcodes of Paris today.
        code = value.upper()
        if code in index.by_code:
            return index.by_code[code]
        return postcode_departement(code) or index.by_old_code.get(code)
    written = _DEPARTEMENT.search(value)
    if written is not None:
        departement = written.group(1).upper()
        name = normalize_label(value[: written.start()])
        if departement in index.by_name.get(name, frozenset()):
            return departement
        return None
    postcode = _POSTCODE.search(value)
    if postcode is not None:
        name = normalize_label(value[: postcode.start()] + value[postcode.end() :])
        if not name:
            return postcode_departement(postcode.group(1))
        return index.by_postcode_name.get((postcode.group(1), _without_cedex(name)))
    return _one(index.by_name.get(_without_cedex(normalize_label(value))))


def _without_cedex(name: str) -> str:
    return re.sub(r"cedex\d*$", "", name)
