"""Converters that bring a document written against an older major version of a schema to
the next major, so that the hub stores every document in the current form.

A new major version of a published schema comes with its converter, declared here with the
``converter`` decorator (one function per step: from major N to N + 1). The registry's
self-check (``cae-hub schemas check``) refuses a schema whose majors are not all linked, and
the tests run every converter on every valid example of the version it converts from.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

Document = dict[str, Any]
Convert = Callable[[Document], Document]

CONVERTERS: dict[tuple[str, int], Convert] = {}
"""(schema name, major converted from) → the function that makes it the next major."""


class MissingConverter(LookupError):
    """No converter links two majors of a schema (a registry defect, never the caller's)."""


def converter(name: str, *, from_major: int) -> Callable[[Convert], Convert]:
    """Declare ``function`` as the converter of ``name`` from ``from_major`` to the next."""

    def register(function: Convert) -> Convert:
        CONVERTERS[(name, from_major)] = function
        return function

    return register


def upcast(name: str, document: Document, *, from_major: int, to_major: int) -> Document:
    """``document`` brought from ``from_major`` to ``to_major``, one major at a time; the
    caller's document is left untouched."""
    converted = copy.deepcopy(document)
    for major in range(from_major, to_major):
        step = CONVERTERS.get((name, major))
        if step is None:
            raise MissingConverter(
                f"aucun convertisseur du schéma « {name} » de la version {major} à la "
                f"version {major + 1}"
            )
        converted = step(converted)
    return converted
