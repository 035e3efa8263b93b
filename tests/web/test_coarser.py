"""The explorer suggests a coarser breakdown when most of a table is secret."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session

from bench.federation import report_for
from cae_contract.periods import Period
from hub.indicators.service import report_service
from hub.stats.service import stats_service
from hub.web.stats_pages import coarser_breakdowns, published_share
from tests.web.conftest import PUBLISHED, Loaded


def test_regions_are_offered_for_departements() -> None:
    assert coarser_breakdowns(("trade", "departement")) == [("trade", "region")]
    assert coarser_breakdowns(("trade", "sex")) == [("trade",), ("sex",)]
    assert coarser_breakdowns(("trade",)) == []


def test_a_mostly_secret_table_points_to_regions(
    staff_client: TestClient, session: Session
) -> None:
    settings = staff_client.app.state.settings  # type: ignore[attr-defined]
    shares = {}
    for by in ("departement", "region"):
        table = stats_service.table(
            session,
            indicator_code="revenue_eur",
            period_text=PUBLISHED[1],
            by_text=by,
            draft=False,
            staff=True,
            settings=settings,
        )
        shares[by] = published_share(table)
    page = staff_client.get(
        f"/statistiques?indicateur=revenue_eur&periode={PUBLISHED[1]}&par=departement"
    )
    assert page.status_code == 200, page.text
    fine, coarse = shares["departement"], shares["region"]
    assert fine is not None and coarse is not None
    expected = fine < 0.5 and coarse > fine
    assert ("par région" in page.text and "surtout couvert par le secret" in page.text) == expected
    assert expected  # the demo-sized federation has far too few CAEs per département
    regions = staff_client.get(
        f"/statistiques?indicateur=revenue_eur&periode={PUBLISHED[1]}&par=region"
    )
    assert regions.status_code == 200, regions.text


def test_a_republication_shows_what_it_adds_to_the_secret(
    staff_client: TestClient, session: Session, loaded: Loaded
) -> None:
    period = PUBLISHED[1]
    first = staff_client.get(f"/publication/{period}").text
    assert "Ce que la republication ajoute au secret" not in first  # nothing changed yet
    cae = loaded.federation.caes[2]
    document = report_for(cae, Period.parse(period))
    for cell in document["cells"]:
        if cell["indicator"] == "training_hours":
            cell["value"] += 7
    member = next(m for m in loaded.members if m.siren == cae.siren)
    report_service.submit(session, member, period, document)
    session.flush()
    page = staff_client.get(f"/publication/{period}")
    assert page.status_code == 200, page.text
    assert "Ce que la republication ajoute au secret" in page.text
    assert "Heures de formation" in page.text or "training_hours" in page.text
