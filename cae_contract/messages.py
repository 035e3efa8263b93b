"""French messages and JSON paths for JSON Schema validation errors (jsonschema-rs)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from jsonschema_rs import ValidationError

from cae_contract.problems import ErrorItem

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


def _number(value: Any) -> str:
    return str(value).replace(".", ",") if isinstance(value, float) else str(value)


def _expected_types(kinds: Sequence[str]) -> str:
    return " ou ".join(_TYPES.get(k, k) for k in kinds)


def _schema_at(root: Mapping[str, Any], schema_path: Sequence[Any]) -> Mapping[str, Any]:
    """The schema object holding the failing keyword, when it lies in ``root`` itself."""
    node: Any = root
    for step in schema_path[:-1]:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return {}
    return node if isinstance(node, Mapping) else {}


class MessageContext:
    """What the translation needs to know about the registry: code-list titles."""

    def __init__(self, code_lists: Mapping[frozenset[str], str]) -> None:
        self.code_lists = code_lists

    def items(self, error: ValidationError, root: Mapping[str, Any]) -> Iterator[ErrorItem]:
        """One or more ``ErrorItem`` for one error."""
        path = list(error.instance_path)
        kind: Any = error.kind
        name = kind.name
        schema = _schema_at(root, list(error.schema_path))
        if name == "required":
            yield ErrorItem(json_path([*path, kind.property]), "champ obligatoire")
            return
        if name in {"additionalProperties", "unevaluatedProperties"}:
            in_dims = bool(path) and path[-1] == "dims"
            title = schema.get("title")
            for extra in kind.unexpected:
                if in_dims:
                    message = f"dimension « {extra} » non admise pour cet indicateur"
                elif title:
                    message = f"champ non admis par « {title} »"
                else:
                    message = "champ non admis"
                yield ErrorItem(json_path([*path, extra]), message)
            return
        yield ErrorItem(json_path(path), self._message(error, schema))

    def _message(self, error: ValidationError, schema: Mapping[str, Any]) -> str:
        kind: Any = error.kind
        name = kind.name
        if name == "type":
            return f"doit être {_expected_types(list(kind.types))}"
        if name in {"anyOf", "oneOf"}:
            expected = _expected_constants(kind.context)
            if expected is not None:
                title = self.code_lists.get(expected)
                where = f" « {title} »" if title else ""
                return f"« {error.instance} » n'est pas un code de la liste{where}"
            return "ne correspond à aucune des formes admises"
        if name == "enum":
            return (
                "valeur non autorisée (valeurs possibles : "
                + ", ".join(map(str, kind.options))
                + ")"
            )
        if name == "const":
            return f"doit valoir « {kind.expected_value} »"
        bounds = {
            "minimum": "supérieur ou égal à",
            "maximum": "inférieur ou égal à",
            "exclusiveMinimum": "strictement supérieur à",
            "exclusiveMaximum": "strictement inférieur à",
        }
        if name in bounds:
            return f"doit être {bounds[name]} {_number(kind.limit)}"
        if name == "multipleOf":
            if kind.multiple_of == 0.01:
                return "au plus deux décimales"
            return f"doit être un multiple de {_number(kind.multiple_of)}"
        if name == "pattern":
            hint = schema.get("description") or f"motif {kind.pattern}"
            return f"format non reconnu : {hint}"
        sizes = {
            "minLength": ("au moins", "caractère(s)"),
            "maxLength": ("au plus", "caractère(s)"),
            "minItems": ("au moins", "élément(s)"),
            "maxItems": ("au plus", "élément(s)"),
            "minProperties": ("au moins", "champ(s)"),
            "maxProperties": ("au plus", "champ(s)"),
        }
        if name in sizes:
            bound, unit = sizes[name]
            return f"{bound} {kind.limit} {unit}"
        if name == "uniqueItems":
            return "la liste contient des doublons"
        if name == "format":
            return f"doit être {_FORMATS.get(kind.format, f'au format {kind.format}')}"
        if name == "not":
            return "valeur interdite à cet endroit"
        if name == "falseSchema":
            return "aucune valeur n'est admise à cet endroit"
        return f"valeur invalide (règle {name})"

    def errors(self, errors: Iterable[ValidationError], root: Mapping[str, Any]) -> list[ErrorItem]:
        """Every error, flattened, in document order, without duplicates."""
        seen: set[ErrorItem] = set()
        items: list[ErrorItem] = []
        for error in sorted(errors, key=_document_order):
            for item in self.items(error, root):
                if item not in seen:
                    seen.add(item)
                    items.append(item)
        return items


def _expected_constants(context: Any) -> frozenset[str] | None:
    """The constants of an ``anyOf`` whose every branch is a ``const`` (a code list)."""
    values: set[str] = set()
    for branch in context or []:
        kind: Any = branch[0].kind if len(branch) == 1 else None
        if kind is None or kind.name != "const":
            return None
        values.add(str(kind.expected_value))
    return frozenset(values) if values else None


def _document_order(error: ValidationError) -> list[tuple[int, int, str]]:
    return [(0, p, "") if isinstance(p, int) else (1, 0, str(p)) for p in error.instance_path]
