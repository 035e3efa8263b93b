"""A LHÉO file as the CAE's training catalogue.

The file is read by the contract's ``read_lheo`` (hardened parser, official XSD): every element
it refuses is a skipped record named by its XPath, and the rest of the catalogue is sent. A
file that cannot be read at all (not LHÉO, not well formed, hostile) stops the run.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, ClassVar

from cae_contract.lheo import CATALOGUE_SCHEMA, MAX_BYTES, read_lheo
from cae_contract.periods import Period
from connectors.sdk.base import Connector, Document, extractor, parse_periods
from connectors.sdk.errors import ConfigError, FatalSyncError, SkippableRecordError


class LheoConnector(Connector):
    name = "lheo"
    version = "1.0.0"
    title = "Catalogue de formations LHÉO"
    config_schema: ClassVar[dict[str, Any]] = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "additionalProperties": False,
        "required": ["file"],
        "properties": {
            "file": {
                "type": "string",
                "minLength": 1,
                "title": "Fichier LHÉO",
                "description": "Chemin du fichier LHÉO 2.3 (ou 2.2) exporté par l'outil de la CAE",
            },
        },
    }

    def check(self) -> None:
        self._read()

    def _read(self) -> dict[str, Any]:
        path = self.path(self.config["file"])
        try:
            if path.is_dir():
                raise IsADirectoryError(path)
            if path.stat().st_size > MAX_BYTES:
                raise FatalSyncError(
                    f"{path.name} : fichier trop volumineux pour un catalogue LHÉO",
                    detail=f"{path.stat().st_size} bytes",
                )
            # Streamed from the file: memory holds one formation at a time, not the file.
            document, problems = read_lheo(path)
        except FileNotFoundError:
            raise ConfigError(f"fichier LHÉO introuvable : {path}") from None
        except IsADirectoryError:
            raise ConfigError(f"{path} est un dossier, pas un fichier LHÉO") from None
        except PermissionError:
            raise ConfigError(f"fichier LHÉO illisible (droits d'accès) : {path}") from None
        if document is None:
            reasons = " ; ".join(p.message for p in problems)
            raise FatalSyncError(f"{path.name} refusé : {reasons}")
        for problem in problems:
            self.skip(
                SkippableRecordError(f"{path.name} {problem.path} : {problem.message}"),
                source=f"{path.name} {problem.path}",
            )
        return document

    @extractor(CATALOGUE_SCHEMA)
    def training_catalogue(self, period: Period) -> dict[str, Any]:
        """The whole catalogue, whatever the period: LHÉO feeds are full exports."""
        return self._read()

    def documents(self, periods: Iterable[str | Period]) -> Iterator[Document]:
        """One catalogue document for the run (not one per period), keyed without period; its
        period is the latest asked for."""
        wanted = parse_periods(periods)
        self.skipped = []
        self.warnings = []
        if not wanted:
            return
        latest = max(wanted)
        yield Document(CATALOGUE_SCHEMA, CATALOGUE_SCHEMA, str(latest), self._read())
