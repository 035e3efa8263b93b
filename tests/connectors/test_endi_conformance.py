"""The enDI connector passes the standard conformance suite on the sample CAE's exports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from connectors.endi import EndiConnector
from connectors.sdk.testing import connector_test_suite
from tests.connectors.endi_files import write_sample


@pytest.fixture
def endi_config(tmp_path: Path) -> dict[str, Any]:
    return write_sample(tmp_path, relative=False)


TestEndi = connector_test_suite(EndiConnector, config="endi_config", periods=["2025-S2", "2026-S1"])
