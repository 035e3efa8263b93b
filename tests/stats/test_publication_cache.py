"""Published tables are cached per process: a cache entry must never outlive its publication."""

from __future__ import annotations

from sqlmodel import Session

from bench.federation import generate_federation
from hub.config import Settings
from hub.stats.service import stats_service
from tests.factories import create_staff
from tests.stats.tables import load_federation

PERIOD = "2025-S1"


def _publish_federation(session: Session, settings: Settings, *, seed: int) -> float:
    """Load a small federation, publish PERIOD and return its total entrepreneurs."""
    federation = generate_federation(caes=6, first=PERIOD, semesters=1, seed=seed, dominant=1)
    load_federation(session, federation)
    staff = create_staff(session)
    stats_service.publish(session, period_text=PERIOD, staff=staff, settings=settings)
    table = stats_service.table(
        session,
        indicator_code="entrepreneurs",
        period_text=PERIOD,
        by_text=None,
        draft=False,
        staff=True,
        settings=settings,
    )
    [total] = [cell for cell in table.cells if not cell.dims]
    assert total.value is not None
    return total.value


def test_a_rolled_back_publication_does_not_leave_its_tables_behind(session: Session) -> None:
    settings = Settings(environment="test")
    # SQLite hands out the same publication id again after a rollback; the second
    # publication must be read from its own reports, not from the first one's cache.
    first = session.begin_nested()
    first_total = _publish_federation(session, settings, seed=1)
    first.rollback()

    second = session.begin_nested()
    second_total = _publish_federation(session, settings, seed=2)
    second.rollback()

    assert first_total != second_total
