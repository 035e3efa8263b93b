"""How published schemas name and point at one another (shared by the hub and the sync client)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

BASE_URI = "https://cae-hub.fr/schemas/"


def schema_refs(node: Any) -> Iterator[str]:
    """Every ``$ref`` string in a JSON Schema document, depth first."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from schema_refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from schema_refs(item)


def self_contained(
    document: dict[str, Any], load: Callable[[str, str], dict[str, Any]]
) -> dict[str, Any]:
    """``document`` with every ``$ref`` replaced by what it points at, for readers that only
    follow references inside one document (an OpenAPI description).

    ``load(name, version)`` gives another published schema, for ``../name/version.json``.
    The published schemas have no recursive reference, so the expansion ends.
    """

    def expand(node: Any, root: dict[str, Any]) -> Any:
        if isinstance(node, list):
            return [expand(item, root) for item in node]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        rest = {k: expand(v, root) for k, v in node.items() if k not in {"$ref", "$defs"}}
        if not isinstance(ref, str):
            return rest
        if ref.startswith("#/"):
            target: Any = root
            for part in ref[2:].split("/"):
                target = target[part]
            resolved = expand(target, root)
        else:
            name, _, file = ref.removeprefix("../").partition("/")
            other = load(name, file.removesuffix(".json"))
            resolved = expand(other, other)
        for meta in ("$schema", "$id"):
            resolved.pop(meta, None)
        return {**resolved, **rest}

    expanded: dict[str, Any] = expand(document, document)
    expanded.pop("$schema", None)
    expanded.pop("$id", None)
    return expanded
