"""French messages and JSON paths for JSON Schema validation errors."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from jsonschema.exceptions import ValidationError

from hub.errors import ErrorItem

_TYPES = {
    "integer": "un nombre entier",
    "number": "un nombre",
    "string": "un texte",
    "object": "un objet",
    "array": "une liste",
    "boolean": "un booléen (true ou false)",
    "null": "null",
}

_FORMATS = {
    "email": "une adresse électronique valide",
    "date": "une date au format AAAA-MM-JJ",
    "date-time": "une date et heure ISO 8601",
    "uri": "une adresse URI",
}


def json_path(parts: Iterable[Any]) -> str:
    """``$.cells[3].value`` from the path of a validation error."""
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _named(schema: Any) -> str:
    title = schema.get("title") if isinstance(schema, dict) else None
    return f" « {title} »" if title else ""


def _number(value: Any) -> str:
    return str(value).replace(".", ",") if isinstance(value, float) else str(value)


def _expected_types(value: str | Sequence[str]) -> str:
    kinds = [value] if isinstance(value, str) else list(value)
    return " ou ".join(_TYPES.get(k, k) for k in kinds)


def _is_code_list(branches: Any) -> bool:
    return (
        isinstance(branches, list)
        and bool(branches)
        and all(isinstance(b, dict) and "const" in b for b in branches)
    )


def french_items(error: ValidationError) -> Iterator[ErrorItem]:
    """One or more ``ErrorItem`` for one jsonschema error."""
    path = json_path(error.absolute_path)
    keyword = str(error.validator)
    value: Any = error.validator_value
    instance = error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}

    if keyword == "required" and isinstance(instance, dict):
        for name in value:
            if name not in instance:
                yield ErrorItem(json_path([*error.absolute_path, name]), "champ obligatoire")
        return
    if keyword in {"additionalProperties", "unevaluatedProperties"} and isinstance(instance, dict):
        known = set(schema.get("properties", {}))
        where = _named(schema)
        in_dims = bool(error.absolute_path) and error.absolute_path[-1] == "dims"
        for name in instance:
            if name not in known:
                if in_dims:
                    message = f"dimension « {name} » non admise pour cet indicateur"
                else:
                    message = f"champ non admis{' par' + where if where else ''}"
                yield ErrorItem(json_path([*error.absolute_path, name]), message)
        return
    yield ErrorItem(path, _message(keyword, value, instance, schema, error))


def _message(
    keyword: str, value: Any, instance: Any, schema: dict[str, Any], error: ValidationError
) -> str:
    if keyword == "type":
        return f"doit être {_expected_types(value)}"
    if keyword in {"anyOf", "oneOf"} and _is_code_list(value):
        return f"« {instance} » n'est pas un code de la liste{_named(schema)}"
    if keyword in {"anyOf", "oneOf"}:
        return f"ne correspond à aucune des formes admises{_named(schema)}"
    if keyword == "enum":
        return "valeur non autorisée (valeurs possibles : " + ", ".join(map(str, value)) + ")"
    if keyword == "const":
        return f"doit valoir « {value} »"
    if keyword == "minimum":
        return f"doit être supérieur ou égal à {_number(value)}"
    if keyword == "maximum":
        return f"doit être inférieur ou égal à {_number(value)}"
    if keyword == "exclusiveMinimum":
        return f"doit être strictement supérieur à {_number(value)}"
    if keyword == "exclusiveMaximum":
        return f"doit être strictement inférieur à {_number(value)}"
    if keyword == "multipleOf":
        if value == 0.01:
            return "au plus deux décimales"
        return f"doit être un multiple de {_number(value)}"
    if keyword == "pattern":
        hint = schema.get("description") or f"motif {value}"
        return f"format non reconnu : {hint}"
    if keyword == "minLength":
        return f"au moins {value} caractère(s)"
    if keyword == "maxLength":
        return f"au plus {value} caractère(s)"
    if keyword == "minItems":
        return f"au moins {value} élément(s)"
    if keyword == "maxItems":
        return f"au plus {value} élément(s)"
    if keyword == "uniqueItems":
        return "la liste contient des doublons"
    if keyword == "format":
        return f"doit être {_FORMATS.get(value, f'au format {value}')}"
    if keyword in {"minProperties", "maxProperties"}:
        bound = "au moins" if keyword == "minProperties" else "au plus"
        return f"{bound} {value} champ(s)"
    if keyword == "not":
        return "valeur interdite à cet endroit"
    if keyword == "false":
        return "aucune valeur n'est admise à cet endroit"
    return f"valeur invalide (règle {keyword})"


def _document_order(error: ValidationError) -> list[tuple[int, int, str]]:
    return [(0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in error.absolute_path]


def french_errors(errors: Iterable[ValidationError]) -> list[ErrorItem]:
    """Every error, flattened, in document order, without duplicates."""
    seen: set[ErrorItem] = set()
    items: list[ErrorItem] = []
    for error in sorted(errors, key=_document_order):
        for item in french_items(error):
            if item not in seen:
                seen.add(item)
                items.append(item)
    return items
