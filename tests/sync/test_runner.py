"""Sync runs against a real hub: what is sent, what is not, and what the report says."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import requests

from connectors.sdk.errors import ConfigError, PersonalDataError
from connectors.sync.errors import TokenRefused
from connectors.sync.report import Status
from connectors.sync.state import SyncState
from tests.sync.conftest import Cae
from tests.sync.connector import cells, write_reports
from tests.sync.helpers import configure, configure_semester, statuses, sync
from tests.sync.proxy import FaultProxy

PERIODS = ["2024-S2", "2025-S1"]


def test_first_run_sends_all_second_nothing_then_only_the_changed_document(
    cae: Cae, tmp_path: Path, http: requests.Session
) -> None:
    reports = {"2024-S2": cells(10), "2025-S1": cells(12)}
    with FaultProxy(cae.hub_url) as proxy:
        config = configure(
            tmp_path, url=proxy.url, token=cae.token, reports=reports, periods=PERIODS
        )

        first = sync(config, http)
        assert statuses(first) == {"2024-S2": "accepted", "2025-S1": "accepted"}
        assert [o.revision for o in first.outcomes] == [1, 1]
        puts = proxy.requests("PUT")
        assert [p.path for p in puts] == [
            "/v1/indicators/reports/2024-S2",
            "/v1/indicators/reports/2025-S1",
        ]
        for put in puts:
            assert put.headers["X-Cae-Hub-Connector"] == "jsonreports/1.2.0"
            assert put.headers["Authorization"] == f"Bearer {cae.token}"
            assert put.headers["Idempotency-Key"].startswith("sync-")
            assert put.headers["X-Cae-Hub-Schema-Version"] == "1.0.0"
        # Schemas came from the hub: the version of the report schema this installation writes
        # (its own contract's), and the code lists it refers to.
        assert proxy.requests("GET", "/v1/schemas/indicator-report/1.0.0")[0].status == 200
        assert proxy.requests("GET", "/v1/schemas/code-trade/1.0.0")[0].status == 200

        second = sync(config, http)
        assert statuses(second) == {"2024-S2": "up_to_date", "2025-S1": "up_to_date"}
        assert len(proxy.requests("PUT")) == 2

        reports["2025-S1"] = cells(13)
        write_reports(tmp_path / "reports.json", reports)
        schema_gets = len(proxy.requests("GET", "/v1/schemas/"))
        third = sync(config, http)
        assert statuses(third) == {"2024-S2": "up_to_date", "2025-S1": "accepted"}
        assert third.outcomes[1].revision == 2
        assert [p.path for p in proxy.requests("PUT")[2:]] == ["/v1/indicators/reports/2025-S1"]
        # A published version never changes: the cached copies are used without asking.
        assert proxy.requests("GET", "/v1/schemas/")[schema_gets:] == []

    assert len(cae.revisions("2024-S2")) == 1
    history = cae.revisions("2025-S1")
    assert [(r["revision"], r["is_current"]) for r in history] == [(1, False), (2, True)]
    assert history[1]["connector"] == "jsonreports"
    assert history[1]["connector_version"] == "1.2.0"
    totals = [c for c in cae.current_cells("2025-S1") if c["indicator"] == "entrepreneurs"]
    assert {"indicator": "entrepreneurs", "dims": {}, "value": 13} in totals
    assert "acceptés : 1" in third.render()
    assert "inchangés : 1" in third.render()


def test_content_sent_back_to_an_earlier_state_makes_a_new_revision(
    cae: Cae, tmp_path: Path, http: requests.Session
) -> None:
    """A → B → A: the third send must not be mistaken for a replay of the first."""
    config = configure_semester(tmp_path, url=cae.hub_url, token=cae.token, total=8)
    for total in (8, 9, 8):
        write_reports(tmp_path / "reports.json", {"2025-S1": cells(total)})
        report = sync(config, http)
        assert report.outcomes[0].status is Status.ACCEPTED
        assert report.outcomes[0].replayed is False
    assert [r["revision"] for r in cae.revisions("2025-S1")] == [1, 2, 3]


def test_force_sends_again_and_the_hub_finds_it_unchanged(
    cae: Cae, tmp_path: Path, http: requests.Session
) -> None:
    config = configure_semester(tmp_path, url=cae.hub_url, token=cae.token, total=5)
    sync(config, http)
    again = sync(config, http, force=True)
    assert statuses(again) == {"2025-S1": "unchanged"}
    assert again.outcomes[0].revision == 1
    assert len(cae.revisions("2025-S1")) == 1


def test_dry_run_asks_the_hub_and_records_nothing(
    cae: Cae, tmp_path: Path, http: requests.Session
) -> None:
    reports = {"2024-S2": cells(10), "2025-S1": cells(12)}
    with FaultProxy(cae.hub_url) as proxy:
        config = configure(
            tmp_path, url=proxy.url, token=cae.token, reports=reports, periods=PERIODS
        )
        trial = sync(config, http, dry_run=True)
        assert statuses(trial) == {"2024-S2": "checked", "2025-S1": "checked"}
        assert [o.revision for o in trial.outcomes] == [1, 1]
        assert all(p.path.endswith("?dry_run=true") for p in proxy.requests("PUT"))
        assert "Essai à blanc" in trial.render()
    assert cae.revisions("2024-S2") == []
    assert cae.revisions("2025-S1") == []
    with SyncState(config.data_dir) as state:
        assert state.acknowledgements() == []

    real = sync(config, http)
    assert statuses(real) == {"2024-S2": "accepted", "2025-S1": "accepted"}


def test_refusals_by_the_client_and_by_the_hub_are_reported_with_their_reasons(
    cae: Cae, tmp_path: Path, http: requests.Session
) -> None:
    bad_code = cells(10)
    bad_code.append({"indicator": "revenue_eur", "dims": {"trade": "99.99Z"}, "value": 1000.0})
    inconsistent = cells(10)
    inconsistent[1] = {"indicator": "entrepreneurs", "dims": {"contract": "cesa"}, "value": 9}
    reports = {
        "2024-S1": cells(7),
        "2024-S2": bad_code,
        "2025-S1": inconsistent,
        "_skipped": [{"source": "registre.json ligne 4", "message": "date d'entrée illisible"}],
    }
    with FaultProxy(cae.hub_url) as proxy:
        config = configure(
            tmp_path,
            url=proxy.url,
            token=cae.token,
            reports=reports,
            periods=["2024-S1", "2024-S2", "2025-S1"],
        )
        report = sync(config, http)
        sent = [p.path.rsplit("/", 1)[1] for p in proxy.requests("PUT")]
    assert statuses(report) == {"2024-S1": "accepted", "2024-S2": "rejected", "2025-S1": "rejected"}
    assert sent == ["2024-S1", "2025-S1"]  # what fails locally is never sent

    local, remote = report.outcomes[1], report.outcomes[2]
    assert local.refused_by == "client"
    assert local.errors == (
        (
            "$.cells[4].dims.trade",
            "« 99.99Z » n'est pas un code de la liste « Métier du bâtiment (code NAF) »",
        ),
    )
    assert remote.refused_by == "hub"
    assert "HTTP 422" in (remote.detail or "")
    assert remote.errors and all(message for _, message in remote.errors)

    text = report.render()
    assert "refusés : 2" in text
    assert (
        "- indicator-report/2024-S2 par la vérification locale (rien n'a été envoyé) : "
        "non conforme au format attendu par le hub : 1 erreur(s)"
    ) in text
    assert remote.errors[0][1] in text
    assert "enregistrements ignorés par le connecteur : 1" in text
    assert "registre.json ligne 4 : date d'entrée illisible" in text
    assert report.ok is False
    assert cae.revisions("2024-S2") == [] and cae.revisions("2025-S1") == []
    assert len(cae.revisions("2024-S1")) == 1


def test_guard_refuses_a_document_with_a_nir_and_nothing_is_sent(
    cae: Cae, tmp_path: Path, http: requests.Session
) -> None:
    leaking = cells(4)
    leaking[3] = {"indicator": "revenue_eur", "dims": {"trade": "185057800608491"}, "value": 10.0}
    reports = {"2024-S2": cells(6), "2025-S1": leaking}
    with FaultProxy(cae.hub_url) as proxy:
        config = configure(
            tmp_path, url=proxy.url, token=cae.token, reports=reports, periods=PERIODS
        )
        with pytest.raises(PersonalDataError) as raised:
            sync(config, http)
        assert proxy.requests("PUT") == []
    assert "indicator-report/2025-S1" in raised.value.message
    assert "$.cells[3].dims.trade" in raised.value.message
    assert "185057800608491" not in raised.value.message
    assert "rien n'a été envoyé" in raised.value.message
    assert cae.revisions("2024-S2") == [] and cae.revisions("2025-S1") == []


def test_a_refused_token_stops_before_reading_anything(
    cae: Cae, tmp_path: Path, http: requests.Session
) -> None:
    config = configure_semester(tmp_path, url=cae.hub_url, token="caeh_inconnu", total=3)
    with pytest.raises(TokenRefused) as raised:
        sync(config, http)
    assert raised.value.message.startswith("jeton refusé par le hub : jeton inconnu")
    assert "caeh_inconnu" not in raised.value.message


def test_a_federation_token_is_refused_with_a_clear_message(
    admin_token: str, cae: Cae, tmp_path: Path, http: requests.Session
) -> None:
    config = configure_semester(tmp_path, url=cae.hub_url, token=admin_token, total=3)
    with pytest.raises(ConfigError, match="compte de la fédération"):
        sync(config, http)


def test_a_state_folder_belongs_to_one_cae(
    new_cae: Callable[[], Cae], tmp_path: Path, http: requests.Session
) -> None:
    first, second = new_cae(), new_cae()
    reports = {"2025-S1": cells(3)}
    config = configure(
        tmp_path, url=first.hub_url, token=first.token, reports=reports, periods=["2025-S1"]
    )
    assert statuses(sync(config, http)) == {"2025-S1": "accepted"}
    # Same folder, another CAE's token: it must not inherit « already sent ».
    config = configure(
        tmp_path, url=second.hub_url, token=second.token, reports=reports, periods=["2025-S1"]
    )
    with pytest.raises(ConfigError) as raised:
        sync(config, http)
    assert raised.value.message == (
        f"sync.data_dir : cet état local est celui de la CAE {first.siren}, or le jeton est celui "
        f"de la CAE {second.siren} ; donnez à chaque CAE son propre dossier d'état"
    )
    assert second.revisions("2025-S1") == []
