"""Each test starts with the audit service reading the environment's settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from hub.audit.service import audit_service


@pytest.fixture(autouse=True)
def _audit_settings_reset() -> Iterator[None]:
    audit_service.configure(None)
    yield
    audit_service.configure(None)
