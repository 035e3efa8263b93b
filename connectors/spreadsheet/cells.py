"""Cells layout: a file already aggregated, one row per cell.

    Période ; Indicateur    ; Métier ; Sexe ; Valeur
    2025-S2 ; entrepreneurs ;        ;      ; 12
    2025-S2 ; entrepreneurs ; 43.21A ;      ; 5

An empty dimension cell means the dimension does not apply (the first row is the total).
Without a « Période » column, the configuration's ``period`` says which period the file is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from cae_contract.catalogue import load_catalogue
from cae_contract.periods import Period
from cae_contract.registry import get_registry
from connectors.sdk.errors import ConfigError, SkippableRecordError
from connectors.sdk.tabular import Row, read_table
from connectors.spreadsheet.config import CELL_DIMENSIONS, CELL_FIELDS, CELL_REQUIRED, columns_for
from connectors.spreadsheet.register import coded
from connectors.spreadsheet.vocabulary import FIELD_LABELS, Unknowns, Vocabulary

Skip = tuple[str, SkippableRecordError]


@dataclass(frozen=True)
class SourceCell:
    source: str
    line: int
    period: Period | None
    indicator: str
    dims: tuple[tuple[str, str], ...]
    value: int | float


@dataclass(frozen=True)
class CellFile:
    cells: tuple[SourceCell, ...]
    skipped: tuple[Skip, ...]
    periods: frozenset[Period]
    label: str = ""
    unread: tuple[str, ...] = ()
    """Headers no field took: in a file of cells, every column should count."""

    def warnings(self) -> list[str]:
        if not self.unread:
            return []
        known = ", ".join(f"« {labels[0]} »" for labels in CELL_FIELDS.values())
        shown = ", ".join(f"« {header} »" for header in self.unread)
        return [
            f"{self.label} : colonne(s) non lue(s) : {shown} ; en-têtes reconnus : {known} "
            "(et leurs variantes du guide) ; si une colonne porte un autre nom, indiquez-le "
            "dans columns de la configuration"
        ]


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, tuple[str, tuple[str, ...]]]:
    """Indicator code → (kind, dimensions allowed)."""

    catalogue = load_catalogue(get_registry())
    return {i.code: (i.kind, i.dims) for i in catalogue.reported()}


def read_cells(
    path: Path,
    *,
    sheet: str | None,
    label: str,
    mapping: Mapping[str, str],
    vocabulary: Vocabulary,
    period: Period | None,
) -> CellFile:
    """Every usable cell of the file; ``period`` applies when the file has no period column."""
    table = read_table(
        path, columns_for(CELL_FIELDS, CELL_REQUIRED, mapping), sheet=sheet, label=label
    )
    by_period = table.has("period")
    if not by_period and period is None:
        raise ConfigError(
            f"« {table.label} » n'a pas de colonne « Période » : indiquez la période du fichier "
            "(period) dans la configuration"
        )
    unknowns = Unknowns(table.label)
    cells: list[SourceCell] = []
    skipped: list[Skip] = []
    for row in table:
        try:
            cell = _cell(row, vocabulary, unknowns, period if not by_period else None)
        except SkippableRecordError as error:
            skipped.append((row.source, error))
            continue
        if cell is not None:
            cells.append(cell)
    unknowns.raise_if_any()
    periods = frozenset(c.period for c in cells if c.period is not None)
    return CellFile(tuple(cells), tuple(skipped), periods, table.label, table.unread)


def _cell(
    row: Row, vocabulary: Vocabulary, unknowns: Unknowns, fixed: Period | None
) -> SourceCell | None:
    indicator = coded(row, "indicator", vocabulary, unknowns)
    if indicator is None:
        if row.as_text("indicator") is None:
            raise row.error("indicator", "indicateur manquant")
        return None  # unrecognised: reported with the others by ``unknowns``
    kind, allowed = _catalogue()[indicator]
    dims: list[tuple[str, str]] = []
    for name in CELL_DIMENSIONS:
        code = coded(row, name, vocabulary, unknowns)
        if code is None:
            continue
        if name not in allowed:
            permitted = ", ".join(FIELD_LABELS[d] for d in allowed) or "aucune"
            raise row.error(
                name,
                f"{indicator} ne se ventile pas par {FIELD_LABELS[name]} "
                f"(ventilations permises : {permitted})",
            )
        dims.append((name, code))
    period = fixed or _period(row)
    value = row.as_decimal("value")
    if value is None:
        raise row.error("value", "valeur manquante")
    if value < 0:
        raise row.error("value", "valeur négative")
    if kind == "persons" and value != value.to_integral_value():
        raise row.error("value", "un effectif de personnes est un nombre entier")
    return SourceCell(row.source, row.number, period, indicator, tuple(dims), _number(value))


def _period(row: Row) -> Period:
    text = row.as_text("period")
    if text is None:
        raise row.error("period", "période manquante")
    try:
        return Period.parse(text)
    except ValueError as error:
        raise row.error("period", str(error)) from None


def _number(value: Decimal) -> int | float:
    cents = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    return int(cents) if cents == cents.to_integral_value() else float(cents)


def report_for(cell_file: CellFile, period: Period) -> tuple[dict[str, Any] | None, list[Skip]]:
    """The report of ``period`` (None when the file has no cell for it) and the cells
    given twice, of which the first is kept."""
    cells: list[dict[str, Any]] = []
    first: dict[tuple[str, tuple[tuple[str, str], ...]], int] = {}
    duplicates: list[Skip] = []
    for cell in cell_file.cells:
        if cell.period != period:
            continue
        key = (cell.indicator, cell.dims)
        if key in first:
            message = f"{cell.source} : cellule déjà donnée ligne {first[key]}, ignorée"
            duplicates.append((cell.source, SkippableRecordError(message, source=cell.source)))
            continue
        first[key] = cell.line
        cells.append({"indicator": cell.indicator, "dims": dict(cell.dims), "value": cell.value})
    if not cells:
        return None, duplicates
    return {"period": str(period), "cells": cells}, duplicates
