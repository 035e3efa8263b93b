"""The sync client: read a CAE's system through a connector, send the hub what changed.

Programs run a synchronisation with::

    from connectors.sync import load_config, run_sync

    report = run_sync(load_config(Path("sync.toml")))
    print(report.render())

``run_sync`` raises ``ConfigError`` (something to fix) or ``FatalSyncError`` (the run stopped);
documents the hub refuses are listed in the report, not raised.

Names are imported on first use, so that ``cae-hub`` commands other than ``sync`` do not pay
for the HTTP client and the validators.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from connectors.sync.client import HubClient, RetryPolicy
    from connectors.sync.config import SyncConfig, default_periods, load_config, parse_config
    from connectors.sync.errors import HubFailed, HubUnreachable, SyncLocked, TokenRefused
    from connectors.sync.report import DocumentOutcome, Status, SyncReport
    from connectors.sync.runner import content_hash, run_sync

_HOMES = {
    "HubClient": "client",
    "RetryPolicy": "client",
    "SyncConfig": "config",
    "default_periods": "config",
    "load_config": "config",
    "parse_config": "config",
    "HubFailed": "errors",
    "HubUnreachable": "errors",
    "SyncLocked": "errors",
    "TokenRefused": "errors",
    "DocumentOutcome": "report",
    "Status": "report",
    "SyncReport": "report",
    "content_hash": "runner",
    "run_sync": "runner",
}

__all__ = [
    "DocumentOutcome",
    "HubClient",
    "HubFailed",
    "HubUnreachable",
    "RetryPolicy",
    "Status",
    "SyncConfig",
    "SyncLocked",
    "SyncReport",
    "TokenRefused",
    "content_hash",
    "default_periods",
    "load_config",
    "parse_config",
    "run_sync",
]


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'connectors.sync' has no attribute {name!r}")
    return getattr(importlib.import_module(f"connectors.sync.{home}"), name)
