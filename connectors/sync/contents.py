"""What a document carries, as the sync report shows it and the continuity check reads it.

Only indicator reports are described; other kinds of documents give None.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from cae_contract.continuity import Loss, breakdown_words, breakdowns_of
from connectors.sdk.base import Document

REPORT = "indicator-report"


def _number(value: Decimal, *, cents: bool = False) -> str:
    """``1234.5`` → « 1 234,5 » (« 1 234,50 » in ``cents``), a narrow no-break space between
    thousands."""
    text = f"{value:,.2f}"
    if not cents or text.endswith(".00"):
        text = text.rstrip("0").rstrip(".")
    return text.replace(",", "\u202f").replace(".", ",")


def _count(singular: str, plural: str) -> Callable[[Decimal], str]:
    return lambda n: f"{_number(n)} {singular if abs(n) <= 1 else plural}"


def _amount(name: str, unit: str) -> Callable[[Decimal], str]:
    cents = unit == "€"
    return lambda v: f"{name} : {_number(v, cents=cents)} {unit}".rstrip()


@dataclass(frozen=True)
class Wording:
    """How the report names an indicator: its value, or its name when it was not sent."""

    name: str
    value: Callable[[Decimal], str]


# In the catalogue's order; an indicator unknown here is shown by its code.
WORDINGS: dict[str, Wording] = {
    "entrepreneurs": Wording("entrepreneurs", _count("entrepreneur", "entrepreneurs")),
    "associates": Wording("associés", _count("associé", "associés")),
    "entries": Wording("entrées", _count("entrée", "entrées")),
    "exits": Wording("sorties", _count("sortie", "sorties")),
    "revenue_eur": Wording("CA", _amount("CA", "€")),
    "gross_payroll_eur": Wording("masse salariale", _amount("masse salariale", "€")),
    "support_staff_fte": Wording("équipe d'appui", _amount("équipe d'appui", "ETP")),
    "training_hours": Wording("formation", _amount("formation", "h")),
}


def _cells(document: Document) -> list[Mapping[str, Any]] | None:
    if document.schema != REPORT:
        return None
    cells = document.body.get("cells")
    if not isinstance(cells, list):
        return None
    return [c for c in cells if isinstance(c, Mapping) and isinstance(c.get("dims"), Mapping)]


def document_breakdowns(document: Document) -> dict[str, list[str]] | None:
    """The breakdowns of an indicator report, as the hub stores them; None for other kinds."""
    cells = _cells(document)
    if cells is None:
        return None
    return breakdowns_of((str(c.get("indicator")), c["dims"]) for c in cells)


def _total(cells: Sequence[Mapping[str, Any]]) -> Decimal:
    """The indicator's total cell, else the sum of its first single breakdown."""
    by_breakdown: dict[str, Decimal] = {}
    for cell in cells:
        dims = ",".join(sorted(cell["dims"]))
        value = cell.get("value")
        if isinstance(value, int | float) and not isinstance(value, bool):
            by_breakdown[dims] = by_breakdown.get(dims, Decimal(0)) + Decimal(repr(value))
    if "" in by_breakdown:
        return by_breakdown[""]
    singles = sorted(k for k in by_breakdown if "," not in k)
    return by_breakdown[singles[0] if singles else min(by_breakdown)]


def describe(document: Document) -> str | None:
    """Per indicator, what the document sends: « 12 entrepreneurs (par contrat), CA : non
    envoyé ». None for a kind of document this client does not describe."""
    cells = _cells(document)
    if cells is None:
        return None
    by_indicator: dict[str, list[Mapping[str, Any]]] = {}
    for cell in cells:
        by_indicator.setdefault(str(cell.get("indicator")), []).append(cell)
    parts = []
    for code in [*WORDINGS, *sorted(set(by_indicator) - set(WORDINGS))]:
        wording = WORDINGS.get(code) or Wording(code, _amount(code, ""))
        found = by_indicator.get(code)
        if not found:
            parts.append(f"{wording.name} : non envoyé")
            continue
        text = wording.value(_total(found))
        dims = sorted({d for cell in found for d in cell["dims"]})
        if dims:
            text += f" ({breakdown_words(','.join(dims)).replace(' × ', ', ')})"
        parts.append(text)
    return ", ".join(parts)


def loss_words(loss: Loss) -> str:
    """A loss named for the report: « CA », « entrepreneurs par sexe »."""
    name = WORDINGS[loss.indicator].name if loss.indicator in WORDINGS else loss.indicator
    if loss.breakdown is None:
        return name
    return f"{name} {breakdown_words(loss.breakdown)}"
