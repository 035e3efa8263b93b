"""The enDI connector: exports in, one indicator report per period out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

from cae_contract.periods import Period
from connectors.endi import columns
from connectors.endi.money import UNITS, read_companies, read_invoices, read_payroll, unit_warning
from connectors.endi.people import Vocabulary, read_people
from connectors.endi.vocabulary import EXIT_REASONS, STAGE_KINDS, TradeMap
from connectors.sdk.base import Connector, extractor
from connectors.sdk.errors import ConfigError, SkippableRecordError
from connectors.sdk.microdata import AmountRecord, EntrepreneurRecord, aggregate, code_set
from connectors.sdk.tabular import Column, Table, normalize_label, read_table

_FILE = {
    "oneOf": [
        {"type": "string", "minLength": 1},
        {
            "type": "object",
            "additionalProperties": False,
            "required": ["path"],
            "properties": {
                "path": {"type": "string", "minLength": 1},
                "sheet": {"type": "string", "minLength": 1},
            },
        },
    ]
}
# Keys are periods (2026-S1, 2026); __init__ reads each one to name a wrong one in French.
_PER_PERIOD = {"type": "object", "additionalProperties": {"type": "number", "minimum": 0}}

CONFIG_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Configuration du connecteur enDI",
    "type": "object",
    "additionalProperties": False,
    "required": ["userdatas", "career_paths"],
    "properties": {
        "userdatas": {**_FILE, "description": "Export des fiches entrepreneurs (gestion sociale)"},
        "career_paths": {**_FILE, "description": "Export des étapes de parcours"},
        "invoices": {**_FILE, "description": "Export des factures (chiffre d'affaires)"},
        "companies": {**_FILE, "description": "Export des enseignes (activité, code postal)"},
        "payroll": {**_FILE, "description": "Export de la masse salariale brute par mois"},
        "amount_unit": {
            "description": "Unité des montants HT des factures",
            "enum": list(UNITS),
            "default": "euros",
        },
        "trades": {
            "description": "Activité de la CAE → code NAF (liste code-trade), ou null",
            "type": "object",
            "additionalProperties": {
                "anyOf": [
                    {"type": "string", "pattern": "^[0-9]{2}\\.[0-9]{2}[A-Z]$"},
                    {"type": "null"},
                ]
            },
        },
        "career_stages": {
            "description": "Étape de parcours → cape, cesa, exit (sortie) ou ignore",
            "type": "object",
            "additionalProperties": {"enum": list(STAGE_KINDS)},
        },
        "exit_reasons": {
            "description": "Motif ou type de sortie → code de la liste code-exit-reason",
            "type": "object",
            "additionalProperties": {"enum": list(EXIT_REASONS)},
        },
        "support_staff_fte": {**_PER_PERIOD, "description": "ETP de l'équipe d'appui par période"},
        "training_hours": {**_PER_PERIOD, "description": "Heures de formation par période"},
    },
}


@dataclass(frozen=True)
class Sources:
    """Everything read from the exports, ready for any period."""

    entrepreneurs: list[EntrepreneurRecord]
    revenue: list[AmountRecord] | None
    payroll: list[AmountRecord] | None
    skipped: list[SkippableRecordError]
    warnings: list[str]


class EndiConnector(Connector):
    """Indicator reports from enDI/CAERP exports (see the package docstring for the files)."""

    name = "endi"
    version = "1.0.0"
    title = "enDI / CAERP (exports)"
    config_schema: ClassVar[dict[str, Any]] = CONFIG_SCHEMA

    def __init__(self, config: Mapping[str, Any], *, base_dir: Path | None = None) -> None:
        super().__init__(config, base_dir=base_dir)
        trades = self.config.get("trades", {})
        wrong = sorted({c for c in trades.values() if c is not None} - code_set("code-trade"))
        if wrong:
            listed = ", ".join(f"« {code} »" for code in wrong)
            verb = "n'est pas un métier" if len(wrong) == 1 else "ne sont pas des métiers"
            raise ConfigError(
                f"configuration du connecteur « endi » refusée : trades : {listed} {verb} "
                "de la liste code-trade (codes NAF du bâtiment) ; corrigez le code, ou mettez "
                "null pour une activité hors bâtiment"
            )
        for setting in ("support_staff_fte", "training_hours"):
            for period in self.config.get(setting, {}):
                try:
                    Period.parse(period)
                except ValueError as error:
                    raise ConfigError(
                        f"configuration du connecteur « endi » refusée : {setting} : {error}"
                    ) from None
        self._cache: tuple[tuple[Any, ...], Sources] | None = None

    def check(self) -> None:
        """Read every export; ConfigError names a missing file, column or label."""
        sources = self._sources()
        for message in sources.warnings:
            self.warn(message)

    @extractor("indicator-report")
    def indicator_report(self, period: Period) -> dict[str, Any]:
        sources = self._sources()
        for error in sources.skipped:
            self.skip(error)
        for message in sources.warnings:
            self.warn(message)
        aggregation = aggregate(
            period,
            sources.entrepreneurs,
            revenue=sources.revenue,
            payroll=sources.payroll,
            support_staff_fte=self._quantity("support_staff_fte", period),
            training_hours=self._quantity("training_hours", period),
        )
        for gap in aggregation.gaps:
            self.warn(gap.message)
        return aggregation.body

    # -- reading ------------------------------------------------------------------------------

    def _quantity(self, setting: str, period: Period) -> Decimal | None:
        value = self.config.get(setting, {}).get(str(period))
        return None if value is None else Decimal(str(value))

    def _file(self, setting: str) -> tuple[Path, str | None] | None:
        spec = self.config.get(setting)
        if spec is None:
            return None
        if isinstance(spec, str):
            return self.path(spec), None
        return self.path(spec["path"]), spec.get("sheet")

    def _table(self, setting: str, wanted: tuple[Column, ...]) -> Table | None:
        found = self._file(setting)
        if found is None:
            return None
        path, sheet = found
        return read_table(path, wanted, sheet=sheet)

    def _required(self, setting: str, wanted: tuple[Column, ...]) -> Table:
        table = self._table(setting, wanted)
        if table is None:
            raise ConfigError(f"configuration du connecteur « endi » : « {setting} » manque")
        return table

    def _signature(self) -> tuple[Any, ...]:
        """What the cached reading depends on: each file's size and modification time."""
        parts: list[Any] = []
        for setting in ("userdatas", "career_paths", "invoices", "companies", "payroll"):
            found = self._file(setting)
            if found is None:
                parts.append(None)
                continue
            try:
                stat = found[0].stat()
            except OSError:
                parts.append((str(found[0]), None))
                continue
            parts.append((str(found[0]), stat.st_size, stat.st_mtime_ns))
        return tuple(parts)

    def _sources(self) -> Sources:
        signature = self._signature()
        if self._cache is not None and self._cache[0] == signature:
            return self._cache[1]
        sources = self._read()
        self._cache = (signature, sources)
        return sources

    def _read(self) -> Sources:
        vocabulary = Vocabulary(
            trades=TradeMap(self.config.get("trades", {}), code_set("code-trade")),
            stages={normalize_label(k): v for k, v in self.config.get("career_stages", {}).items()},
            exits={normalize_label(k): v for k, v in self.config.get("exit_reasons", {}).items()},
            departements=code_set("code-departement"),
        )
        userdatas = self._required("userdatas", columns.USERDATAS)
        career_paths = self._required("career_paths", columns.CAREER_PATHS)
        people = read_people(userdatas, career_paths, vocabulary)
        skipped = list(people.skipped)
        warnings: list[str] = []

        revenue: list[AmountRecord] | None = None
        invoices = self._table("invoices", columns.INVOICES)
        if invoices is not None:
            companies_table = self._table("companies", columns.COMPANIES)
            companies = (
                read_companies(companies_table, people.persons, vocabulary)
                if companies_table is not None
                else {}
            )
            unit = self.config.get("amount_unit", "euros")
            amounts = read_invoices(invoices, unit=unit, companies=companies)
            revenue = amounts.records
            skipped.extend(amounts.skipped)
            warning = unit_warning(amounts.raw, unit=unit, label=invoices.label)
            if warning:
                warnings.append(warning)

        payroll: list[AmountRecord] | None = None
        payroll_table = self._table("payroll", columns.PAYROLL)
        if payroll_table is not None:
            wages = read_payroll(payroll_table, people.persons)
            payroll = wages.records
            skipped.extend(wages.skipped)
        return Sources(people.records, revenue, payroll, skipped, warnings)
