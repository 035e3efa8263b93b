"""A client killed (SIGKILL) in the middle of a run, then started again: every period reaches
the hub once — no duplicate revision, no missing period."""

from __future__ import annotations

import signal
from pathlib import Path

from tests.sync.conftest import Cae, write_config
from tests.sync.connector import cells, write_reports
from tests.sync.proxy import FaultProxy
from tests.sync.running import run_sync_command, start_sync

PERIODS = ["2023-S2", "2024-S1", "2024-S2", "2025-S1"]


def _kill_while_hub_answer_is_held(folder: Path, proxy: FaultProxy, period: str) -> None:
    """The hub has stored ``period``; its answer is held back; the client dies waiting."""
    proxy.release.clear()
    proxy.hold(60, path=f"/v1/indicators/reports/{period}")
    client = start_sync(folder, "--config", "sync.toml", "--once")
    try:
        assert proxy.holding.wait(60), client.communicate(timeout=5)
        client.send_signal(signal.SIGKILL)
        client.wait(timeout=30)
    finally:
        if client.poll() is None:
            client.kill()
        client.communicate(timeout=10)
        proxy.release.set()
    assert client.returncode == -signal.SIGKILL


def test_killed_runs_leave_each_period_once_on_the_hub(cae: Cae, tmp_path: Path) -> None:
    reports = {period: cells(10 + index) for index, period in enumerate(PERIODS)}
    write_reports(tmp_path / "reports.json", reports)
    with FaultProxy(cae.hub_url) as proxy:
        write_config(tmp_path, url=proxy.url, token=cae.token, periods=PERIODS)

        _kill_while_hub_answer_is_held(tmp_path, proxy, "2024-S2")
        assert [len(cae.revisions(p)) for p in PERIODS] == [1, 1, 1, 0]

        finished = run_sync_command(tmp_path, "--config", "sync.toml", "--once")
        assert finished.returncode == 0, finished.stderr
        put_keys = [s.headers["Idempotency-Key"] for s in proxy.requests("PUT")]

    for index, period in enumerate(PERIODS):
        history = cae.revisions(period)
        assert [r["revision"] for r in history] == [1], (period, history)
        assert {"indicator": "entrepreneurs", "dims": {}, "value": 10 + index} in (
            cae.current_cells(period)
        )
    # The document whose answer was lost was sent again under the same key (replayed).
    assert len(put_keys) == len(set(put_keys)) + 1 == len(PERIODS) + 1
    # The last run: 2024-S2 replayed by the hub, 2025-S1 new, the others already acknowledged.
    out = finished.stdout
    assert "acceptés : 2\n    - indicator-report/2024-S2 (révision 1)\n" in out, out
    assert "    - indicator-report/2025-S1 (révision 1)\n  inchangés : 2\n" in out, out
