"""Protected tables laid out for a page: rows, columns, suppressed marks and their legend.

Only what :class:`hub.stats.schemas.StatsTable` publishes is laid out: a suppressed cell
carries no value, so none can reach the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from cae_contract.catalogue import code_list_of
from cae_contract.format import NBSP, fr_decimal, fr_eur, fr_int, fr_percent, fr_period, with_unit
from cae_contract.registry import get_registry
from hub.stats.disclosure import Reason
from hub.stats.export_layout import dimension_title as dimension_title
from hub.stats.schemas import IndicatorInfo, Preview, StatsCell, StatsTable
from hub.stats.served import category_label

SecretKind = Literal["primary", "secondary"]
TOTAL = "Total"
# One note number per reason, the same on every page.
REASON_NOTES: dict[Reason, int] = {
    Reason.FREQUENCY: 1,
    Reason.DOMINANCE: 2,
    Reason.SMALL_COUNT: 3,
    Reason.SECONDARY: 4,
}


def secret_kind(reason: Reason) -> SecretKind:
    return "secondary" if reason == Reason.SECONDARY else "primary"


def format_value(indicator: IndicatorInfo, value: float | None) -> str:
    """A published value written the French way, in the indicator's unit."""
    if indicator.kind == "persons":
        return fr_int(value)
    if indicator.kind == "ratio":
        return fr_percent(value, 1)
    if indicator.unit == "EUR":
        return fr_eur(value)
    if indicator.unit == "heures":
        return f"{fr_int(value)}{NBSP}h" if value is not None else fr_int(None)
    return fr_decimal(value, 1)


def dimension_phrase(dim: str) -> str:
    """The title inside a sentence: « métier du bâtiment (code NAF) »."""
    title = dimension_title(dim)
    return title[:1].lower() + title[1:]


@dataclass(frozen=True)
class CellView:
    text: str
    secret: SecretKind | None = None
    reason: Reason | None = None
    note: int | None = None
    margin: bool = False
    contributors: int | None = None


@dataclass(frozen=True)
class RowView:
    header: str
    cells: list[CellView]
    margin: bool = False
    provisional: bool = False
    """The row's figures come from a provisional publication (period not ended)."""


@dataclass(frozen=True)
class LegendItem:
    note: int
    reason: Reason
    kind: SecretKind
    text: str


@dataclass(frozen=True)
class TableView:
    caption: str
    corner: str
    columns: list[str]
    rows: list[RowView]
    legend: list[LegendItem]
    with_contributors: bool

    @property
    def has_secrets(self) -> bool:
        return bool(self.legend)


def cell_view(indicator: IndicatorInfo, cell: StatsCell | None) -> CellView:
    if cell is None:
        return CellView(text="—")
    if cell.suppressed is not None:
        return CellView(
            text="s",
            secret=secret_kind(cell.suppressed),
            reason=cell.suppressed,
            note=REASON_NOTES[cell.suppressed],
            margin=cell.margin,
        )
    return CellView(
        text=format_value(indicator, cell.value),
        margin=cell.margin,
        contributors=cell.contributors,
    )


def categories_of(table: StatsTable, dim: str) -> list[tuple[str, str]]:
    """The categories of ``dim`` present in the table, in the order of their code list."""
    present: dict[str, str] = {}
    for cell in table.cells:
        code = cell.dims.get(dim)
        if code is not None:
            present[code] = cell.labels.get(dim, code)
    order = list(get_registry().code_list(code_list_of(dim)))
    rank = {code: index for index, code in enumerate(order)}
    return sorted(present.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0]))


def legend_of(table: StatsTable, cells: Sequence[StatsCell] | None = None) -> list[LegendItem]:
    reasons = {c.suppressed for c in (cells if cells is not None else table.cells)}
    return [
        LegendItem(note, reason, secret_kind(reason), table.legend.get(reason.value, ""))
        for reason, note in REASON_NOTES.items()
        if reason in reasons
    ]


def table_view(table: StatsTable) -> TableView:
    """Rows × columns of a table with none, one or two breakdowns, totals last."""
    indicator = table.indicator
    by = table.by
    index = {tuple(c.dims.get(d) for d in by): c for c in table.cells}
    caption = f"{indicator.label} — {fr_period(table.period)}"
    unit_column = with_unit(indicator.label, indicator.unit)
    if not by:
        row = RowView(TOTAL, [cell_view(indicator, index.get(()))], margin=True)
        return TableView(caption, "", [unit_column], [row], legend_of(table), True)
    if len(by) == 1:
        rows = [
            RowView(label, [cell_view(indicator, index.get((code,)))])
            for code, label in categories_of(table, by[0])
        ]
        rows.append(RowView(TOTAL, [cell_view(indicator, index.get((None,)))], margin=True))
        caption += f", par {dimension_phrase(by[0])}"
        return TableView(
            caption, dimension_title(by[0]), [unit_column], rows, legend_of(table), True
        )
    first, second = by
    columns = categories_of(table, second)
    keys: list[str | None] = [code for code, _ in columns]
    keys.append(None)
    rows = []
    for code, label in [*categories_of(table, first), (None, TOTAL)]:
        cells = [cell_view(indicator, index.get((code, other))) for other in keys]
        rows.append(RowView(label, cells, margin=code is None))
    caption += (
        f", par {dimension_phrase(first)} (lignes) "
        f"et {dimension_phrase(second)} (colonnes), en {indicator.unit}"
    )
    corner = f"{dimension_title(first)} \\ {dimension_title(second)}"
    return TableView(
        caption,
        corner,
        [label for _, label in columns] + [TOTAL],
        rows,
        legend_of(table),
        False,
    )


@dataclass(frozen=True)
class PreviewRow:
    headers: list[str]
    own: str
    shown: bool
    secret: SecretKind | None
    reason: str | None
    margin: bool


def preview_rows(preview: Preview) -> list[PreviewRow]:
    """A member's own cells, each with what the next publication will do with it."""
    rows = []
    for cell in preview.cells:
        headers = [
            TOTAL if cell.dims.get(d) is None else category_label(d, code)
            for d in preview.by
            for code in [cell.dims.get(d) or ""]
        ]
        rows.append(
            PreviewRow(
                headers=headers or [TOTAL],
                own=format_value(preview.indicator, cell.own_value),
                shown=cell.shown,
                secret=secret_kind(cell.suppressed) if cell.suppressed else None,
                reason=cell.reason,
                margin=cell.margin,
            )
        )
    return rows
