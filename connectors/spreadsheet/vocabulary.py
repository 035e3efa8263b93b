"""What a file's wordings mean in the hub's code lists.

A value is recognised, in this order, by the configuration's ``values`` table, as a code
of the list (``43.21A``, ``F``, ``cesa``), or as the list's French title (``Femme``,
``Travaux d'installation électrique dans tous locaux``, ``Gironde``); matching ignores case,
accents, spaces and punctuation. A few common wordings are known besides (``Homme``,
``Madame``…), and a département may be written as a postcode. A value recognised by none
of these is a configuration matter: ``Unknowns`` collects them all and one ConfigError asks
for the missing correspondences.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from connectors.sdk.errors import ConfigError
from connectors.sdk.tabular import normalize_label
from hub.indicators.dimensions import DIMENSION_LISTS, DIMENSION_NOUNS

FIELD_LABELS = {"indicator": "indicateur", **DIMENSION_NOUNS}
_SYNONYMS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "sex": {
        "F": ("femme", "féminin", "madame", "mme", "mademoiselle", "mlle"),
        "M": ("h", "homme", "masculin", "monsieur", "mr"),
        "X": ("non renseigné", "non précisé"),
    },
    "contract": {
        "cape": ("contrat d'appui au projet d'entreprise",),
        "cesa": ("contrat d'entrepreneur salarié associé", "entrepreneur salarié"),
    },
    "exit_reason": {
        "company_creation": ("création", "création d'entreprise"),
        "employment": ("emploi", "emploi salarié"),
        "training": ("formation",),
        "other": ("autre", "autre motif"),
    },
}
_POSTCODE = re.compile(r"^[0-9]{5}$")


@lru_cache(maxsize=1)
def _indexes() -> dict[str, dict[str, str]]:
    """For each field, normalized wording → code, from the hub's code lists."""
    from hub.indicators.catalogue import load_catalogue
    from hub.schemas.service import get_registry

    registry = get_registry()
    indexes: dict[str, dict[str, str]] = {}
    for field, list_name in DIMENSION_LISTS.items():
        index: dict[str, str] = {}
        for code, title in registry.code_list(list_name).items():
            index[normalize_label(title)] = code
        for code, words in _SYNONYMS.get(field, {}).items():
            index.update({normalize_label(word): code for word in words})
        if field != "age_band":  # « <26 » and « 26-35 » would both read as digits
            for code in registry.code_list(list_name):
                index[normalize_label(code)] = code  # a code wins over a look-alike title
        indexes[field] = index
    catalogue = load_catalogue(registry)
    indexes["indicator"] = {
        normalize_label(text): indicator.code
        for indicator in catalogue.reported()
        for text in (indicator.label, indicator.code)
    }
    return indexes


@lru_cache(maxsize=16)
def codes(field: str) -> frozenset[str]:
    """The codes a field may take."""
    return frozenset(_indexes()[field].values())


class Vocabulary:
    """Reads coded fields with the configuration's ``values`` table first."""

    def __init__(self, values: Mapping[str, Mapping[str, str | None]]) -> None:
        self.overrides: dict[str, dict[str, str | None]] = {}
        for field, table in values.items():
            allowed = codes(field)
            for wording, code in table.items():
                if code is not None and code not in allowed:
                    raise ConfigError(
                        f"values.{field} : « {wording} » correspond à « {code} », qui n'est pas "
                        f"un code de {FIELD_LABELS[field]} connu du hub"
                    )
            self.overrides[field] = {normalize_label(w): c for w, c in table.items()}

    def code(self, field: str, text: str) -> str | None:
        """The code ``text`` stands for (None: unknown on purpose); KeyError if unrecognised."""
        key = normalize_label(text)
        overrides = self.overrides.get(field, {})
        if key in overrides:
            return overrides[key]
        if text in codes(field):
            return text
        if field == "departement":
            return _departement(text)
        return _indexes()[field][key]


def _departement(text: str) -> str:
    index = _indexes()["departement"]
    compact = text.strip()
    if compact.isdigit() and len(compact) == 1:
        compact = "0" + compact
    if _POSTCODE.match(compact):
        if compact.startswith("20"):
            compact = "2A" if int(compact) < 20200 else "2B"
        else:
            compact = compact[:3] if compact.startswith("97") else compact[:2]
    if compact in codes("departement"):
        return compact
    return index[normalize_label(compact)]


class Unknowns:
    """Unrecognised values met while reading one file, reported all at once."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.found: dict[tuple[str, str], dict[str, list[int]]] = {}

    def add(self, field: str, header: str, value: str, line: int) -> None:
        self.found.setdefault((field, header), {}).setdefault(value[:40], []).append(line)

    def raise_if_any(self) -> None:
        if not self.found:
            return
        parts = []
        for (field, header), values in self.found.items():
            shown = ", ".join(
                f"« {value} » ({_lines(lines)})" for value, lines in list(values.items())[:5]
            )
            more = f" et {len(values) - 5} autre(s)" if len(values) > 5 else ""
            parts.append(
                f"colonne « {header} » : {shown}{more} ; ajoutez la correspondance dans "
                f"values.{field} de la configuration"
            )
        raise ConfigError(f"valeur(s) non reconnue(s) dans « {self.label} », " + " ; ".join(parts))


def _lines(lines: list[int]) -> str:
    head = ", ".join(str(n) for n in lines[:3])
    return ("ligne " if len(lines) == 1 else "lignes ") + head + (" …" if len(lines) > 3 else "")
