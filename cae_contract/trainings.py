"""The rules of a training catalogue that its JSON Schema cannot say, checked the same way by
the CAE's client before sending (``read_lheo`` leaves out what breaks them) and by the hub on
arrival (which refuses the catalogue).

- a session's ``numero`` is unique in the whole catalogue: it is how the hub follows a session
  from one snapshot to the next;
- a session does not end before it starts (LHÉO's unknown dates, ``00000000`` for the start and
  ``99999999`` for the end, compare as they should).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from cae_contract.problems import ErrorItem

__all__ = ["catalogue_problems", "session_paths"]


def session_paths(document: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every session of a schema-valid catalogue with its JSON path, in document order."""
    for i, formation in enumerate(document["formations"]):
        for j, action in enumerate(formation["actions"]):
            for k, session in enumerate(action["sessions"]):
                yield f"$.formations[{i}].actions[{j}].sessions[{k}]", session


def catalogue_problems(document: dict[str, Any]) -> list[ErrorItem]:
    """What breaks the rules above in a schema-valid catalogue, by JSON path (empty: none)."""
    problems: list[ErrorItem] = []
    seen: dict[str, str] = {}
    for path, session in session_paths(document):
        numero = session["numero"]
        if numero in seen:
            problems.append(
                ErrorItem(
                    f"{path}.numero",
                    f"numéro de session déjà employé à {seen[numero]} : chaque session du "
                    "catalogue a son propre numéro",
                )
            )
        else:
            seen[numero] = path
        if session["debut"] > session["fin"]:
            problems.append(ErrorItem(f"{path}.fin", "la session finit avant d'avoir commencé"))
    return problems
