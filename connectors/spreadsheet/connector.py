"""The ``spreadsheet`` connector: a CSV or XLSX file kept by the CAE."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from cae_contract.periods import Period
from connectors.sdk.base import Connector, Document, extractor, parse_periods
from connectors.sdk.errors import ConfigError, SkippableRecordError
from connectors.sdk.microdata import AmountRecord, aggregate
from connectors.sdk.tabular import XLSX_SUFFIXES
from connectors.spreadsheet.amounts import AmountColumns
from connectors.spreadsheet.catalogue import read_catalogue
from connectors.spreadsheet.cells import CellFile, read_cells, report_for
from connectors.spreadsheet.config import (
    CATALOGUE_FIELDS,
    CELL_FIELDS,
    CONFIG_SCHEMA,
    REGISTER_FIELDS,
)
from connectors.spreadsheet.register import Register, read_amounts, read_register
from connectors.spreadsheet.remarks import column_warnings, person_amounts
from connectors.spreadsheet.vocabulary import Vocabulary

Skip = tuple[str, SkippableRecordError]


@dataclass(frozen=True)
class _Microdata:
    register: Register
    revenue: list[AmountRecord] | None
    payroll: list[AmountRecord] | None
    skipped: list[Skip]
    ignored: Mapping[str, str]
    """Amount columns of the register left unread (header → kind): a file gives them."""


class SpreadsheetConnector(Connector):
    """One file, CSV or XLSX: one row per entrepreneur (aggregated here, before anything
    leaves the CAE) or already aggregated cells. See ``config.CONFIG_SCHEMA``."""

    name = "spreadsheet"
    version = "1.2.0"
    title = "Tableur (CSV ou XLSX)"
    config_schema = CONFIG_SCHEMA

    def __init__(self, config: Mapping[str, Any], *, base_dir: Path | None = None) -> None:
        super().__init__(config, base_dir=base_dir)
        self.layout: str = self.config.get("layout", "microdata")
        allowed = {"microdata": REGISTER_FIELDS, "cells": CELL_FIELDS}.get(
            self.layout, CATALOGUE_FIELDS
        )
        foreign = sorted(set(self.config.get("columns", {})) - set(allowed))
        if foreign:
            raise ConfigError(
                f"columns : champ(s) {', '.join(foreign)} sans objet pour le layout "
                f"« {self.layout} » (champs possibles : {', '.join(allowed)})"
            )
        catalogue_keys = [key for key in ("organisme", "public_vise") if key in self.config]
        if self.layout == "catalogue":
            if "organisme" not in self.config:
                raise ConfigError(
                    "organisme : obligatoire pour le layout « catalogue » (SIRET, numéro de "
                    "déclaration d'activité, nom et raison sociale de l'organisme responsable)"
                )
            unused = [
                k for k in ("period", "revenue", "payroll", "amount_columns") if k in self.config
            ]
            if unused:
                raise ConfigError(f"{', '.join(unused)} : sans objet pour le layout « catalogue »")
        elif catalogue_keys:
            raise ConfigError(f"{', '.join(catalogue_keys)} : réservé(s) au layout « catalogue »")
        if self.layout == "cells":
            keys = ("revenue", "payroll", "amount_columns", "support_staff_fte", "training_hours")
            extra = [key for key in keys if key in self.config]
            if extra:
                raise ConfigError(
                    f"{', '.join(extra)} : réservé(s) au layout « microdata » ; dans un "
                    "fichier de cellules, ces indicateurs sont des lignes du fichier"
                )
        elif "period" in self.config:
            raise ConfigError(
                "period : réservé au layout « cells » ; un registre d'entrepreneurs sert "
                "pour toutes les périodes"
            )
        for kind in self.config.get("amount_columns", {}):
            if kind in self.config:
                raise ConfigError(
                    f"amount_columns.{kind} et {kind} : deux sources pour le même montant ; "
                    f"gardez la colonne du registre (amount_columns.{kind}) ou le fichier "
                    f"({kind}.file), pas les deux"
                )
        self._loaded: _Microdata | CellFile | None = None

    # -- the connector's contract -------------------------------------------------------------

    def check(self) -> None:
        if self.layout == "catalogue":
            self.training_catalogue(Period.parse("2025-S1"))
            return
        self._load()

    def documents(self, periods: Iterable[str | Period]) -> Iterator[Document]:
        # The files may have changed since the last run of a long-lived connector.
        self._loaded = None
        if self.layout != "catalogue":
            return super().documents(periods)
        return self._catalogue_documents(periods)

    def _catalogue_documents(self, periods: Iterable[str | Period]) -> Iterator[Document]:
        """One catalogue document for the run (a catalogue is a snapshot, not a period's),
        keyed without period; its period is the latest asked for."""
        wanted = parse_periods(periods)
        self.skipped = []
        self.warnings = []
        if not wanted:
            return
        body = self.training_catalogue(max(wanted))
        if body is not None:
            yield Document("training-catalogue", "training-catalogue", str(max(wanted)), body)

    @extractor("training-catalogue")
    def training_catalogue(self, period: Period) -> dict[str, Any] | None:
        """The whole catalogue sheet, whatever the period (layout « catalogue » only)."""
        if self.layout != "catalogue":
            return None
        sheet = read_catalogue(
            self.path(self.config["file"]),
            sheet=self.config.get("sheet"),
            label=Path(self.config["file"]).name,
            mapping=self.config.get("columns", {}),
            organisme=self.config["organisme"],
            public_vise=self.config.get("public_vise"),
        )
        self._record(sheet.skipped)
        if not sheet.document["formations"]:
            self.warn(f"{self._label()} : aucune session lisible, aucun catalogue envoyé")
            return None
        return sheet.document

    @extractor("indicator-report")
    def indicator_report(self, period: Period) -> dict[str, Any] | None:
        if self.layout == "catalogue":
            return None
        loaded = self._load()
        if isinstance(loaded, CellFile):
            for warning in loaded.warnings():
                self.warn(warning)
            self._record(loaded.skipped)
            body, duplicates = report_for(loaded, period)
            self._record(duplicates)
            if body is None:
                self.warn(f"{self._label()} : aucune cellule pour {period}, rien à envoyer")
            return body
        self._record(loaded.skipped)
        register = loaded.register
        for warning in column_warnings(register, self.config.get("columns", {})):
            self.warn(warning)
        for header, kind in loaded.ignored.items():
            self.warn(
                f"{register.label} : colonne « {header} » non lue, ce montant vient du fichier "
                f"{kind}.file de la configuration"
            )
        amounts: dict[str, list[AmountRecord] | None] = {}
        for kind, from_file in (("revenue", loaded.revenue), ("payroll", loaded.payroll)):
            if from_file is not None:
                amounts[kind] = from_file
                continue
            amounts[kind], notes = person_amounts(register, kind, period)
            for note in notes:
                self.warn(note)
        result = aggregate(
            period,
            register.entrepreneurs,
            revenue=amounts["revenue"],
            payroll=amounts["payroll"],
            support_staff_fte=self._per_period("support_staff_fte", period),
            training_hours=self._per_period("training_hours", period),
        )
        for gap in result.gaps:
            self.warn(f"{period} : {gap.message}")
        for notice in result.notices:
            self.warn(f"{period} : {notice}")
        return result.body

    # -- reading ------------------------------------------------------------------------------

    def _load(self) -> _Microdata | CellFile:
        if self._loaded is None:
            self._loaded = self._read_cells() if self.layout == "cells" else self._read_microdata()
        return self._loaded

    def _vocabulary(self) -> Vocabulary:
        return Vocabulary(self.config.get("values", {}))

    def _label(self, key: str = "file") -> str:
        """How messages name a file: its name, and its sheet when one is chosen (as
        ``read_table`` names it)."""
        source = self._source(key)
        sheet = source.get("sheet")
        name = Path(source["file"]).name
        xlsx = Path(name).suffix.lower() in XLSX_SUFFIXES
        return f"{name}, feuille {sheet}" if sheet and xlsx else name

    def _source(self, key: str) -> dict[str, Any]:
        return self.config if key == "file" else dict(self.config[key])

    def _read_microdata(self) -> _Microdata:
        vocabulary = self._vocabulary()
        elsewhere = frozenset(kind for kind in ("revenue", "payroll") if kind in self.config)
        columns = AmountColumns(self.config.get("amount_columns", {}), elsewhere=elsewhere)
        register = read_register(
            self.path(self.config["file"]),
            sheet=self.config.get("sheet"),
            label=Path(self.config["file"]).name,
            mapping=self.config.get("columns", {}),
            vocabulary=vocabulary,
            amount_columns=columns,
        )
        skipped = list(register.skipped)
        amounts: dict[str, list[AmountRecord] | None] = {}
        for key in ("revenue", "payroll"):
            if key not in self.config:
                amounts[key] = None
                continue
            source = self._source(key)
            records, rows_skipped = read_amounts(
                self.path(source["file"]),
                sheet=source.get("sheet"),
                label=Path(source["file"]).name,
                mapping=source.get("columns", {}),
                vocabulary=vocabulary,
                register=register,
            )
            amounts[key] = records
            skipped.extend(rows_skipped)
        return _Microdata(
            register, amounts["revenue"], amounts["payroll"], skipped, dict(columns.ignored)
        )

    def _read_cells(self) -> CellFile:
        period_text = self.config.get("period")
        return read_cells(
            self.path(self.config["file"]),
            sheet=self.config.get("sheet"),
            label=Path(self.config["file"]).name,
            mapping=self.config.get("columns", {}),
            vocabulary=self._vocabulary(),
            period=Period.parse(period_text) if period_text else None,
        )

    def _per_period(self, key: str, period: Period) -> Decimal | None:
        value = self.config.get(key, {}).get(str(period))
        return None if value is None else Decimal(repr(value))

    def _record(self, skipped: list[Skip] | tuple[Skip, ...]) -> None:
        for source, error in skipped:
            self.skip(error, source=source)
