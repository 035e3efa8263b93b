"""Microdata layout: one row per entrepreneur, and optional files of dated amounts.

Rows become anonymous records (``connectors.sdk.microdata``); the entrepreneurs' names and
other personal columns are never read. A row that cannot be used is skipped with its line
number; a value without correspondence stops the reading (ConfigError) so that the user
completes the configuration.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from connectors.sdk.errors import ConfigError, SkippableRecordError
from connectors.sdk.microdata import AmountRecord, EntrepreneurRecord
from connectors.sdk.tabular import Row, Table, read_table
from connectors.spreadsheet.amounts import AmountColumns, parse_field
from connectors.spreadsheet.config import (
    AMOUNT_FIELDS,
    AMOUNT_REQUIRED,
    REGISTER_EFFECTS,
    REGISTER_FIELDS,
    REGISTER_REQUIRED,
    columns_for,
)
from connectors.spreadsheet.vocabulary import AmbiguousValue, Unknowns, Vocabulary

Skip = tuple[str, SkippableRecordError]
# Columns that are not empty in a register that is filled in: an empty exit or CESA column
# only says that nobody has left or signed a CESA yet.
_TELLING = ("sex", "trade", "birth_date", "departement", "associate_date")


@dataclass(frozen=True)
class Register:
    entrepreneurs: tuple[EntrepreneurRecord, ...]
    by_id: Mapping[str, EntrepreneurRecord]
    skipped: tuple[Skip, ...]
    label: str = ""
    """How messages name the file (and its sheet)."""
    headers: Mapping[str, str] = field(default_factory=dict)
    """Field → the header it was read under."""
    absent: tuple[str, ...] = ()
    """Optional fields (``REGISTER_EFFECTS``) the file has no column for."""
    empty: tuple[str, ...] = ()
    """Optional fields whose column is there but empty on every row (among ``_TELLING``)."""
    unread: tuple[str, ...] = ()
    """Headers of the file that no field took."""
    amounts: Mapping[str, tuple[AmountRecord, ...]] = field(default_factory=dict)
    """Per-person amount columns (``revenue@2025``) → one record per non-empty cell."""


def coded(row: Row, name: str, vocabulary: Vocabulary, unknowns: Unknowns) -> str | None:
    """The code of a coded cell; an unrecognised value is noted in ``unknowns``."""
    text = row.as_text(name)
    if text is None:
        return None
    try:
        code = vocabulary.code(name, text)
    except AmbiguousValue as ambiguous:
        note = "commune de ce nom dans les départements " + ", ".join(ambiguous.departements)
        unknowns.add(name, row.headers.get(name, name), text, row.number, note=note)
        return None
    except KeyError:
        unknowns.add(name, row.headers.get(name, name), text, row.number)
        return None
    unknowns.known(name)
    return code


def read_register(
    path: Path,
    *,
    sheet: str | None,
    label: str,
    mapping: Mapping[str, str],
    vocabulary: Vocabulary,
    amount_columns: AmountColumns | None = None,
) -> Register:
    columns = columns_for(REGISTER_FIELDS, REGISTER_REQUIRED, mapping)
    table = read_table(path, columns, sheet=sheet, label=label, extra=amount_columns)
    _check_named_amounts(table, amount_columns)
    unknowns = Unknowns(table.label, REGISTER_FIELDS)
    amount_fields = {
        name: parsed[1] for name in table.headers if (parsed := parse_field(name)) is not None
    }
    entrepreneurs: list[EntrepreneurRecord] = []
    by_id: dict[str, EntrepreneurRecord] = {}
    first_line: dict[str, int] = {}
    skipped: list[Skip] = []
    amounts: dict[str, list[AmountRecord]] = {name: [] for name in amount_fields}
    filled: Counter[str] = Counter()
    for row in table:
        filled.update(name for name in REGISTER_EFFECTS if row.as_text(name) is not None)
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
        for name in amount_fields:
            try:
                amount = row.as_decimal(name)
            except SkippableRecordError as error:
                skipped.append((row.source, _amount_not_counted(error)))
                continue
            if amount is not None:
                amounts[name].append(
                    AmountRecord(
                        row.source,
                        amount_fields[name].start,
                        amount,
                        trade=record.trade,
                        departement=record.departement,
                    )
                )
    unknowns.raise_if_any()
    return Register(
        tuple(entrepreneurs),
        by_id,
        tuple(skipped),
        label=table.label,
        headers=dict(table.headers),
        absent=_absent(table),
        empty=tuple(name for name in _TELLING if table.has(name) and not filled[name]),
        unread=table.unread,
        amounts={name: tuple(records) for name, records in amounts.items()},
    )


def _amount_not_counted(error: SkippableRecordError) -> SkippableRecordError:
    return SkippableRecordError(
        f"{error.message} ; montant non compté (la personne est comptée)", source=error.source
    )


def _check_named_amounts(table: Table, amount_columns: AmountColumns | None) -> None:
    if amount_columns is None:
        return
    for name, header in amount_columns.headers.items():
        if not table.has(name):
            kind, period = name.split("@")
            raise ConfigError(
                f"amount_columns.{kind}.{period} : pas de colonne « {header} » dans le "
                f"fichier « {table.label} »"
            )


def _absent(table: Table) -> tuple[str, ...]:
    """The optional fields whose absence changes what is sent."""
    absent = []
    for name in REGISTER_EFFECTS:
        if table.has(name):
            continue
        if name == "departement" and (table.has("commune") or table.has("postcode")):
            continue
        if name == "exit_reason" and not table.has("exit_date"):
            continue  # no exit is counted at all: said once, for the exit date
        if name == "cesa_date" and table.has("contract"):
            continue
        absent.append(name)
    return tuple(absent)


def _entrepreneur(row: Row, vocabulary: Vocabulary, unknowns: Unknowns) -> EntrepreneurRecord:
    entry = row.as_date("entry_date")
    if entry is None:
        raise row.error("entry_date", "date d'entrée manquante")
    cesa = row.as_date("cesa_date")
    if cesa is None and coded(row, "contract", vocabulary, unknowns) == "cesa":
        cesa = entry  # in CESA with no CESA date: signed directly, on entry
    departement = coded(row, "departement", vocabulary, unknowns)
    if departement is None and row.as_text("departement") is None:
        departement = coded(row, "commune", vocabulary, unknowns)
        if departement is None and row.as_text("commune") is None:
            departement = coded(row, "postcode", vocabulary, unknowns)
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
        departement=departement,
    )


def read_amounts(
    path: Path,
    *,
    sheet: str | None,
    label: str,
    mapping: Mapping[str, str],
    vocabulary: Vocabulary,
    register: Register,
) -> tuple[list[AmountRecord], list[Skip]]:
    """Dated amounts; a row without trade or département takes its entrepreneur's, when an
    ``entrepreneur`` column matches the register's ``id`` column."""
    table = read_table(
        path, columns_for(AMOUNT_FIELDS, AMOUNT_REQUIRED, mapping), sheet=sheet, label=label
    )
    unknowns = Unknowns(table.label)
    records: list[AmountRecord] = []
    skipped: list[Skip] = []
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
