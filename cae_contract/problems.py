"""What a refusal is made of, for the hub's API answers and the client's messages alike.

``ErrorItem`` is one failing field of a document: a JSONPath-like ``path``
(``$.cells[3].value``, ``query.period``…) and a French ``message``. ``field_message`` words
a pydantic error in French, for the API's 422 answers and for the command lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class ErrorItem:
    """One failing field: where, and what is wrong with it, in French."""

    path: str
    message: str


_FIELD_MESSAGES: dict[str, str] = {
    "missing": "champ obligatoire",
    "extra_forbidden": "champ inconnu",
    "json_invalid": "JSON mal formé",
    "json_type": "JSON attendu",
    "model_attributes_type": "objet attendu",
    "model_type": "objet attendu",
    "dict_type": "objet attendu",
    "list_type": "liste attendue",
    "string_type": "texte attendu",
    "int_type": "nombre entier attendu",
    "int_parsing": "nombre entier attendu",
    "int_from_float": "nombre entier attendu",
    "float_type": "nombre attendu",
    "float_parsing": "nombre attendu",
    "bool_type": "booléen attendu (true ou false)",
    "bool_parsing": "booléen attendu (true ou false)",
    "datetime_type": "date et heure attendues",
    "datetime_parsing": "date et heure au format ISO 8601 attendues",
    "datetime_from_date_parsing": "date et heure au format ISO 8601 attendues",
    "date_parsing": "date au format AAAA-MM-JJ attendue",
    "date_from_datetime_parsing": "date au format AAAA-MM-JJ attendue",
    "value_error": "valeur invalide",
    "enum": "valeur non autorisée",
    "literal_error": "valeur non autorisée",
    "string_pattern_mismatch": "format non reconnu",
    "string_unicode": "texte Unicode attendu",
    "set_type": "liste sans doublon attendue",
    "uuid_parsing": "identifiant UUID attendu",
    "url_parsing": "adresse URL attendue",
    "recursion_loop": "structure récursive refusée",
}


def field_message(error: dict[str, Any]) -> str:
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind in {"string_too_short", "too_short"}:
        unit = "caractère(s)" if kind.startswith("string") else "élément(s)"
        return f"au moins {ctx.get('min_length')} {unit}"
    if kind in {"string_too_long", "too_long"}:
        unit = "caractère(s)" if kind.startswith("string") else "élément(s)"
        return f"au plus {ctx.get('max_length')} {unit}"
    if kind in {"greater_than_equal", "greater_than", "less_than_equal", "less_than"}:
        op = {
            "greater_than_equal": "≥",
            "greater_than": ">",
            "less_than_equal": "≤",
            "less_than": "<",
        }[kind]
        limit = next(iter(ctx.values()), "")
        return f"doit être {op} {limit}"
    if kind in {"enum", "literal_error"} and "expected" in ctx:
        return f"valeur non autorisée (attendu : {ctx['expected']})"
    if kind == "value_error" and "reason" in ctx:  # email-validator's English reason
        return "adresse électronique invalide"
    if kind == "value_error":
        # Our own validators raise ValueError with a French message.
        return str(ctx.get("error") or error.get("msg", "valeur invalide"))
    if kind == "string_pattern_mismatch" and "pattern" in ctx:
        return f"format non reconnu (motif attendu : {ctx['pattern']})"
    return _FIELD_MESSAGES.get(kind, f"valeur invalide ({kind or 'inconnue'})")
