"""The spreadsheet connector's configuration: its JSON Schema and the columns it reads.

Each field has default French headers; ``columns`` in the configuration names the header
the file really uses (then that column must exist). Only the fields below are read: every
other column of the file (names, addresses, NIR…) is left where it is.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from connectors.sdk.tabular import Column

PERIOD_PATTERN = "^[0-9]{4}(-S[12])?$"

# One row per entrepreneur.
REGISTER_FIELDS: Mapping[str, tuple[str, ...]] = {
    "id": ("Identifiant", "Matricule"),
    "entry_date": ("Date d'entrée", "Date entrée"),
    "cesa_date": ("Date CESA", "Date de début CESA"),
    "contract": ("Contrat", "Type de contrat"),
    "exit_date": ("Date de sortie", "Date sortie"),
    "exit_reason": ("Motif de sortie", "Motif sortie"),
    "associate_date": ("Date de sociétariat", "Date sociétariat"),
    "trade": ("Métier", "Code métier"),
    "sex": ("Sexe",),
    "birth_date": ("Date de naissance",),
    "departement": ("Département", "Code département"),
}
REGISTER_REQUIRED = frozenset({"entry_date"})

# One row per invoice or payslip (revenue, payroll).
AMOUNT_FIELDS: Mapping[str, tuple[str, ...]] = {
    "date": ("Date", "Mois"),
    "amount": ("Montant HT", "Montant"),
    "trade": REGISTER_FIELDS["trade"],
    "departement": REGISTER_FIELDS["departement"],
    "entrepreneur": REGISTER_FIELDS["id"],
}
AMOUNT_REQUIRED = frozenset({"date", "amount"})

# Already aggregated: one row per cell.
CELL_DIMENSIONS = ("contract", "trade", "sex", "age_band", "departement", "exit_reason")
CELL_FIELDS: Mapping[str, tuple[str, ...]] = {
    "indicator": ("Indicateur",),
    "value": ("Valeur",),
    "period": ("Période",),
    "contract": REGISTER_FIELDS["contract"],
    "trade": REGISTER_FIELDS["trade"],
    "sex": REGISTER_FIELDS["sex"],
    "age_band": ("Tranche d'âge",),
    "departement": REGISTER_FIELDS["departement"],
    "exit_reason": REGISTER_FIELDS["exit_reason"],
}
CELL_REQUIRED = frozenset({"indicator", "value"})

# Fields whose values are codes of a hub list; ``values`` maps a file's wordings onto them.
CODED_FIELDS = ("indicator", "contract", "trade", "sex", "age_band", "departement", "exit_reason")


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


def _columns_schema(fields: Sequence[str], what: str) -> dict[str, Any]:
    return {
        "description": (
            f"En-tête de colonne du fichier pour chaque champ ({what}) lorsqu'il diffère "
            "des en-têtes reconnus d'office ; une colonne ainsi nommée doit exister."
        ),
        "type": "object",
        "additionalProperties": False,
        "properties": {name: {"type": "string", "minLength": 1} for name in fields},
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
        "columns": _columns_schema(list(AMOUNT_FIELDS), "date, amount, trade, departement"),
    },
}

CONFIG_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Connecteur tableur (CSV ou XLSX)",
    "description": (
        "Lit un fichier CSV ou XLSX : soit une ligne par entrepreneur (layout « microdata », "
        "agrégée sur place), soit des cellules déjà agrégées (layout « cells » : indicateur, "
        "dimensions, valeur)."
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
            "description": "microdata : une ligne par entrepreneur ; cells : cellules agrégées.",
            "enum": ["microdata", "cells"],
            "default": "microdata",
        },
        "columns": _columns_schema(
            sorted({*REGISTER_FIELDS, *CELL_FIELDS}), "entry_date, sex, trade, indicator…"
        ),
        "values": {
            "description": (
                "Correspondances de valeurs par champ, par exemple "
                '{"sex": {"Femme": "F"}, "trade": {"Électricité": "43.21A"}} ; '
                "null pour une valeur qui veut dire « inconnu »."
            ),
            "type": "object",
            "additionalProperties": False,
            "properties": {
                name: {
                    "type": "object",
                    "additionalProperties": {"type": ["string", "null"]},
                }
                for name in CODED_FIELDS
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
