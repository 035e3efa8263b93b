"""Each run checks its acknowledgements against what the hub holds: a hub restored from an
older backup is refilled by the next sync, without --force."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.served import RunningHub, register_member, start_hub
from tests.sync.conftest import Cae
from tests.sync.connector import cells, write_reports
from tests.sync.helpers import configure, statuses, sync
from tests.sync.proxy import FaultProxy

PERIODS = ["2024-S2", "2025-S1"]


@pytest.fixture
def own_hub(tmp_path: Path) -> Iterator[RunningHub]:
    """A hub of this test alone: its whole database is restored from a backup."""
    folder = tmp_path / "hub"
    folder.mkdir()
    with start_hub(folder) as running:
        yield running


def _register(hub: RunningHub, http: requests.Session) -> Cae:
    siren = "832451967"
    token = register_member(
        hub, http, admin_token=hub.admin_token(), siren=siren, name="Coop'Bâtir"
    )
    return Cae(siren, token, hub.base_url, http)


def _copy(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (the backup API), as a restore does."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def test_a_hub_restored_from_an_older_backup_is_refilled_by_the_next_sync(
    own_hub: RunningHub, tmp_path: Path, http: requests.Session
) -> None:
    cae = _register(own_hub, http)
    reports = {"2024-S2": cells(10)}
    config = configure(tmp_path, url=cae.hub_url, token=cae.token, reports=reports, periods=PERIODS)
    assert statuses(sync(config, http)) == {"2024-S2": "accepted"}
    backup = tmp_path / "sauvegarde.sqlite3"
    _copy(own_hub.database, backup)

    # After the backup: 2024-S2 corrected (revision 2), 2025-S1 sent for the first time.
    reports = {"2024-S2": cells(11), "2025-S1": cells(12)}
    write_reports(tmp_path / "reports.json", reports)
    after = sync(config, http)
    assert statuses(after) == {"2024-S2": "accepted", "2025-S1": "accepted"}
    assert [o.revision for o in after.outcomes] == [2, 1]

    _copy(backup, own_hub.database)  # the hub is restored: 2024-S2 revision 1 only
    assert [r["revision"] for r in cae.revisions("2024-S2")] == [1]
    assert cae.revisions("2025-S1") == []

    refill = sync(config, http)
    assert statuses(refill) == {"2024-S2": "accepted", "2025-S1": "accepted"}
    assert refill.ok
    older, missing = refill.outcomes
    assert missing.resent == "le hub ne l'avait plus (base restaurée ?)"
    assert older.resent == (
        "le hub détenait une autre version (révision 1) que celle qu'il avait acceptée (révision 2)"
    )
    text = refill.render()
    assert "renvoyés parce que le hub ne les détenait plus : 2" in text
    assert (
        "- indicator-report/2025-S1 (révision 1, renvoyé : le hub ne l'avait plus "
        "(base restaurée ?))"
    ) in text
    assert text.endswith("tout est à jour sur le hub")
    history = cae.revisions("2024-S2")
    assert [(r["revision"], r["is_current"]) for r in history] == [(1, False), (2, True)]
    totals = [c for c in cae.current_cells("2024-S2") if not c["dims"]]
    assert {"indicator": "entrepreneurs", "dims": {}, "value": 11} in totals
    assert len(cae.revisions("2025-S1")) == 1

    # The hub holds everything again: the next run sends nothing.
    again = sync(config, http)
    assert statuses(again) == {"2024-S2": "up_to_date", "2025-S1": "up_to_date"}
    assert "renvoyés" not in again.render()


def _forget(hub: RunningHub, siren: str, period: str) -> None:
    """Delete a member's revisions of a period from the served hub's database."""
    with sqlite3.connect(hub.database) as db:
        reports = (
            "SELECT r.id FROM indicator_report r JOIN member m ON m.id = r.member_id "
            "WHERE m.siren = ? AND r.period = ?"
        )
        db.execute(f"DELETE FROM indicator_cell WHERE report_id IN ({reports})", (siren, period))  # noqa: S608
        db.execute(f"DELETE FROM indicator_report WHERE id IN ({reports})", (siren, period))  # noqa: S608
    db.close()


def test_the_hub_is_asked_once_per_run_and_deleted_revisions_are_resent(
    hub: RunningHub, cae: Cae, tmp_path: Path, http: requests.Session
) -> None:
    reports = {"2024-S2": cells(6), "2025-S1": cells(7)}
    with FaultProxy(cae.hub_url) as proxy:
        config = configure(
            tmp_path, url=proxy.url, token=cae.token, reports=reports, periods=PERIODS
        )
        sync(config, http)
        _forget(hub, cae.siren, "2025-S1")
        report = sync(config, http)
        listings = proxy.requests("GET", "/v1/indicators/reports")
    assert statuses(report) == {"2024-S2": "up_to_date", "2025-S1": "accepted"}
    assert [(s.path, s.status) for s in listings] == [("/v1/indicators/reports", 200)] * 2
    assert len(cae.revisions("2025-S1")) == 1


def test_an_older_hub_that_cannot_list_its_reports_is_trusted_as_before(
    hub: RunningHub, cae: Cae, tmp_path: Path, http: requests.Session
) -> None:
    reports = {"2025-S1": cells(7)}
    with FaultProxy(cae.hub_url) as proxy:
        config = configure(
            tmp_path, url=proxy.url, token=cae.token, reports=reports, periods=["2025-S1"]
        )
        sync(config, http)
        _forget(hub, cae.siren, "2025-S1")
        proxy.fail(404, method="GET", path="/v1/indicators/reports")
        report = sync(config, http)
        assert proxy.requests("PUT")[1:] == []
    assert statuses(report) == {"2025-S1": "up_to_date"}
    assert report.ok
    assert "remarque : ce hub ne dit pas encore quels rapports il détient" in report.render()
    assert cae.revisions("2025-S1") == []


def test_a_token_that_may_not_read_reports_skips_the_check_and_says_so(
    hub: RunningHub, admin_token: str, cae: Cae, tmp_path: Path, http: requests.Session
) -> None:
    issued = http.post(
        f"{hub.base_url}/v1/admin/tokens",
        headers={"Authorization": f"Bearer {admin_token}"},
        json={"member_siren": cae.siren, "label": "envoi seul", "scopes": ["reports:write"]},
        timeout=10,
    )
    assert issued.status_code == 201, issued.text
    with FaultProxy(cae.hub_url) as proxy:
        config = configure(
            tmp_path,
            url=proxy.url,
            token=issued.json()["token"],
            reports={"2025-S1": cells(7)},
            periods=["2025-S1"],
        )
        report = sync(config, http)
        assert proxy.requests("GET", "/v1/indicators/reports") == []
    assert statuses(report) == {"2025-S1": "accepted"}
    assert "remarque : le jeton n'a pas le droit de relire les rapports (reports:read)" in (
        report.render()
    )
