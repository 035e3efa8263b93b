"""Published tables read from a publication's stored pattern (:mod:`hub.stats.patterns`).

Nothing is recomputed: a table by ``by`` lists the stored cells that fix exactly those
dimensions, in the order :class:`~hub.stats.disclosure.Table` gives (interior cells, then
margins). The associate rate divides two stored cells and is shown only when both are.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from itertools import product
from typing import Any

from cae_contract.catalogue import ASSOCIATE_RATE, Indicator, code_list_of
from cae_contract.registry import get_registry
from hub.stats.disclosure import CellKey, Reason
from hub.stats.lattice import NOT_STATED, OTHERS, cell_id, id_text
from hub.stats.models import PublicationPattern
from hub.stats.schemas import StatsCell

__all__ = ["category_label", "pattern_cells", "rate_cells", "table_keys"]

_CESA = ("contract", "cesa")


@lru_cache(maxsize=16)
def _code_labels(dim: str) -> dict[str, str]:
    return get_registry().code_list(code_list_of(dim))


def category_label(dim: str, code: str) -> str:
    """French label of a category, grouped and « non renseigné » ones included."""
    if code == NOT_STATED:
        return "non renseigné"
    if code == OTHERS:
        return "autres"
    if code.startswith(OTHERS + ":"):
        region = code.split(":", 1)[1]
        name = _code_labels("region").get(region, region)
        return f"autres départements ({name})"
    return _code_labels(dim).get(code, code)


def table_keys(by: Sequence[str], codes: Mapping[str, Sequence[str]]) -> list[CellKey]:
    """Interior cells (every combination of categories), then the margins."""
    categories = [list(codes.get(d, ())) for d in by]
    keys: list[CellKey] = list(product(*categories)) if by else [()]
    patterns = sorted(
        (p for p in product((False, True), repeat=len(by)) if any(p)),
        key=lambda pattern: (sum(pattern), pattern),
    )
    for pattern in patterns:
        choices = [[None] if hidden else c for hidden, c in zip(pattern, categories, strict=True)]
        keys.extend(product(*choices))
    return keys


def _stored(pattern: PublicationPattern, cell: Any) -> list[Any]:
    return list(pattern.cells.get(id_text(cell), [0, 0, None, None]))


def _cell(by: Sequence[str], key: CellKey, stored: Sequence[Any], persons: bool) -> StatsCell:
    value, contributors, reason, kept = stored
    shown = value is not None
    if shown:
        value = int(value) if persons else round(float(value), 2)
    return StatsCell(
        dims=dict(zip(by, key, strict=True)),
        labels={d: category_label(d, c) for d, c in zip(by, key, strict=True) if c is not None},
        margin=None in key,
        value=value if shown else None,
        contributors=contributors if shown else None,
        suppressed=None if shown else Reason(reason),
        kept_from=kept if shown else None,
    )


def pattern_cells(
    pattern: PublicationPattern, indicator: Indicator, by: Sequence[str]
) -> list[StatsCell]:
    persons = indicator.kind == "persons"
    return [
        _cell(by, key, _stored(pattern, cell_id(zip(by, key, strict=True))), persons)
        for key in table_keys(by, pattern.codes)
    ]


def rate_cells(
    associates: PublicationPattern, entrepreneurs: PublicationPattern, by: Sequence[str]
) -> list[StatsCell]:
    """associates / entrepreneurs in CESA, cell by cell; hidden when either is."""
    codes = {d: sorted({*associates.codes.get(d, ()), *entrepreneurs.codes.get(d, ())}) for d in by}
    rows = []
    for key in table_keys(by, codes):
        pairs = list(zip(by, key, strict=True))
        top = _stored(associates, cell_id(pairs))
        bottom = _stored(entrepreneurs, cell_id([*pairs, _CESA]))
        reason = top[2] if top[0] is None else bottom[2] if bottom[0] is None else None
        shown = reason is None and bool(bottom[0])
        kept = top[3] or bottom[3]
        rate = round(100 * top[0] / bottom[0], 1) if shown else None
        rows.append(
            StatsCell(
                dims=dict(pairs),
                labels={d: category_label(d, c) for d, c in pairs if c is not None},
                margin=None in key,
                value=rate,
                contributors=bottom[1] if shown else None,
                suppressed=Reason(reason) if reason is not None else None,
                kept_from=kept if shown else None,
            )
        )
    return rows


def is_rate(indicator: Indicator) -> bool:
    return indicator.code == ASSOCIATE_RATE.code
