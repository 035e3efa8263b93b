"""What a file's wordings mean in the hub's code lists.

A value is recognised, in this order, by the configuration's ``values`` table, as a code
of the list (``43.21A``, ``F``, ``cesa``), or as the list's French title (``Femme``,
``Travaux d'installation électrique dans tous locaux``, ``Gironde``); matching ignores case,
accents, spaces and punctuation. A few common wordings are known besides (``Homme``,
``Madame``…), trade labels come from a built-in vocabulary (``trades.csv``: « Plomberie »,
« Électricité », « Couverture »… and their English names), a département may be written as
a postcode, and a commune (name, Insee code or postcode) gives its département through the
Insee's official geographic code (``connectors.sdk.geography``). A value recognised by none
of these is a configuration matter: ``Unknowns`` collects them all and one ConfigError asks
for the missing correspondences.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from functools import lru_cache
from importlib.resources import files

from cae_contract.catalogue import load_catalogue
from cae_contract.dimensions import DIMENSION_LISTS, DIMENSION_NOUNS
from cae_contract.registry import get_registry
from connectors.sdk.errors import ConfigError
from connectors.sdk.geography import Ambiguous, departement_of, postcode_departement
from connectors.sdk.tabular import normalize_label

FIELD_LABELS = {
    "indicator": "indicateur",
    **DIMENSION_NOUNS,
    "commune": "commune",
    "postcode": "code postal",
}
# Fields read as a département (values.commune maps a wording to a département code).
_AS_DEPARTEMENT = frozenset({"commune", "postcode"})
_SYNONYMS: Mapping[str, Mapping[str, tuple[str, ...]]] = {
    "sex": {
        "F": ("femme", "féminin", "madame", "mme", "mademoiselle", "mlle", "female", "woman"),
        "M": ("h", "homme", "masculin", "monsieur", "mr", "male", "man"),
        "X": ("non renseigné", "non précisé", "autre", "non binaire", "other"),
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
def trade_labels() -> dict[str, str]:
    """The built-in trade vocabulary: label → NAF code (``trades.csv``)."""
    text = files("connectors.spreadsheet").joinpath("trades.csv").read_text(encoding="utf-8")
    return {
        row["libellé"]: row["code_naf"] for row in csv.DictReader(io.StringIO(text), delimiter=";")
    }


@lru_cache(maxsize=1)
def _indexes() -> dict[str, dict[str, str]]:
    """For each field, normalized wording → code, from the hub's code lists."""

    registry = get_registry()
    indexes: dict[str, dict[str, str]] = {}
    for field, list_name in DIMENSION_LISTS.items():
        index: dict[str, str] = {}
        for code, title in registry.code_list(list_name).items():
            index[normalize_label(title)] = code
        for code, words in _SYNONYMS.get(field, {}).items():
            index.update({normalize_label(word): code for word in words})
        if field == "trade":
            index.update({normalize_label(label): code for label, code in trade_labels().items()})
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
    """The codes a field may take (a commune or a postcode stands for a département)."""
    return frozenset(_indexes()["departement" if field in _AS_DEPARTEMENT else field].values())


class Vocabulary:
    """Reads coded fields with the configuration's ``values`` table first."""

    def __init__(self, values: Mapping[str, Mapping[str, str | None]]) -> None:
        self.overrides: dict[str, dict[str, str | None]] = {}
        for field, table in values.items():
            allowed = codes(field)
            for wording, code in table.items():
                if code and code not in allowed:
                    raise ConfigError(
                        f"values.{field} : « {wording} » correspond à « {code} », qui n'est pas "
                        f"un code de {FIELD_LABELS[field]} connu du hub"
                    )
            # TOML has no null: an empty code says « unknown » as null does in JSON.
            self.overrides[field] = {normalize_label(w): c or None for w, c in table.items()}

    def code(self, field: str, text: str) -> str | None:
        """The code ``text`` stands for (None: unknown on purpose); KeyError if unrecognised."""
        key = normalize_label(text)
        overrides = self.overrides.get(field, {})
        if key in overrides:
            return overrides[key]
        if field == "commune":
            return _commune(text)
        if field == "postcode":
            return _postcode(text)
        if text in codes(field):
            return text
        if field == "departement":
            return _departement(text)
        return _indexes()[field][key]


class AmbiguousValue(KeyError):
    """A commune name that several départements have."""

    def __init__(self, departements: tuple[str, ...]) -> None:
        super().__init__(departements)
        self.departements = departements


def _commune(text: str) -> str:
    try:
        found = departement_of(text)
    except Ambiguous as ambiguous:
        raise AmbiguousValue(ambiguous.departements) from None
    if found is None or found not in codes("departement"):
        raise KeyError(text)
    return found


def _postcode(text: str) -> str:
    """A postcode in use gives its communes' département; another (a CEDEX code) or one
    shared by two départements is read by its first digits, as the département column does."""
    try:
        found = postcode_departement(text)
    except Ambiguous:
        found = None
    if found is not None and found in codes("departement"):
        return found
    return _departement(text)


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
    """Unrecognised values met while reading one file, reported all at once.

    ``recognised`` counts the values each field did recognise: a column none of whose values
    is recognised is probably not the column it was taken for, and the message says so, with
    the headers that are read for that field (``headers``)."""

    def __init__(self, label: str, headers: Mapping[str, tuple[str, ...]] | None = None) -> None:
        self.label = label
        self.headers = headers or {}
        self.found: dict[tuple[str, str], dict[str, list[int]]] = {}
        self.notes: dict[tuple[str, str], str] = {}
        self.recognised: dict[str, int] = {}

    def add(
        self, field: str, header: str, value: str, line: int, *, note: str | None = None
    ) -> None:
        self.found.setdefault((field, header), {}).setdefault(value[:40], []).append(line)
        if note is not None:
            self.notes[(field, value[:40])] = note

    def known(self, field: str) -> None:
        self.recognised[field] = self.recognised.get(field, 0) + 1

    def raise_if_any(self) -> None:
        if not self.found:
            return
        parts = []
        for (field, header), values in self.found.items():
            shown = ", ".join(
                f"« {value} » ({_lines(lines)}{self._note(field, value)})"
                for value, lines in list(values.items())[:5]
            )
            more = f" et {len(values) - 5} autre(s)" if len(values) > 5 else ""
            part = f"colonne « {header} » : {shown}{more} ; "
            if not self.recognised.get(field):
                part += (
                    f"aucune valeur de cette colonne n'est reconnue comme "
                    f"{FIELD_LABELS.get(field, field)} : si ce n'est pas la bonne colonne, "
                    f"indiquez la bonne dans columns.{field}"
                    + _recognised_headers(self.headers.get(field, ()))
                    + " ; sinon, "
                )
            part += f"ajoutez la correspondance dans values.{field} de la configuration"
            parts.append(part)
        raise ConfigError(f"valeur(s) non reconnue(s) dans « {self.label} », " + " ; ".join(parts))

    def _note(self, field: str, value: str) -> str:
        note = self.notes.get((field, value))
        return f", {note}" if note else ""


def _recognised_headers(headers: tuple[str, ...]) -> str:
    if not headers:
        return ""
    return " (en-têtes reconnus d'office : " + ", ".join(f"« {h} »" for h in headers) + ")"


def _lines(lines: list[int]) -> str:
    head = ", ".join(str(n) for n in lines[:3])
    return ("ligne " if len(lines) == 1 else "lignes ") + head + (" …" if len(lines) > 3 else "")
