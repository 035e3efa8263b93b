"""How published schemas name and point at one another (shared by the hub and the sync client)."""

from __future__ import annotations

from collections.abc import Iterator
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
