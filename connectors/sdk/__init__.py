"""The connector SDK: what a connector is made of and what it can rely on.

- ``Connector``, ``extractor``, ``Document``, ``Skipped``: write a connector (base.py);
- the error tree, named for what the runner does (errors.py);
- ``available``, ``load``, ``discover``: find connectors by entry point (registry.py);
- ``EntrepreneurRecord``, ``AmountRecord``, ``build_report``: aggregate anonymous records
  into an indicator report (microdata.py);
- ``find_personal_fields``, ``ensure_no_personal_data``: the personal-data guard (guard.py);
- ``connector_test_suite``: the conformance suite (testing.py);
- reading CSV/XLSX exports: ``connectors.sdk.tabular`` (cell values: ``connectors.sdk.values``);
- the département of a commune or a postcode (Insee COG 2026): ``connectors.sdk.geography``.
"""

from connectors.sdk.base import Connector, Document, Skipped, extractor
from connectors.sdk.errors import (
    ConfigError,
    ConnectorError,
    FatalSyncError,
    PersonalDataError,
    RetriableSyncError,
    SkippableRecordError,
)
from connectors.sdk.guard import ensure_no_personal_data, find_personal_fields
from connectors.sdk.microdata import (
    Aggregation,
    AmountRecord,
    EntrepreneurRecord,
    Gap,
    aggregate,
    build_report,
)
from connectors.sdk.registry import available, discover, load
from connectors.sdk.testing import connector_test_suite

__all__ = [
    "Aggregation",
    "AmountRecord",
    "ConfigError",
    "Connector",
    "ConnectorError",
    "Document",
    "EntrepreneurRecord",
    "FatalSyncError",
    "Gap",
    "PersonalDataError",
    "RetriableSyncError",
    "SkippableRecordError",
    "Skipped",
    "aggregate",
    "available",
    "build_report",
    "connector_test_suite",
    "discover",
    "ensure_no_personal_data",
    "extractor",
    "find_personal_fields",
    "load",
]
