"""A small connector for the sync client's tests: indicator reports read from a JSON file.

The file maps each period to its cells; ``"_skipped"`` lists records to report as skipped.
Installed for subprocesses by ``install_entry_point`` (a ``.dist-info`` folder declaring it in
the ``cae_hub.connectors`` group, put on PYTHONPATH), used directly in-process.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

from cae_contract.periods import Period
from connectors.sdk.base import Connector, extractor
from connectors.sdk.errors import ConfigError, SkippableRecordError

REPO_ROOT = Path(__file__).resolve().parents[2]


class JsonReports(Connector):
    name = "jsonreports"
    version = "1.2.0"
    title = "Rapports d'indicateurs en JSON (tests)"
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "required": ["file"],
        "properties": {"file": {"type": "string", "description": "Fichier JSON des rapports"}},
    }

    def _data(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.path(self.config["file"]).read_text("utf-8"))
        return data

    def check(self) -> None:
        if not self.path(self.config["file"]).is_file():
            raise ConfigError(
                f"connector.config.file : fichier introuvable : {self.config['file']}"
            )

    @extractor("indicator-report")
    def indicator_report(self, period: Period) -> dict[str, Any] | None:
        data = self._data()
        for item in data.get("_skipped", []):
            self.skip(SkippableRecordError(item["message"], source=item["source"]))
        cells = data.get(str(period))
        if cells is None:
            return None
        return {"period": str(period), "cells": cells}


def cells(total: int, *, cesa: int | None = None, revenue: float = 1000.0) -> list[dict[str, Any]]:
    """A consistent report: a total, a contract breakdown that adds up, one amount."""
    cesa = total // 2 if cesa is None else cesa
    return [
        {"indicator": "entrepreneurs", "dims": {}, "value": total},
        {"indicator": "entrepreneurs", "dims": {"contract": "cesa"}, "value": cesa},
        {"indicator": "entrepreneurs", "dims": {"contract": "cape"}, "value": total - cesa},
        {"indicator": "revenue_eur", "dims": {}, "value": revenue},
    ]


def write_reports(path: Path, reports: dict[str, Any]) -> Path:
    path.write_text(json.dumps(reports, ensure_ascii=False), encoding="utf-8")
    return path


def install_entry_point(folder: Path) -> str:
    """Declare ``jsonreports`` in a ``.dist-info`` under ``folder``; the PYTHONPATH to use."""
    info = folder / "cae_hub_test_jsonreports-1.2.0.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: cae-hub-test-jsonreports\nVersion: 1.2.0\n", "utf-8"
    )
    (info / "entry_points.txt").write_text(
        "[cae_hub.connectors]\njsonreports = tests.sync.connector:JsonReports\n", "utf-8"
    )
    return f"{folder}:{REPO_ROOT}"
