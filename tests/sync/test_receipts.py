"""The sync client keeps the hub's signed receipt of every accepted report in its state, and
the receipts verify with the hub's public key; the served hub's trail verifies end to end."""

from __future__ import annotations

from pathlib import Path

import requests

from connectors.sync.state import SyncState
from hub.audit.signing import load_public_pem, receipt_valid
from tests.served import RunningHub
from tests.sync.conftest import Cae
from tests.sync.connector import cells, write_reports
from tests.sync.helpers import configure, statuses, sync

PERIODS = ["2024-S2", "2025-S1"]


def test_every_accepted_report_leaves_a_receipt_verifiable_with_the_public_key(
    cae: Cae, hub: RunningHub, tmp_path: Path, http: requests.Session
) -> None:
    reports = {"2024-S2": cells(10), "2025-S1": cells(12)}
    config = configure(tmp_path, url=cae.hub_url, token=cae.token, reports=reports, periods=PERIODS)
    first = sync(config, http)
    assert statuses(first) == {"2024-S2": "accepted", "2025-S1": "accepted"}
    assert statuses(sync(config, http)) == {"2024-S2": "up_to_date", "2025-S1": "up_to_date"}
    reports["2025-S1"] = cells(13)
    write_reports(tmp_path / "reports.json", reports)
    assert statuses(sync(config, http))["2025-S1"] == "accepted"
    assert statuses(sync(config, http, dry_run=True))["2025-S1"] == "up_to_date"

    answer = http.get(f"{cae.hub_url}/v1/audit/key", timeout=10)
    assert answer.status_code == 200
    public = load_public_pem(answer.json()["public_key_pem"])
    with SyncState(config.data_dir) as state:
        kept = state.receipts()
    expected = [("2024-S2", 1), ("2025-S1", 1), ("2025-S1", 2)]
    assert [(k.period, k.revision) for k in kept] == expected
    for receipt in kept:
        assert receipt.receipt["kind"] == "report.accepted"
        assert receipt.receipt["key_id"] == answer.json()["key_id"]
        assert receipt_valid(receipt.receipt, public)
    sequences = [k.receipt["sequence"] for k in kept]
    assert sequences == sorted(set(sequences))

    verified = hub.cli("audit", "verify")
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith("piste d'audit intègre : ")
