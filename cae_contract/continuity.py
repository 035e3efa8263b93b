"""Continuity between two revisions of a report: what the previous one had that the new one lacks.

Breakdowns are written as ``IndicatorReport.breakdowns`` stores them: for each indicator, the
sorted dimension names of each breakdown sent, joined by commas (``""`` for the total,
``"contract,sex"`` for a cross). Plain data: the hub's import summary and the sync client's
check before sending read the same rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from cae_contract.dimensions import DIMENSION_NOUNS
from cae_contract.problems import ErrorItem

Breakdowns = Mapping[str, Sequence[str]]


@dataclass(frozen=True, order=True)
class Loss:
    """An indicator (``breakdown`` None) or one of its breakdowns that is no longer sent."""

    indicator: str
    breakdown: str | None = None

    @property
    def dims(self) -> frozenset[str]:
        return frozenset(name for name in (self.breakdown or "").split(",") if name)

    def sentence(self) -> str:
        """The loss in French, as a sentence of its own (no final full stop)."""
        if self.breakdown is None:
            return f"« {self.indicator} » n'est plus envoyé, la révision précédente l'avait"
        return (
            f"« {self.indicator} » n'est plus envoyé {breakdown_words(self.breakdown)}, "
            "la révision précédente l'avait"
        )


def breakdown_words(breakdown: str) -> str:
    """``""`` → « au total », ``"contract,sex"`` → « par contrat × sexe »."""
    names = [name for name in breakdown.split(",") if name]
    if not names:
        return "au total"
    return "par " + " × ".join(DIMENSION_NOUNS.get(name, name) for name in names)


def breakdowns_of(cells: Iterable[tuple[str, Iterable[str]]]) -> dict[str, list[str]]:
    """The breakdowns of ``(indicator, dimension names)`` cells, as revisions store them."""
    found: dict[str, set[str]] = {}
    for indicator, dims in cells:
        found.setdefault(indicator, set()).add(",".join(sorted(dims)))
    return {indicator: sorted(sets) for indicator, sets in sorted(found.items())}


def lost_breakdowns(previous: Breakdowns | None, new: Breakdowns) -> list[Loss]:
    """What ``previous`` had and ``new`` lacks: whole indicators, then single breakdowns.

    An indicator gone entirely is one loss (its breakdowns are not listed one by one).
    """
    losses: list[Loss] = []
    for indicator, sets in sorted((previous or {}).items()):
        kept = new.get(indicator)
        if not kept:
            losses.append(Loss(indicator))
            continue
        losses.extend(Loss(indicator, s) for s in sorted(set(sets) - set(kept)))
    return losses


def lost_breakdown_warnings(previous: Breakdowns | None, new: Breakdowns) -> list[ErrorItem]:
    """The French warnings of the import summary for what a new revision no longer sends."""
    return [
        ErrorItem(
            "$.cells",
            f"{loss.sentence()} : vérifiez que la source ne l'a pas perdu (colonne renommée, "
            "fichier manquant)",
        )
        for loss in lost_breakdowns(previous, new)
    ]
