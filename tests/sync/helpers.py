"""Running the sync client in-process against the served hub, through the test connector."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests

from connectors.sync.config import SyncConfig, load_config
from connectors.sync.report import SyncReport
from connectors.sync.runner import run_sync
from tests.sync.conftest import write_config
from tests.sync.connector import JsonReports, cells, write_reports


def configure(
    folder: Path, *, url: str, token: str, reports: dict[str, Any], periods: list[str], **extra: Any
) -> SyncConfig:
    write_reports(folder / "reports.json", reports)
    return load_config(write_config(folder, url=url, token=token, periods=periods, **extra))


def configure_semester(folder: Path, *, url: str, token: str, total: int) -> SyncConfig:
    """A configuration sending 2025-S1 only, a report of ``total`` entrepreneurs."""
    return configure(
        folder, url=url, token=token, reports={"2025-S1": cells(total)}, periods=["2025-S1"]
    )


def sync(config: SyncConfig, http: requests.Session, **options: Any) -> SyncReport:
    connector = JsonReports(config.connector.config, base_dir=config.base_dir)
    return run_sync(config, session=http, connector=connector, **options)


def statuses(report: SyncReport) -> dict[str, str]:
    return {outcome.period: str(outcome.status) for outcome in report.outcomes}
