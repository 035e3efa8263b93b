"""Catalogue documents for the trainings tests, built from the schema's own examples."""

from __future__ import annotations

import copy
from typing import Any

from cae_contract.registry import get_registry


def example(index: int = 0) -> dict[str, Any]:
    """A valid example of the schema: 0 the complete roofing one, 1 the minimal quoting one."""
    found = get_registry().examples("training-catalogue", "1.0.0")
    assert found is not None
    return copy.deepcopy(found.valid[index])


def sessions_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for f in document["formations"] for a in f["actions"] for s in a["sessions"]]


def renumbered(document: dict[str, Any], prefix: str) -> dict[str, Any]:
    """The same catalogue with other numbers, as another CAE would send it."""
    copy_ = copy.deepcopy(document)
    for formation in copy_["formations"]:
        formation["numero"] = prefix + formation["numero"]
        for action in formation["actions"]:
            action["numero"] = prefix + action["numero"]
            for session in action["sessions"]:
                session["numero"] = prefix + session["numero"]
    return copy_
