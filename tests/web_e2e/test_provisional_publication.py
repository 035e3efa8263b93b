"""Publishing the semester still running from the browser: refused until staff tick the
provisional confirmation, then labelled « provisoire » on every page that shows it.

The served hub reads the real clock, so the running semester is today's: its reports are
added to this module's copy of the database before the hub starts."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.federation import report_for
from cae_contract.format import fr_date, fr_period
from cae_contract.periods import Period, today
from hub.config import Settings
from hub.db import make_engine, session_scope
from hub.indicators.service import report_service
from hub.members.service import member_service
from tests.served import RunningHub, start_hub
from tests.web_e2e.browser import Visitor, shoot
from tests.web_e2e.checks import heading
from tests.web_e2e.dataset import CONNECTOR, Dataset

RUNNING = Period.semester_of(today())
CHECKBOX = "Je confirme une publication provisoire : le semestre n'est pas terminé"


def _report_running_semester(database: Path, dataset: Dataset) -> None:
    settings = Settings(
        environment="test", database_url=f"sqlite:///{database}", log_level="WARNING"
    )
    engine = make_engine(settings)
    try:
        with session_scope(engine) as session:
            for cae in dataset.federation.caes:
                member = member_service.get_by_siren(session, cae.siren)
                report_service.submit(
                    session, member, str(RUNNING), report_for(cae, RUNNING), connector=CONNECTOR
                )
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def hub(dataset: Dataset, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningHub]:
    """The module's hub, on a copy of the loaded database where today's semester is reported."""
    workdir = tmp_path_factory.mktemp("web-e2e-provisional")
    (workdir / "var").mkdir()
    for suffix in ("", "-wal", "-shm"):
        source = Path(f"{dataset.database}{suffix}")
        if source.exists():
            shutil.copyfile(source, workdir / "var" / f"hub.sqlite3{suffix}")
    _report_running_semester(workdir / "var" / "hub.sqlite3", dataset)
    with start_hub(workdir) as running:
        yield running
        log = running.log_tail()
        assert "Traceback" not in log, log


def test_a_running_semester_is_published_only_as_provisional(staff: Visitor) -> None:
    page = staff.page
    name = fr_period(str(RUNNING))
    page.goto(f"/publication/{RUNNING}")
    assert heading(page) == f"Publier le {name}"
    main = page.locator("main").inner_text()
    assert f"il se termine le {fr_date(RUNNING.end)}" in main
    checkbox = page.get_by_label(CHECKBOX)
    assert checkbox.is_visible() and not checkbox.is_checked()

    # Without the confirmation: the French refusal, and nothing published.
    staff.watch.expect(f"/publication/{RUNNING}", 409)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name=f"Publier et figer le {name}").click()
    response = navigation.value
    assert response is not None and response.status == 409
    refusal = page.locator("[data-refus=provisoire]").inner_text()
    assert refusal.startswith("Rien n'a été publié.")
    assert "n'est pas terminé" in refusal and CHECKBOX in refusal
    assert "Ce semestre n'a jamais été publié." in page.locator("main").inner_text()
    shoot(page, "publication-provisoire-refusee")

    # Confirmed: published, and labelled as provisional.
    page.get_by_label(CHECKBOX).check()
    with page.expect_navigation():
        page.get_by_role("button", name=f"Publier et figer le {name}").click()
    assert page.url.endswith(f"/publication/{RUNNING}?publiee=1"), page.url
    done = page.get_by_role("alert").inner_text()
    assert "Publication n°\u00a01 enregistrée" in done and "provisoire" in done

    page.goto(f"/tableau-de-bord?periode={RUNNING}")
    status = page.locator("section.statut")
    badge = status.locator('[data-provisoire="oui"]')
    assert badge.inner_text() == "Provisoire"
    assert "provisoire : semestre en cours au" in status.inner_text()
    shoot(page, "tableau-de-bord-publication-provisoire")

    page.goto(f"/statistiques?indicateur=entrepreneurs&periode={RUNNING}&par=sex")
    badge = page.locator('main [data-provisoire="oui"]')
    assert badge.first.inner_text().startswith("provisoire : semestre en cours au")
    assert "Publication provisoire" in page.locator("ul.notes").inner_text()

    page.goto(f"/statistiques?indicateur=entrepreneurs&periode={RUNNING}&vue=evolution")
    row = page.locator("#evolution tbody tr", has=page.locator('[data-provisoire="oui"]'))
    assert row.count() == 1
    assert row.locator("th").inner_text().startswith(name)

    page.goto(f"/completude?periode={RUNNING}")
    summary = page.locator("p.resume")
    assert "Dernière publication : n°\u00a01" in summary.inner_text()
    assert summary.locator('[data-provisoire="oui"]').count() == 1
    staff.watch.assert_clean()
