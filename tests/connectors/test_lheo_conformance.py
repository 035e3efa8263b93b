"""The lheo connector passes the standard conformance suite."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cae_contract.lheo import write_lheo
from cae_contract.registry import get_registry
from connectors.lheo import LheoConnector
from connectors.sdk import connector_test_suite


@pytest.fixture
def lheo_config(tmp_path: Path) -> dict[str, Any]:
    examples = get_registry().examples("training-catalogue", "1.0.0")
    assert examples is not None
    path = tmp_path / "catalogue.xml"
    path.write_bytes(write_lheo([d for d in examples.valid if d["formations"]]))
    return {"file": str(path)}


TestLheo = connector_test_suite(LheoConnector, config="lheo_config", periods=["2026-S2"])
