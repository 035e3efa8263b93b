"""The spreadsheet connector's configuration: its JSON Schema and the columns it reads.

Each field has default French headers; ``columns`` in the configuration names the header
the file really uses (then that column must exist). Only the fields below are read: every
other column of the file (names, addresses, NIR…) is left where it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cae_contract.dimensions import DIMENSION_NOUNS
from connectors.sdk.tabular import Column

PERIOD_PATTERN = "^[0-9]{4}(-S[12])?$"

# One row per entrepreneur. The first header of each field is the one the guide shows first;
# every header is matched ignoring case, accents, spaces and punctuation (README.md lists them).
REGISTER_FIELDS: Mapping[str, tuple[str, ...]] = {
    "id": ("Identifiant", "Matricule", "Numéro", "ID", "Identifier"),
    "entry_date": (
        "Date d'entrée", "Date entrée", "Date d'entrée dans la CAE", "Date d'arrivée",
        "Date de début", "Entry date", "Start date", "Date joined",
    ),
    "cesa_date": (
        "Date CESA", "Date de début CESA", "Début CESA", "Date du CESA",
        "Date de passage en CESA", "CESA depuis", "CESA date", "CESA start date",
    ),
    "contract": ("Contrat", "Type de contrat", "Contrat actuel", "Contract", "Contract type"),
    "exit_date": (
        "Date de sortie", "Date sortie", "Date de départ", "Date de fin", "Exit date",
        "End date", "Leaving date",
    ),
    "exit_reason": (
        "Motif de sortie", "Motif sortie", "Motif de départ", "Raison de sortie",
        "Exit reason", "Reason for leaving",
    ),
    "associate_date": (
        "Date de sociétariat", "Date sociétariat", "Sociétaire depuis", "Associé depuis",
        "Associée depuis", "Associé(e) depuis", "Date d'entrée au sociétariat",
        "Date d'adhésion", "Date de souscription", "Associate since", "Member since",
        "Membership date",
    ),
    "trade": (
        "Métier", "Code métier", "Activité", "Corps de métier", "Code NAF", "Code APE",
        "Trade", "Activity",
    ),
    "sex": ("Sexe", "Genre", "Sex", "Gender"),
    "birth_date": (
        "Date de naissance", "Né(e) le", "Née le", "Né le", "Birth date", "Date of birth",
    ),
    "departement": ("Département", "Code département", "Dépt", "Department"),
    "commune": (
        "Commune", "Ville", "Localité", "Code commune", "Code INSEE", "Code INSEE commune",
        "City", "Town", "Municipality",
    ),
    "postcode": ("Code postal", "CP", "Postcode", "Postal code", "Zip code"),
}  # fmt: skip
REGISTER_REQUIRED = frozenset({"entry_date"})
# Optional register columns whose absence changes what is sent, and how (French, for the
# warning that names the column).
REGISTER_EFFECTS: Mapping[str, str] = {
    "sex": "tout le monde est compté en sexe « non précisé » (X)",
    "associate_date": "aucun associé n'est compté",
    "trade": "aucune ventilation par métier n'est envoyée",
    "departement": "aucune ventilation par département n'est envoyée",
    "birth_date": "aucune ventilation par tranche d'âge n'est envoyée",
    "exit_date": "aucune sortie n'est comptée",
    "exit_reason": "les sorties sont comptées en motif « autre »",
    "cesa_date": "tout le monde est compté en CAPE",
}
# Per-person amounts of the register (« CA HT 2025 »): indicator, French name, and the
# agreement of « envoyé » and « il » with that name.
PERSON_AMOUNTS: Mapping[str, tuple[str, str, str, str]] = {
    "revenue": ("revenue_eur", "chiffre d'affaires", "envoyé", "il"),
    "payroll": ("gross_payroll_eur", "masse salariale brute", "envoyée", "elle"),
}

# One row per invoice or payslip (revenue, payroll).
AMOUNT_FIELDS: Mapping[str, tuple[str, ...]] = {
    "date": ("Date", "Mois", "Date de facture", "Date facture", "Month", "Invoice date"),
    "amount": ("Montant HT", "Montant", "Montant hors taxes", "Total HT", "Amount"),
    "trade": REGISTER_FIELDS["trade"],
    "departement": REGISTER_FIELDS["departement"],
    "entrepreneur": REGISTER_FIELDS["id"],
}
AMOUNT_REQUIRED = frozenset({"date", "amount"})

# Already aggregated: one row per cell.
CELL_DIMENSIONS = ("contract", "trade", "sex", "age_band", "departement", "exit_reason")
CELL_FIELDS: Mapping[str, tuple[str, ...]] = {
    "indicator": ("Indicateur", "Indicator"),
    "value": ("Valeur", "Value"),
    "period": ("Période", "Semestre", "Period"),
    "contract": REGISTER_FIELDS["contract"],
    "trade": REGISTER_FIELDS["trade"],
    "sex": REGISTER_FIELDS["sex"],
    "age_band": ("Tranche d'âge", "Age band"),
    "departement": REGISTER_FIELDS["departement"],
    "exit_reason": REGISTER_FIELDS["exit_reason"],
}
CELL_REQUIRED = frozenset({"indicator", "value"})

# A training catalogue: one row per session (layout « catalogue »).
CATALOGUE_FIELDS: Mapping[str, tuple[str, ...]] = {
    "formation": (
        "N° de formation", "Numéro de formation", "Référence formation", "Code formation",
    ),
    "action": ("N° d'action", "Numéro d'action", "Référence action"),
    "session": ("N° de session", "Numéro de session", "Référence session", "Code session"),
    "intitule": ("Intitulé", "Intitulé de la formation", "Titre", "Formation"),
    "objectif": ("Objectif", "Objectifs", "Objectif de la formation"),
    "resultats_attendus": ("Résultats attendus", "Compétences visées"),
    "contenu": ("Contenu", "Programme", "Contenu de la formation"),
    "formacodes": ("Formacode", "Code Formacode", "Formacodes"),
    "nsf": ("NSF", "Code NSF"),
    "metiers": ("Métiers", "Métiers visés", "Codes NAF"),
    "niveau_entree": ("Niveau d'entrée", "Code niveau d'entrée"),
    "public_vise": ("Public visé", "Code public visé"),
    "modalite": ("Modalité", "Modalité d'enseignement", "Mode"),
    "duree_heures": ("Durée (heures)", "Durée en heures", "Nombre d'heures", "Durée"),
    "prix": ("Prix TTC", "Prix", "Prix total TTC", "Coût"),
    "adresse": ("Adresse", "Lieu", "Adresse du lieu"),
    "code_postal": ("Code postal", "CP"),
    "ville": ("Ville", "Commune"),
    "debut": ("Date de début", "Début", "Du"),
    "fin": ("Date de fin", "Fin", "Au"),
    "places_offertes": ("Places offertes", "Places pour le réseau", "Places offertes au réseau"),
    "prix_membre": ("Prix CAE membre", "Prix membre", "Prix pour une CAE membre"),
    "date_limite": ("Date limite d'inscription", "Date limite", "Inscription avant le"),
    "courriel": ("Courriel", "E-mail", "Courriel du contact"),
    "telephone": ("Téléphone", "Téléphone du contact"),
    "formateur": ("Organisme formateur", "Formateur"),
    "formateur_siret": ("SIRET du formateur", "SIRET formateur"),
    "numero_activite": ("NDA", "N° de déclaration d'activité", "Numéro de déclaration d'activité"),
    "qualiopi": ("Certificat Qualiopi", "Qualiopi"),
    "qualiopi_expiration": ("Fin de validité Qualiopi", "Qualiopi valable jusqu'au"),
}  # fmt: skip
CATALOGUE_REQUIRED = frozenset(
    {"formation", "session", "intitule", "objectif", "modalite", "adresse", "code_postal", "ville"}
)

# Fields whose values are codes of a hub list; ``values`` maps a file's wordings onto them.
CODED_FIELDS = (
    "indicator", "contract", "trade", "sex", "age_band", "departement", "exit_reason", "commune",
    "postcode",
)  # fmt: skip


VALUE_TITLES = {
    "indicator": "indicateur",
    **DIMENSION_NOUNS,
    "commune": "commune vers code de département",
    "postcode": "code postal vers code de département",
}


def columns_for(
    fields: Mapping[str, tuple[str, ...]],
    required: frozenset[str],
    mapping: Mapping[str, str],
) -> list[Column]:
    """The columns to read: a mapped field is looked for under its mapped header only, and
    must be there; the others under their default headers."""
    columns = []
    for name, labels in fields.items():
        if name in mapping:
            columns.append(Column(name, (mapping[name],), required=True))
        else:
            columns.append(Column(name, labels, required=name in required))
    return columns


def _columns_schema(fields: Mapping[str, Sequence[str]], what: str) -> dict[str, Any]:
    return {
        "description": (
            f"En-tête de colonne du fichier pour chaque champ ({what}) lorsqu'il diffère "
            "des en-têtes reconnus d'office ; une colonne ainsi nommée doit exister."
        ),
        "type": "object",
        "additionalProperties": False,
        "properties": {
            name: {"type": "string", "minLength": 1, "title": labels[0]}
            for name, labels in fields.items()
        },
    }


def _per_period(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "type": "object",
        "propertyNames": {"pattern": PERIOD_PATTERN},
        "additionalProperties": {"type": "number", "minimum": 0},
    }


_AMOUNT_SOURCE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["file"],
    "properties": {
        "file": {"type": "string", "minLength": 1, "description": "Fichier CSV ou XLSX."},
        "sheet": {"type": "string", "minLength": 1, "description": "Feuille du classeur."},
        "columns": _columns_schema(AMOUNT_FIELDS, "date, amount, trade, departement"),
    },
}

CONFIG_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Connecteur tableur (CSV ou XLSX)",
    "description": (
        "Lit un fichier CSV ou XLSX : soit une ligne par entrepreneur (layout « microdata », "
        "agrégée sur place), soit des cellules déjà agrégées (layout « cells » : indicateur, "
        "dimensions, valeur), soit un catalogue de formations, une ligne par session (layout "
        "« catalogue »)."
    ),
    "type": "object",
    "additionalProperties": False,
    "required": ["file"],
    "properties": {
        "file": {
            "type": "string",
            "minLength": 1,
            "description": "Fichier CSV ou XLSX (chemin relatif au dossier de la configuration).",
        },
        "sheet": {"type": "string", "minLength": 1, "description": "Feuille du classeur XLSX."},
        "layout": {
            "description": (
                "microdata : une ligne par entrepreneur ; cells : cellules agrégées ; "
                "catalogue : une ligne par session de formation."
            ),
            "enum": ["microdata", "cells", "catalogue"],
            "default": "microdata",
        },
        "columns": _columns_schema(
            {**REGISTER_FIELDS, **CELL_FIELDS, **CATALOGUE_FIELDS},
            "entry_date, sex, trade, indicator, session…",
        ),
        "organisme": {
            "description": (
                "Organisme responsable des formations du catalogue (la CAE ou son organisme "
                "de formation), et formateur des sessions qui n'en nomment pas d'autre "
                "(layout « catalogue », obligatoire)."
            ),
            "type": "object",
            "additionalProperties": False,
            "required": ["siret", "numero_activite", "nom", "raison_sociale"],
            "properties": {
                "siret": {"type": "string", "pattern": "^[0-9]{14}$", "title": "SIRET"},
                "numero_activite": {
                    "type": "string",
                    "pattern": "^[0-9]{11}$",
                    "title": "Numéro de déclaration d'activité (NDA)",
                },
                "nom": {"type": "string", "minLength": 1, "title": "Nom d'usage"},
                "raison_sociale": {"type": "string", "minLength": 1, "title": "Raison sociale"},
            },
        },
        "public_vise": {
            "description": (
                "Codes du public visé (code-public-vise de LHÉO) des sessions dont la colonne "
                "« Public visé » est vide ou absente (layout « catalogue »)."
            ),
            "type": "array",
            "minItems": 1,
            "items": {"type": "string", "pattern": "^[0-9]{5}$"},
        },
        "values": {
            "description": (
                "Correspondances de valeurs par champ, par exemple "
                '{"sex": {"Femme": "F"}, "trade": {"Électricité": "43.21A"}} ; '
                'null (ou "" en TOML) pour une valeur qui veut dire « inconnu ».'
            ),
            "type": "object",
            "additionalProperties": False,
            "properties": {
                name: {
                    "type": "object",
                    "title": VALUE_TITLES[name],
                    "additionalProperties": {"type": ["string", "null"]},
                }
                for name in CODED_FIELDS
            },
        },
        "amount_columns": {
            "description": (
                "Colonnes de montants par entrepreneur dont l'en-tête ne dit pas la période, "
                'par exemple {"revenue": {"2025": "CA HT"}} (layout « microdata »).'
            ),
            "type": "object",
            "additionalProperties": False,
            "properties": {
                name: {
                    "type": "object",
                    "title": title,
                    "propertyNames": {"pattern": PERIOD_PATTERN},
                    "additionalProperties": {"type": "string", "minLength": 1},
                }
                for name, (_, title, _, _) in PERSON_AMOUNTS.items()
            },
        },
        "period": {
            "description": "Période des cellules (layout cells sans colonne « Période »).",
            "type": "string",
            "pattern": PERIOD_PATTERN,
        },
        "revenue": {**_AMOUNT_SOURCE, "description": "Factures et avoirs (montants HT)."},
        "payroll": {**_AMOUNT_SOURCE, "description": "Salaires bruts des entrepreneurs."},
        "support_staff_fte": _per_period("ETP de l'équipe d'appui par période."),
        "training_hours": _per_period("Heures de formation par période."),
    },
}
