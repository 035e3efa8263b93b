"""The SDK's public surface is deliberate: adding or removing a name is a decision."""

from __future__ import annotations

import connectors.sdk as sdk


def test_public_names_are_pinned() -> None:
    assert sorted(sdk.__all__) == [
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


def test_every_public_name_exists_and_is_documented() -> None:
    for name in sdk.__all__:
        value = getattr(sdk, name)
        assert value.__doc__, name
