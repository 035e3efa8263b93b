"""Several tables of a period read together are the tables read one by one."""

from __future__ import annotations

import pytest
from sqlmodel import Session

from bench.federation import generate_federation
from hub.config import Settings
from hub.stats.service import clear_caches, stats_service
from tests.factories import create_staff
from tests.stats.tables import load_federation

PERIOD = "2025-S1"
SPECS: list[tuple[str, str | None]] = [
    ("entrepreneurs", None),
    ("entrepreneurs", "contract"),
    ("associates", None),
    ("associate_rate", None),
    ("associate_rate", "trade"),
    ("entries", "trade,sex"),
    ("revenue_eur", "trade,departement"),
    ("support_staff_fte", None),
]


@pytest.mark.parametrize("draft", [True, False], ids=["live", "published"])
def test_tables_read_together_equal_tables_read_alone(session: Session, draft: bool) -> None:
    settings = Settings(environment="test")
    federation = generate_federation(caes=12, first=PERIOD, semesters=1, seed=8, dominant=1)
    load_federation(session, federation)
    if not draft:
        stats_service.publish(
            session, period_text=PERIOD, staff=create_staff(session), settings=settings
        )
    clear_caches()
    together = stats_service.tables(
        session, specs=SPECS, period_text=PERIOD, draft=draft, staff=True, settings=settings
    )
    clear_caches()
    alone = [
        stats_service.table(
            session,
            indicator_code=code,
            period_text=PERIOD,
            by_text=by,
            draft=draft,
            staff=True,
            settings=settings,
        )
        for code, by in SPECS
    ]
    clear_caches()
    assert [t.model_dump() for t in together] == [t.model_dump() for t in alone]
    assert any(c.suppressed for t in together for c in t.cells)
    assert any(c.value for t in together for c in t.cells)
