"""A training catalogue kept in a sheet: one row per session (layout « catalogue »).

Rows of the same « N° de formation » make one formation, those of the same « N° d'action »
(by default: the formation's number, its modality and its venue's postcode) one action. The
first row of a formation or an action gives its fields. The organisation responsible for the
trainings (the CAE or its training body) comes from the configuration (``organisme``); a row
may name another trainer. A row that cannot be read is a skipped record naming its row and
column; a formation the catalogue's schema refuses is skipped whole, with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from cae_contract.registry import get_registry
from cae_contract.trainings import catalogue_problems, session_paths
from connectors.sdk.errors import SkippableRecordError
from connectors.sdk.tabular import Row, read_table
from connectors.sdk.values import normalize_label
from connectors.spreadsheet.config import CATALOGUE_FIELDS, CATALOGUE_REQUIRED, columns_for

Skip = tuple[str, SkippableRecordError]

UNKNOWN_START, UNKNOWN_END = "00000000", "99999999"
# Wordings of the teaching modality, compared as ``normalize_label`` writes them.
MODALITIES = {
    normalize_label(word): code
    for code, words in (
        (0, ("0", "présentiel", "en présentiel", "sur site")),
        (1, ("1", "mixte", "hybride", "blended")),
        (2, ("2", "à distance", "distanciel", "en ligne", "FOAD")),
    )
    for word in words
}
_LIST_SEPARATORS = re.compile(r"[;,/\s]+")


@dataclass
class CatalogueSheet:
    """The catalogue read from the sheet, and the rows left out."""

    document: dict[str, Any]
    skipped: list[Skip] = field(default_factory=list)


def read_catalogue(
    path: Path,
    *,
    sheet: str | None,
    label: str,
    mapping: Mapping[str, str],
    organisme: Mapping[str, str],
    public_vise: list[str] | None,
) -> CatalogueSheet:
    table = read_table(
        path,
        columns_for(CATALOGUE_FIELDS, CATALOGUE_REQUIRED, mapping),
        sheet=sheet,
        label=label,
    )
    skipped: list[Skip] = []
    formations: dict[str, dict[str, Any]] = {}
    rows_of: dict[str, list[Row]] = {}
    actions: dict[tuple[str, str], dict[str, Any]] = {}
    for row in table:
        try:
            formation_numero, action_numero, session, action, formation = _row(
                row, organisme, public_vise
            )
        except SkippableRecordError as error:
            skipped.append((row.source, error))
            continue
        if formation_numero not in formations:
            formations[formation_numero] = {**formation, "actions": []}
        key = (formation_numero, action_numero)
        if key not in actions:
            actions[key] = {**action, "sessions": []}
            formations[formation_numero]["actions"].append(actions[key])
        actions[key]["sessions"].append(session)
        rows_of.setdefault(formation_numero, []).append(row)
    kept = []
    registry = get_registry()
    for numero, formation in formations.items():
        errors = registry.validate("training-catalogue", "1.0.0", {"formations": [formation]})
        if errors:
            reasons = " ; ".join(
                f"{e.path.removeprefix('$.formations[0].')} : {e.message}" for e in errors[:3]
            )
            for row in rows_of[numero]:
                skipped.append(
                    (
                        row.source,
                        SkippableRecordError(
                            f"{row.source} : formation « {numero} » écartée ({reasons})",
                            source=row.source,
                        ),
                    )
                )
            continue
        kept.append(formation)
    document = {"formations": kept}
    return CatalogueSheet(_without_rule_breaks(document, skipped), skipped)


def _without_rule_breaks(document: dict[str, Any], skipped: list[Skip]) -> dict[str, Any]:
    """The catalogue without the sessions that break the rules beyond the schema (a session
    number used twice, a session ending before it starts), each reported."""
    problems = catalogue_problems(document)
    if not problems:
        return document
    doomed = {p.path.rsplit(".", 1)[0]: p.message for p in problems}
    for path, session in session_paths(document):
        if path in doomed:
            source = f"session « {session['numero']} »"
            skipped.append(
                (source, SkippableRecordError(f"{source} : {doomed[path]}", source=source))
            )
    formations = []
    for i, formation in enumerate(document["formations"]):
        actions = []
        for j, action in enumerate(formation["actions"]):
            sessions = [
                s
                for k, s in enumerate(action["sessions"])
                if f"$.formations[{i}].actions[{j}].sessions[{k}]" not in doomed
            ]
            if sessions:
                actions.append({**action, "sessions": sessions})
        if actions:
            formations.append({**formation, "actions": actions})
    return {"formations": formations}


def _row(
    row: Row, organisme: Mapping[str, str], public_vise: list[str] | None
) -> tuple[str, str, dict[str, Any], dict[str, Any], dict[str, Any]]:
    formation_numero = _required(row, "formation")
    session_numero = _required(row, "session")
    place = _address(row)
    modality = MODALITIES.get(normalize_label(_required(row, "modalite")))
    if modality is None:
        raise row.error("modalite", "modalité attendue : présentiel, mixte ou à distance")
    action_numero = row.as_text("action") or (
        f"{formation_numero}-{modality}-{place['code_postal']}"
    )
    session: dict[str, Any] = {
        "numero": session_numero,
        "debut": _lheo_day(row, "debut", UNKNOWN_START),
        "fin": _lheo_day(row, "fin", UNKNOWN_END),
        "adresse_inscription": place,
    }
    seats = _whole(row, "places_offertes")
    if seats:
        pooling: dict[str, Any] = {"places_offertes": seats}
        member_price = _amount(row, "prix_membre")
        if member_price is not None:
            pooling["prix_membre"] = member_price
        deadline = _lheo_day(row, "date_limite", "")
        if deadline:
            pooling["date_limite_inscription"] = deadline
        session["mutualisation"] = pooling
    publics = _codes(row, "public_vise") or list(public_vise or [])
    if not publics:
        raise row.error(
            "public_vise",
            "public visé absent : ajoutez la colonne ou la clé public_vise de la configuration",
        )
    action: dict[str, Any] = {
        "numero": action_numero,
        "public_vise": publics,
        "modalites_enseignement": modality,
        "lieux": [place],
    }
    hours = _whole(row, "duree_heures")
    if hours is not None:
        action["duree_heures"] = hours
    price = _amount(row, "prix")
    if price is not None:
        action["prix_total_ttc"] = price
    trainer_siret = row.as_text("formateur_siret") or organisme["siret"]
    trainer: dict[str, Any] = {
        "siret": trainer_siret,
        "raison_sociale": row.as_text("formateur") or organisme["raison_sociale"],
    }
    nda = row.as_text("numero_activite") or (
        organisme["numero_activite"] if trainer_siret == organisme["siret"] else None
    )
    if nda:
        trainer["numero_activite"] = nda
    qualiopi = row.as_text("qualiopi")
    if qualiopi:
        trainer["qualiopi"] = {
            "reference": qualiopi,
            "expiration": _lheo_day(row, "qualiopi_expiration", UNKNOWN_END),
        }
    action["organisme_formateur"] = trainer
    contact: dict[str, Any] = {}
    for key in ("courriel", "telephone"):
        value = row.as_text(key)
        if value:
            contact[key] = value.replace(" ", "") if key == "telephone" else value
    formation: dict[str, Any] = {
        "numero": formation_numero,
        "intitule": _required(row, "intitule"),
        "objectif": _required(row, "objectif"),
        "resultats_attendus": row.as_text("resultats_attendus") or _required(row, "objectif"),
        "contenu": row.as_text("contenu") or _required(row, "intitule"),
        "certifiante": False,
        "niveau_entree": _whole(row, "niveau_entree") or 0,
        "contact": contact,
        "organisme_responsable": dict(organisme),
    }
    for key in ("formacodes", "nsf", "metiers"):
        codes = _codes(row, key)
        if codes:
            formation[key] = codes
    return formation_numero, action_numero, session, action, formation


def _required(row: Row, name: str) -> str:
    text = row.as_text(name)
    if not text:
        raise row.error(name, "cellule vide")
    return text


def _codes(row: Row, name: str) -> list[str]:
    text = row.as_text(name)
    if not text:
        return []
    return list(dict.fromkeys(c for c in _LIST_SEPARATORS.split(text) if c))


def _whole(row: Row, name: str) -> int | None:
    value = row.as_decimal(name)
    if value is None:
        return None
    if value != value.to_integral_value() or value < 0:
        raise row.error(name, "nombre entier positif attendu")
    return int(value)


def _amount(row: Row, name: str) -> float | None:
    value = row.as_decimal(name)
    if value is None:
        return None
    if value < 0:
        raise row.error(name, "montant négatif")
    return float(value.quantize(Decimal("0.01")))


def _lheo_day(row: Row, name: str, unknown: str) -> str:
    day: date | None = row.as_date(name)
    return day.strftime("%Y%m%d") if day is not None else unknown


def _address(row: Row) -> dict[str, Any]:
    postcode = _required(row, "code_postal").replace(" ", "")
    if not re.fullmatch(r"[0-9]{5}", postcode):
        raise row.error("code_postal", "code postal à cinq chiffres attendu")
    place: dict[str, Any] = {
        "lignes": [_required(row, "adresse")],
        "code_postal": postcode,
        "ville": _required(row, "ville"),
    }
    departement = _departement(postcode)
    if departement is not None:
        place["departement"] = departement
    return place


def _departement(postcode: str) -> str | None:
    """The département of a postcode, where the postcode says it (not Corsica's « 20 »)."""
    if postcode.startswith("97"):
        return postcode[:3]
    if postcode.startswith("20"):
        return None
    return postcode[:2]
