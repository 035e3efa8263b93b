"""Microdata layout: one row per entrepreneur, and optional files of dated amounts.

Rows become anonymous records (``connectors.sdk.microdata``); the entrepreneurs' names and
other personal columns are never read. A row that cannot be used is skipped with its line
number; a value without correspondence stops the reading (ConfigError) so that the user
completes the configuration.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from connectors.sdk.errors import SkippableRecordError
from connectors.sdk.microdata import AmountRecord, EntrepreneurRecord
from connectors.sdk.tabular import Row, read_table
from connectors.spreadsheet.config import (
    AMOUNT_FIELDS,
    AMOUNT_REQUIRED,
    REGISTER_FIELDS,
    REGISTER_REQUIRED,
    columns_for,
)
from connectors.spreadsheet.vocabulary import Unknowns, Vocabulary


@dataclass(frozen=True)
class Register:
    entrepreneurs: tuple[EntrepreneurRecord, ...]
    by_id: Mapping[str, EntrepreneurRecord]
    skipped: tuple[tuple[str, SkippableRecordError], ...]


def coded(row: Row, name: str, vocabulary: Vocabulary, unknowns: Unknowns) -> str | None:
    """The code of a coded cell; an unrecognised value is noted in ``unknowns``."""
    text = row.as_text(name)
    if text is None:
        return None
    try:
        return vocabulary.code(name, text)
    except KeyError:
        unknowns.add(name, row.headers.get(name, name), text, row.number)
        return None


def read_register(
    path: Path,
    *,
    sheet: str | None,
    label: str,
    mapping: Mapping[str, str],
    vocabulary: Vocabulary,
) -> Register:
    table = read_table(
        path, columns_for(REGISTER_FIELDS, REGISTER_REQUIRED, mapping), sheet=sheet, label=label
    )
    unknowns = Unknowns(label)
    entrepreneurs: list[EntrepreneurRecord] = []
    by_id: dict[str, EntrepreneurRecord] = {}
    first_line: dict[str, int] = {}
    skipped: list[tuple[str, SkippableRecordError]] = []
    for row in table:
        try:
            record = _entrepreneur(row, vocabulary, unknowns)
            identifier = row.as_text("id")
            if identifier is not None and identifier in first_line:
                raise SkippableRecordError(
                    f"{row.source} : même identifiant que la ligne {first_line[identifier]}, "
                    "compté une seule fois"
                )
        except SkippableRecordError as error:
            skipped.append((row.source, error))
            continue
        entrepreneurs.append(record)
        if identifier is not None:
            first_line[identifier] = row.number
            by_id[identifier] = record
    unknowns.raise_if_any()
    return Register(tuple(entrepreneurs), by_id, tuple(skipped))


def _entrepreneur(row: Row, vocabulary: Vocabulary, unknowns: Unknowns) -> EntrepreneurRecord:
    entry = row.as_date("entry_date")
    if entry is None:
        raise row.error("entry_date", "date d'entrée manquante")
    cesa = row.as_date("cesa_date")
    if cesa is None and coded(row, "contract", vocabulary, unknowns) == "cesa":
        cesa = entry  # in CESA with no CESA date: signed directly, on entry
    return EntrepreneurRecord(
        source=row.source,
        entry_date=entry,
        cesa_date=cesa,
        exit_date=row.as_date("exit_date"),
        exit_reason=coded(row, "exit_reason", vocabulary, unknowns),
        associate_date=row.as_date("associate_date"),
        trade=coded(row, "trade", vocabulary, unknowns),
        sex=coded(row, "sex", vocabulary, unknowns),
        birth_date=row.as_date("birth_date"),
        departement=coded(row, "departement", vocabulary, unknowns),
    )


def read_amounts(
    path: Path,
    *,
    sheet: str | None,
    label: str,
    mapping: Mapping[str, str],
    vocabulary: Vocabulary,
    register: Register,
) -> tuple[list[AmountRecord], list[tuple[str, SkippableRecordError]]]:
    """Dated amounts; a row without trade or département takes its entrepreneur's, when an
    ``entrepreneur`` column matches the register's ``id`` column."""
    table = read_table(
        path, columns_for(AMOUNT_FIELDS, AMOUNT_REQUIRED, mapping), sheet=sheet, label=label
    )
    unknowns = Unknowns(label)
    records: list[AmountRecord] = []
    skipped: list[tuple[str, SkippableRecordError]] = []
    for row in table:
        try:
            records.append(_amount(row, vocabulary, unknowns, register))
        except SkippableRecordError as error:
            skipped.append((row.source, error))
    unknowns.raise_if_any()
    return records, skipped


def _amount(
    row: Row, vocabulary: Vocabulary, unknowns: Unknowns, register: Register
) -> AmountRecord:
    on = _day_or_month(row)
    amount = row.as_decimal("amount")
    if amount is None:
        raise row.error("amount", "montant manquant")
    trade = coded(row, "trade", vocabulary, unknowns)
    departement = coded(row, "departement", vocabulary, unknowns)
    owner_id = row.as_text("entrepreneur")
    owner = register.by_id.get(owner_id) if owner_id is not None else None
    if owner is not None:
        trade = trade or owner.trade
        departement = departement or owner.departement
    return AmountRecord(row.source, on, amount, trade=trade, departement=departement)


def _day_or_month(row: Row) -> date:
    """The row's date; a month alone (``07/2025``, ``2025-07``) stands for its first day."""
    try:
        on = row.as_date("date")
    except SkippableRecordError as error:
        try:
            on = row.as_month("date")
        except SkippableRecordError:
            raise error from None
    if on is None:
        raise row.error("date", "date manquante")
    return on
