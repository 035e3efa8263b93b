"""What enDI's free labels mean for the hub: career stages, exit reasons, trades, sexes,
départements.

enDI lets each CAE name its career stages, exit types and activity typologies. Labels are
recognised from the CAE's configuration first, then from common wordings; a label recognised
by neither is a configuration matter (the user adds it to the configuration), never a guess.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Mapping
from functools import lru_cache
from typing import Literal

from connectors.sdk.tabular import normalize_label

StageKind = Literal["cape", "cesa", "exit", "ignore"]
STAGE_KINDS: tuple[StageKind, ...] = ("cape", "cesa", "exit", "ignore")
EXIT_REASONS = ("company_creation", "employment", "training", "other")

# Wordings in the order they are tried: an amendment to a CESA is not a new CESA.
_STAGE_WORDS: tuple[tuple[StageKind, tuple[str, ...]], ...] = (
    ("exit", ("sortie", "fin de parcours", "depart de la cae")),
    ("ignore", ("avenant", "amendment")),
    ("cesa", ("cesa", "entrepreneur salarie", "entrepreneure salariee")),
    ("cape", ("cape", "appui au projet")),
    (
        "ignore",
        (
            "diagnostic",
            "information",
            "accueil",
            "entretien",
            "candidature",
            "reunion",
            "positionnement",
        ),
    ),
)
_EXIT_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("training", ("formation",)),
    (
        "company_creation",
        (
            "creation",
            "creer",
            "cree",
            "immatriculation",
            "independant",
            "independante",
            "micro entreprise",
            "a son compte",
        ),
    ),
    ("employment", ("emploi", "embauche", "cdi", "cdd", "interim", "salarie", "salariee")),
    (
        "other",
        (
            "autre",
            "abandon",
            "demission",
            "retraite",
            "deces",
            "demenagement",
            "sante",
            "maladie",
            "fin de contrat",
            "rupture",
            "licenciement",
            "non renouvellement",
            "chomage",
            "sans suite",
            "inconnu",
            "non precise",
        ),
    ),
)
_FEMALE = frozenset({"f", "femme", "feminin", "madame", "mme", "mlle", "mademoiselle"})
_MALE = frozenset({"m", "h", "homme", "masculin", "monsieur", "mr"})


def words(text: str) -> str:
    """Lowercase ASCII words separated by single spaces, padded, for whole-word search."""
    text = text.replace("œ", "oe").replace("Œ", "oe")
    plain = "".join(
        ch for ch in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(ch)
    )
    return " " + " ".join(re.findall(r"[a-z0-9]+", plain)) + " "


def _has(text: str, wordings: tuple[str, ...]) -> bool:
    return any(f" {wording} " in text for wording in wordings)


def stage_kind(
    stage: str | None,
    nature: str | None,
    contract: str | None,
    overrides: Mapping[str, StageKind],
) -> StageKind | None:
    """What a career stage means, or None when it cannot be told.

    ``stage`` is the stage's name (« Contrat CAPE »), ``nature`` enDI's stage type (entry,
    contract, amendment, exit) and ``contract`` the contract type, any of them possibly empty.
    """
    if stage and normalize_label(stage) in overrides:
        return overrides[normalize_label(stage)]
    if nature:
        kind = words(nature)
        if _has(kind, ("exit", "sortie")):
            return "exit"
        if _has(kind, ("amendment", "avenant")):
            return "ignore"
    for text in (stage, contract):
        if not text:
            continue
        plain = words(text)
        for result, wordings in _STAGE_WORDS:
            if _has(plain, wordings):
                return result
    return None


def exit_reason(labels: tuple[str | None, ...], overrides: Mapping[str, str]) -> str | None:
    """The code-exit-reason code of an exit described by ``labels`` (its reason, then its
    type); ``other`` when none is given; None when the labels are not recognised."""
    given = [label for label in labels if label]
    if not given:
        return "other"
    for label in given:
        if normalize_label(label) in overrides:
            return overrides[normalize_label(label)]
    for label in given:
        plain = words(label)
        for reason, wordings in _EXIT_WORDS:
            if _has(plain, wordings):
                return reason
    return None


def sex(stated: str | None, civility: str | None) -> str | None:
    """``F`` or ``M`` from the sex column, else from the civility; ``X`` (« non précisé »)
    when something is written that says neither; None when both are empty."""
    for value in (stated, civility):
        key = normalize_label(value or "")
        if key in _FEMALE:
            return "F"
        if key in _MALE:
            return "M"
    return "X" if stated or civility else None


def departement(zipcode: str | None, known: Collection[str]) -> str | None:
    """The département of a French postcode: Corsica (20xxx) splits into 2A (below 20200)
    and 2B, overseas départements take three digits (971 to 976); None when unknown."""
    if not zipcode:
        return None
    code = re.sub(r"\s", "", zipcode).upper()
    if code.isdigit() and len(code) == 4:
        code = "0" + code  # a postcode typed as a number lost its leading zero
    if code[:2] in ("2A", "2B"):
        found = code[:2]
    elif not (code.isdigit() and len(code) == 5):
        return None
    elif code.startswith("20"):
        found = "2A" if int(code) < 20200 else "2B"
    elif code.startswith(("97", "98")):
        found = code[:3]
    else:
        found = code[:2]
    return found if found in known else None


@lru_cache(maxsize=4)
def _compact_codes(codes: frozenset[str]) -> dict[str, str]:
    return {normalize_label(code): code for code in codes}


class TradeMap:
    """Activity labels of the CAE → NAF codes of code-trade (or None: not a building trade)."""

    def __init__(self, mapping: Mapping[str, str | None], codes: Collection[str]) -> None:
        self.codes = frozenset(codes)
        self.mapping = {normalize_label(label): code for label, code in mapping.items()}

    def resolve(self, label: str | None) -> tuple[bool, str | None]:
        """``(known, code)``: whether the label is understood, and its code. Empty labels are
        known and have no code; a NAF code written as a label stands for itself."""
        if not label:
            return True, None
        key = normalize_label(label)
        if key in self.mapping:
            return True, self.mapping[key]
        code = _compact_codes(self.codes).get(key)
        return (True, code) if code is not None else (False, None)
